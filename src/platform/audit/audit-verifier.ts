import { GENESIS_HASH } from './audit-chain';
import { AuditChainRepository, type ChainPoint } from './audit-chain.repository';
import { ChainWalk, type ChainProblem } from './audit-walk';

export interface VerifyOptions {
  /** Start at this seq, or at the first entry sealed at or after this time; default: the chain's start. */
  from?: number | Date;
  /** Stop at this seq, or at the last entry sealed before this time; default: the head. */
  to?: number | Date;
  /** A checkpoint kept outside the database (from the log): the chain must reach this hash at this seq. */
  checkpoint?: ChainPoint;
  /** An entry unsealed longer than this is a problem (the sealer is not running). */
  maxUnsealedMinutes: number;
  now: Date;
  pageSize?: number;
  onProgress?: (checked: number, total: number) => void;
}

export interface VerifyReport {
  ok: boolean;
  fromSeq: number;
  toSeq: number;
  checked: number;
  /** How the walk's first prev_hash was established. */
  start: string;
  problem?: ChainProblem;
}

/**
 * Walks the chain in seq order, in pages, recomputing each content and chain hash, and comparing with
 * every checkpoint in audit_checkpoint (and one given from outside); stops at the first broken link.
 */
export class AuditVerifier {
  constructor(private readonly chain: AuditChainRepository) {}

  async verify(o: VerifyOptions): Promise<VerifyReport> {
    const head = await this.chain.head();
    const anchor = await this.chain.latestCheckpoint('prune');
    const startSeq = await this.startSeq(o.from, anchor?.seq ?? 0, head.seq);
    const toSeq = await this.endSeq(o.to, head.seq);
    const all = await this.chain.checkpoints(0, Number.MAX_SAFE_INTEGER);
    const kept = new Map(all.filter((c) => c.seq >= startSeq - 1).map((c) => [c.seq, c.chainHash]));
    if (o.checkpoint) {
      kept.set(o.checkpoint.seq, o.checkpoint.chainHash);
    }
    let expectPrev: string | null;
    let start: string;
    if (startSeq === 1) {
      expectPrev = GENESIS_HASH;
      start = 'the genesis hash (seq 1 is the first entry ever sealed)';
    } else if (kept.has(startSeq - 1)) {
      expectPrev = kept.get(startSeq - 1) as string;
      start = `the checkpoint at seq ${startSeq - 1} (${expectPrev})`;
    } else {
      expectPrev = null;
      start = `the prev_hash of seq ${startSeq} as stored — compare it with a checkpoint you kept`;
    }
    const report = (problem?: ChainProblem, checked = 0): VerifyReport => ({
      ok: problem === undefined,
      fromSeq: startSeq,
      toSeq,
      checked,
      start,
      problem,
    });

    const walk = new ChainWalk(startSeq, expectPrev, kept);
    const total = Math.max(0, toSeq - startSeq + 1);
    const pageSize = o.pageSize ?? 5000;
    let after = startSeq - 1;
    while (after < toSeq) {
      const page = await this.chain.page(after, toSeq, pageSize);
      if (page.length === 0) {
        break;
      }
      for (const e of page) {
        const problem = walk.next(e);
        if (problem) {
          return report(problem, walk.checked);
        }
      }
      after = page[page.length - 1].seq;
      o.onProgress?.(walk.checked, total);
    }
    if (walk.nextSeq <= toSeq) {
      return report(
        {
          kind: 'entry-missing',
          seq: walk.nextSeq,
          detail: `entry missing: seq ${walk.nextSeq} to ${toSeq} are not in the log (deleted at the end of the chain)`,
        },
        walk.checked,
      );
    }
    if (o.to === undefined) {
      const beyond = [...kept.entries()].filter(([seq]) => seq > head.seq).sort((a, b) => a[0] - b[0])[0];
      if (beyond) {
        return report(
          {
            kind: 'entry-missing',
            seq: head.seq + 1,
            detail: `entry missing: a checkpoint recorded seq ${beyond[0]} but the chain ends at seq ${head.seq} (entries deleted at the end)`,
          },
          walk.checked,
        );
      }
    }
    if (o.checkpoint && (o.checkpoint.seq < startSeq - 1 || o.checkpoint.seq > toSeq)) {
      return report(
        {
          kind: 'checkpoint-unreached',
          seq: o.checkpoint.seq,
          detail: `checkpoint seq ${o.checkpoint.seq} is outside the walk (seq ${startSeq} to ${toSeq}); widen --from/--to`,
        },
        walk.checked,
      );
    }
    const unsealed = await this.chain.unsealedSummary();
    if (unsealed.oldest && o.now.getTime() - unsealed.oldest.at.getTime() > o.maxUnsealedMinutes * 60_000) {
      return report(
        {
          kind: 'unsealed-too-long',
          id: unsealed.oldest.id,
          at: unsealed.oldest.at,
          action: unsealed.oldest.action,
          detail: `entry unsealed for longer than ${o.maxUnsealedMinutes} minutes (${unsealed.count} waiting): is the gateway (its audit.seal job) running?`,
        },
        walk.checked,
      );
    }
    return report(undefined, walk.checked);
  }

  private async startSeq(from: number | Date | undefined, anchorSeq: number, headSeq: number): Promise<number> {
    if (from === undefined) {
      return anchorSeq + 1;
    }
    if (typeof from === 'number') {
      return Math.max(from, anchorSeq + 1);
    }
    return (await this.chain.firstSeqFrom(from)) ?? headSeq + 1;
  }

  private async endSeq(to: number | Date | undefined, headSeq: number): Promise<number> {
    if (to === undefined) {
      return headSeq;
    }
    if (typeof to === 'number') {
      return Math.min(to, headSeq);
    }
    return (await this.chain.lastSeqBefore(to)) ?? 0;
  }
}
