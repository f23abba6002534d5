import { ReplyEnvelope } from '../upstream/protocol/envelope';

/**
 * Every message the insurer accepted, by msgid, with the reply it got. This is what makes the
 * sandbox idempotent (a resent msgid gets the stored reply, nothing is processed twice) and what
 * 9201 answers from. Counters let tests check "every msgid received exactly once".
 */
export interface MessageRecord {
  msgid: string;
  infno: string;
  fixmedinsCode: string;
  signNo: string;
  /** False when sign_no was not handed out by a 9001 sign-in (recorded, not enforced). */
  signNoKnown: boolean;
  /** canonical JSON of infno + input: a resend must carry the same business content. */
  fingerprint: string;
  receivedAt: Date;
  timesReceived: number;
  reply: ReplyEnvelope;
}

/** What GET /sandbox/messages/:msgid shows. */
export interface MessageView {
  msgid: string;
  infno: string;
  receivedAt: string;
  timesReceived: number;
  signNo: string;
  signNoKnown: boolean;
  reply: ReplyEnvelope;
}

export interface SandboxStats {
  /** Messages processed (first receipt of a msgid), whatever their infcode. */
  processed: number;
  /** Later receipts of an already processed msgid, answered from the store. */
  duplicates: number;
  /** First receipts by infno. */
  byInfno: Record<string, number>;
  /** Answered but not stored: bad signature, unusable msgid, msgid reused for other content. */
  refused: number;
  /** Of those refused: a known msgid arriving with different content. */
  conflicts: number;
  /** Fault injection: answered 503 before processing / held unanswered / processed then dropped. */
  unavailable: number;
  held: number;
  dropped: number;
}

export type Counter = 'refused' | 'conflicts' | 'unavailable' | 'held' | 'dropped';

export class MessageStore {
  private readonly records = new Map<string, MessageRecord>();
  private readonly counters: Omit<SandboxStats, 'byInfno'> = {
    processed: 0,
    duplicates: 0,
    refused: 0,
    conflicts: 0,
    unavailable: 0,
    held: 0,
    dropped: 0,
  };
  private readonly byInfno: Record<string, number> = {};

  get(msgid: string): MessageRecord | undefined {
    return this.records.get(msgid);
  }

  /** The first receipt of a msgid, once its reply is signed. */
  add(record: MessageRecord): void {
    if (this.records.has(record.msgid)) {
      throw new Error(`msgid ${record.msgid} is already stored`);
    }
    this.records.set(record.msgid, record);
    this.counters.processed += 1;
    this.byInfno[record.infno] = (this.byInfno[record.infno] ?? 0) + 1;
  }

  noteDuplicate(record: MessageRecord): void {
    record.timesReceived += 1;
    this.counters.duplicates += 1;
  }

  count(counter: Counter): void {
    this.counters[counter] += 1;
  }

  stats(): SandboxStats {
    return { ...this.counters, byInfno: { ...this.byInfno } };
  }

  view(msgid: string): MessageView | undefined {
    const r = this.records.get(msgid);
    return r
      ? {
          msgid: r.msgid,
          infno: r.infno,
          receivedAt: r.receivedAt.toISOString(),
          timesReceived: r.timesReceived,
          signNo: r.signNo,
          signNoKnown: r.signNoKnown,
          reply: r.reply,
        }
      : undefined;
  }
}
