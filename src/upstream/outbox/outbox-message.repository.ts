import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { PiiCryptoService, PiiDecryptError, SqlDialect } from '../../platform';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';

/** How long a message whose body cannot be decrypted waits before it is tried again (after the keyring is mended). */
const UNREADABLE_RETRY_MS = 3_600_000;

/** What the list of messages can be narrowed by; newest first, `before` pages backwards by id. */
export interface OutboxListFilter {
  status?: OutboxStatus;
  infno?: string;
  subjectKey?: string;
  before?: string;
  limit: number;
}

/** The columns a capability's progress view reads (no bodies). */
export type MessageProgressRow = Pick<
  OutboxMessage,
  'id' | 'msgid' | 'status' | 'attempts' | 'lastError' | 'nextAttemptAt' | 'queryFirst'
>;

/** A message without its bodies (draft, envelope, reply): what a list shows. */
export type OutboxMessageSummary = Omit<OutboxMessage, 'draft' | 'envelope' | 'reply'>;

const SUMMARY_COLUMNS: readonly (keyof OutboxMessageSummary)[] = [
  'id',
  'msgid',
  'infno',
  'subjectKey',
  'status',
  'attempts',
  'nextAttemptAt',
  'claimedBy',
  'leaseUntil',
  'queryFirst',
  'infcode',
  'lastError',
  'createdAt',
  'updatedAt',
  'finishedAt',
  'cancelReason',
];

/** Changes to a message the dispatcher makes while it holds the claim. */
export type ClaimedChanges = QueryDeepPartialEntity<OutboxMessage>;

/** SQLite limits the number of bound parameters per statement: inserts go in chunks. */
const INSERT_CHUNK = 200;

/** The message bodies: personal data (ID numbers, names, diagnoses, money), stored encrypted. */
export type OutboxBody = 'draft' | 'envelope' | 'reply';

/** Each body's encryption context (authenticated additional data): a ciphertext moved to another column does not decrypt. */
export const OUTBOX_BODY_CONTEXTS: Readonly<Record<OutboxBody, string>> = {
  draft: 'outbox_message.draft',
  envelope: 'outbox_message.envelope',
  reply: 'outbox_message.reply',
};
const BODIES = Object.keys(OUTBOX_BODY_CONTEXTS) as OutboxBody[];

/**
 * The outbox's messages and their attempts: every read and write of `outbox_message` and
 * `outbox_attempt`. Methods that take a `manager` run in the caller's transaction; the others
 * use the pool (PostgreSQL) or the one gated connection (SQLite).
 *
 * The bodies (draft, envelope, reply) are encrypted here and nowhere else (PiiCryptoService,
 * OUTBOX_BODY_CONTEXTS): what is written is encrypted, what is read is decrypted, so callers see
 * plaintext entities. A stored value that is not a ciphertext (a row written before the bodies were
 * encrypted) is read as it is; the key rotation's re-encryption moves such rows (the upstream
 * feature's piiColumns). Decrypting gives the bytes encrypted, so a resend stays byte-identical.
 */
@Injectable()
export class OutboxMessageRepository {
  private readonly logger = new Logger('Outbox');
  constructor(
    private readonly dataSource: DataSource,
    private readonly pii: PiiCryptoService,
  ) {}

  private get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /** `changes` with its bodies encrypted (a copy: the caller's object keeps the plaintext). */
  private sealed<T extends Partial<Record<OutboxBody, unknown>>>(changes: T): T {
    const out: T = { ...changes };
    for (const body of BODIES) {
      const value = changes[body];
      if (typeof value === 'string') {
        (out as Record<OutboxBody, unknown>)[body] = this.pii.encrypt(value, OUTBOX_BODY_CONTEXTS[body]);
      }
    }
    return out;
  }

  /** Decrypts the bodies of rows just read, in place; a body that is not a ciphertext (written before encryption) stays. */
  private opened<T extends OutboxMessage | null>(row: T): T {
    if (row !== null) {
      for (const body of BODIES) {
        const value = row[body];
        if (typeof value === 'string' && this.pii.labelOf(value) !== undefined) {
          row[body] = this.pii.decrypt(value, OUTBOX_BODY_CONTEXTS[body]);
        }
      }
    }
    return row;
  }

  /** Inserts new messages in the caller's transaction and answers them as entities (plaintext bodies). */
  async add(manager: EntityManager, messages: readonly OutboxMessage[]): Promise<OutboxMessage[]> {
    const rows = messages.map((m) => manager.create(OutboxMessage, m));
    const stored = rows.map((r) => manager.create(OutboxMessage, this.sealed(r)));
    for (let i = 0; i < stored.length; i += INSERT_CHUNK) {
      await manager.insert(OutboxMessage, stored.slice(i, i + INSERT_CHUNK));
    }
    return rows;
  }

