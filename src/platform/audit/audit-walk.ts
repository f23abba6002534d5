import { chainHashOf, contentHashOf } from './audit-chain';
import type { ChainEntry } from './audit-chain.repository';

/** What can be wrong with the chain, first found first. */
export type ChainProblemKind =
  | 'content-altered'
  | 'chain-broken'
  | 'entry-missing'
  | 'checkpoint-mismatch'
  | 'checkpoint-unreached'
  | 'unsealed-too-long';

export interface ChainProblem {
  kind: ChainProblemKind;
  seq?: number;
  id?: string;
  at?: Date;
  action?: string;
  /** What is wrong and what it means, in one sentence. */
  detail: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks sealed entries one by one in seq order: each entry's content against its content hash, its
 * prev_hash against the chain hash before it, its chain hash against SM3(prev ‖ content), and its seq
 * against the one expected (a gap is an entry missing). Shared by verify (database) and the offline
 * check of an export file. `expectPrev` null: trust the first entry's prev_hash (the caller says so).
 */
export class ChainWalk {
  private expectedSeq: number;
  private prev: string | null;
  private lastId: string | null = null;
  checked = 0;

  constructor(
    startSeq: number,
    expectPrev: string | null,
    private readonly checkpoints: ReadonlyMap<number, string> = new Map(),
  ) {
    this.expectedSeq = startSeq;
    this.prev = expectPrev;
  }

  /** The seq the next entry must have. */
  get nextSeq(): number {
    return this.expectedSeq;
  }

  /** The chain hash of the last entry checked (or the start hash). */
  get lastHash(): string | null {
    return this.prev;
  }

  /** Checks `e`; answers the problem, or undefined when the link holds. */
  next(e: ChainEntry): ChainProblem | undefined {
    const where = { seq: e.seq, id: e.id, at: e.at, action: e.action };
    if (e.seq !== this.expectedSeq) {
      const missing =
        e.seq === this.expectedSeq + 1 ? `seq ${this.expectedSeq}` : `seq ${this.expectedSeq} to ${e.seq - 1}`;
      return {
        kind: 'entry-missing',
        seq: this.expectedSeq,
        detail:
          `entry missing: ${missing} is not in the log (deleted), between ` +
          `${this.lastId ?? 'the start'} and ${e.id} (seq ${e.seq})`,
      };
    }
    if (e.contentHash === null || contentHashOf(e) !== e.contentHash) {
      return {
        kind: 'content-altered',
        ...where,
        detail: 'content altered: the entry no longer matches its content hash',
      };
    }
    if (this.prev !== null && e.prevHash !== this.prev) {
      return {
        kind: 'chain-broken',
        ...where,
        detail: `chain link broken: prev_hash ${e.prevHash ?? 'null'} is not the chain hash before it (${this.prev})`,
      };
    }
    if (
      e.prevHash === null ||
      e.chainHash === null ||
      !HEX64.test(e.prevHash) ||
      !HEX64.test(e.contentHash) ||
      chainHashOf(e.prevHash, e.contentHash) !== e.chainHash
    ) {
      return {
        kind: 'chain-broken',
        ...where,
        detail: 'chain link broken: chain_hash is not SM3(prev_hash ‖ content_hash)',
      };
    }
    const kept = this.checkpoints.get(e.seq);
    if (kept !== undefined && kept !== e.chainHash) {
      return {
        kind: 'checkpoint-mismatch',
        ...where,
        detail: `checkpoint mismatch: a checkpoint recorded chain hash ${kept} at this seq; the log now has ${e.chainHash} (history rewritten up to here)`,
      };
    }
    this.prev = e.chainHash;
    this.lastId = e.id;
    this.expectedSeq += 1;
    this.checked += 1;
    return undefined;
  }
}