  /**
   * Takes up to `limit` due messages for `instanceId`. A message is due when it is pending or
   * unknown and its time has come, or when it is `sending` under a lease that ran out (its
   * instance died mid-send: it becomes a query-first message). A message waits while an earlier
   * message with the same subject key is unfinished.
   *
   * PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several instances claim side by side without
   * waiting on or double-taking each other's rows. SQLite: one process owns the file and the
   * statement runs in one write transaction.
   */
  async claimDue(instanceId: string, now: Date, leaseUntil: Date, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.dataSource.transaction(async (manager) => {
      const sql = SqlDialect.of(manager);
      const b = sql.binder();
      const statement = `
        UPDATE outbox_message SET
          query_first = CASE WHEN status IN ('unknown', 'sending') THEN ${sql.trueLiteral} ELSE query_first END,
          status = 'sending', claimed_by = ${b.bind(instanceId)}, lease_until = ${b.bind(leaseUntil)}, updated_at = ${b.bind(now)}
        WHERE id IN (
          SELECT m.id FROM outbox_message m
          WHERE ((m.status IN ('pending', 'unknown') AND m.next_attempt_at <= ${b.bind(now)})
                 OR (m.status = 'sending' AND m.lease_until < ${b.bind(now)}))
            AND NOT (m.subject_key IS NOT NULL AND EXISTS (
              SELECT 1 FROM outbox_message e
              WHERE e.subject_key = m.subject_key AND e.id < m.id
                AND e.status IN ('pending', 'unknown', 'sending')))
          ORDER BY m.next_attempt_at, m.id
          LIMIT ${b.bind(limit)}
          ${sql.forUpdateSkipLocked})
        RETURNING id`;
      return (await sql.run<{ id: string }>(manager, statement, b.params)).rows;
    });
    if (rows.length === 0) {
      return [];
    }
    const claimed = await this.reader.getRepository(OutboxMessage).findBy(rows.map((r) => ({ id: r.id })));
    const opened: OutboxMessage[] = [];
    for (const m of claimed.sort((a, b) => (a.id < b.id ? -1 : 1))) {
      try {
        opened.push(this.opened(m));
      } catch (e) {
        if (!(e instanceof PiiDecryptError)) {
          throw e;
        }
        await this.setAsideUnreadable(m, instanceId, now, e.message);
      }
    }
    return opened;
  }

  /**
   * A claimed message whose body cannot be decrypted (its key is not in the keyring, or the value was
   * altered) cannot be sent: it goes back to waiting, an hour later, with the reason as its last
   * error, so the other messages of the claim go on and `outbox list` / `outbox show` show it.
   */
  private async setAsideUnreadable(m: OutboxMessage, instanceId: string, now: Date, reason: string): Promise<void> {
    const lastError = `the message's body cannot be decrypted: ${reason}`.slice(0, 1000);
    await this.reader
      .createQueryBuilder()
      .update(OutboxMessage)
      .set({
        status: m.queryFirst ? 'unknown' : 'pending',
        claimedBy: null,
        leaseUntil: null,
        nextAttemptAt: new Date(now.getTime() + UNREADABLE_RETRY_MS),
        lastError,
        updatedAt: now,
      })
      .where('id = :id AND claimed_by = :instanceId', { id: m.id, instanceId })
      .execute();
    this.logger.error({ msgid: m.msgid }, `outbox: message ${m.msgid} set aside for an hour: ${lastError}`);
  }

  /**
   * SQLite belongs to one gateway process, so at start every `sending` row is an orphan of a
   * crashed run: it becomes unknown (ask before resending) at once. On PostgreSQL other
   * instances may be alive and sending; there the lease decides (see claimDue), and this answers 0.
   */
  async releaseOrphans(now: Date): Promise<number> {
    if (SqlDialect.of(this.dataSource).pg) {
      return 0;
    }
    const result = await this.reader
      .getRepository(OutboxMessage)
      .update(
        { status: 'sending' },
        { status: 'unknown', queryFirst: true, claimedBy: null, leaseUntil: null, nextAttemptAt: now, updatedAt: now },
      );
    return result.affected ?? 0;
  }

  /** Stores the signed envelope of a message `instanceId` holds (signed once, resent byte-identical). */
  async storeEnvelope(id: string, instanceId: string, envelope: string): Promise<void> {
    await this.reader.getRepository(OutboxMessage).update({ id, claimedBy: instanceId }, this.sealed({ envelope }));
  }

  /**
   * The final update, in the caller's transaction: takes effect only while `instanceId` still holds
   * the claim on a `sending` message. Answers whether it did (exactly one caller ever sees true).
   */
  async settle(manager: EntityManager, id: string, instanceId: string, changes: ClaimedChanges): Promise<boolean> {
    const result = await manager.update(
      OutboxMessage,
      { id, claimedBy: instanceId, status: 'sending' },
      this.sealed(changes),
    );
    return result.affected === 1;
  }

  /** Puts a claimed message back for a later try (claim-guarded like `settle`). */
  async reschedule(id: string, instanceId: string, changes: ClaimedChanges): Promise<void> {
    await this.reader
      .getRepository(OutboxMessage)
      .update({ id, claimedBy: instanceId, status: 'sending' }, this.sealed(changes));
  }

  async recordAttempt(attempt: QueryDeepPartialEntity<OutboxAttempt>): Promise<void> {
    await this.reader.getRepository(OutboxAttempt).insert(attempt);
  }

  /** By id, or by msgid (30 characters). */
  async findByIdOrMsgid(idOrMsgid: string): Promise<OutboxMessage | null> {
    return this.opened(
      await this.reader
        .getRepository(OutboxMessage)
        .findOne({ where: idOrMsgid.length === 30 ? { msgid: idOrMsgid } : { id: idOrMsgid } }),
    );
  }

  async attemptsOf(messageId: string): Promise<OutboxAttempt[]> {
    return this.reader
      .getRepository(OutboxAttempt)
      .find({ where: { messageId }, order: { startedAt: 'ASC', id: 'ASC' } });
  }

  async findByIds(ids: readonly string[]): Promise<OutboxMessage[]> {
    const rows = await this.reader.getRepository(OutboxMessage).find({ where: { id: In([...ids]) } });
    return rows.map((m) => this.opened(m));
  }

  /** Newest first; `before` pages backwards by id. The bodies are not read (a list shows none). */
  async list(filter: OutboxListFilter): Promise<OutboxMessageSummary[]> {
    const qb = this.reader
      .getRepository(OutboxMessage)
      .createQueryBuilder('m')
      .select(SUMMARY_COLUMNS.map((c) => `m.${c}`))
      .orderBy('m.id', 'DESC')
      .take(filter.limit);
    if (filter.status) {
      qb.andWhere('m.status = :status', { status: filter.status });
    }
    if (filter.infno) {
      qb.andWhere('m.infno = :infno', { infno: filter.infno });
    }
    if (filter.subjectKey) {
      qb.andWhere('m.subject_key = :subjectKey', { subjectKey: filter.subjectKey });
    }
    if (filter.before) {
      qb.andWhere('m.id < :before', { before: filter.before });
    }
    return qb.getMany();
  }

  async progressOf(ids: readonly string[]): Promise<MessageProgressRow[]> {
    return this.reader.getRepository(OutboxMessage).find({
      where: { id: In([...ids]) },
      select: {
        id: true,
        msgid: true,
        status: true,
        attempts: true,
        lastError: true,
        nextAttemptAt: true,
        queryFirst: true,
      },
    });
  }

  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    const rows = await this.reader
      .getRepository(OutboxMessage)
      .createQueryBuilder('m')
      .select('m.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('m.status')
      .getRawMany<{ status: OutboxStatus; n: string | number }>();
    const counts = { pending: 0, unknown: 0, sending: 0, delivered: 0, rejected: 0, cancelled: 0 };
    for (const r of rows) {
      counts[r.status] = Number(r.n);
    }
    return counts;
  }

  /** Cancels a message only while it is still pending, in the caller's transaction. Answers whether it did. */
  async cancelPending(manager: EntityManager, id: string, reason: string, now: Date): Promise<boolean> {
    const result = await manager.update(
      OutboxMessage,
      { id, status: 'pending' },
      { status: 'cancelled', cancelReason: reason, finishedAt: now, updatedAt: now },
    );
    return result.affected === 1;
  }

  /**
   * Empties draft, envelope and reply of messages delivered before `cutoff`, except those of
   * `keepInfnos` (business records). Answers how many.
   */
  async pruneDeliveredBodies(cutoff: Date, keepInfnos: readonly string[]): Promise<number> {
    const query = this.reader
      .createQueryBuilder()
      .update(OutboxMessage)
      .set({ draft: null, envelope: null, reply: null })
      .where('status = :status', { status: 'delivered' })
      .andWhere('finished_at < :cutoff', { cutoff });
    if (keepInfnos.length > 0) {
      query.andWhere('infno NOT IN (:...keep)', { keep: [...keepInfnos] });
    }
    const result = await query.andWhere('(draft IS NOT NULL OR envelope IS NOT NULL OR reply IS NOT NULL)').execute();
    return result.affected ?? 0;
  }

  /** Messages of `infnos` in `statuses` created in [from, to), oldest first (the month-end export). */
  async findCreatedBetween(
    infnos: readonly string[],
    statuses: readonly OutboxStatus[],
    from: Date,
    to: Date,
  ): Promise<OutboxMessage[]> {
    const rows = await this.reader.getRepository(OutboxMessage).find({
      where: { infno: In([...infnos]), status: In([...statuses]) },
      order: { id: 'ASC' },
    });
    return rows.filter((r) => r.createdAt >= from && r.createdAt < to).map((m) => this.opened(m));
  }
}
