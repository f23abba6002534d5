import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../clock';
import { uuidv7 } from '../ids';
import type { Principal } from '../auth/principal';
import { PiiCryptoService } from '../pii/pii-crypto.service';
import { AuditEntry, AuditOutcome, type ActorType } from './audit-entry.entity';
import { AuditRepository } from './audit.repository';

export interface AuditRecord {
  actor: Pick<Principal, 'type' | 'id'>;
  action: string;
  outcome: AuditOutcome;
  /** The person or object concerned, in clear: it is stored only as a keyed hash. */
  subject?: { value: string; domain: string };
  correlationId?: string;
  /** Non-personal details: codes, counts, ids. */
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  actorType?: ActorType;
  outcome?: AuditOutcome;
  /** Entries at or after this time (ISO 8601). */
  from?: string;
  /** Entries before this time (ISO 8601). */
  to?: string;
  subject?: { value: string; domain: string };
  /** Entries strictly older than this id (paging backwards). */
  before?: string;
  limit: number;
}

/**
 * The audit log: append and read, nothing else. There is deliberately no update or delete
 * method, and the database refuses both (see the Foundation migration).
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly entries: AuditRepository,
    private readonly pii: PiiCryptoService,
    private readonly clock: Clock,
  ) {}

  /** Appends one entry. Pass `manager` to write it in the caller's transaction. */
  async record(record: AuditRecord, manager?: EntityManager): Promise<AuditEntry> {
    return this.entries.append(this.entry(record), manager);
  }

  /** Appends several entries in one statement (a subject named by several is hashed once). */
  async recordAll(records: readonly AuditRecord[], manager?: EntityManager): Promise<AuditEntry[]> {
    const hashes = new Map<string, string>();
    const hashOf = (subject: { value: string; domain: string }): string => {
      const key = `${subject.domain}\u0000${subject.value}`;
      const known = hashes.get(key);
      if (known !== undefined) {
        return known;
      }
      const hash = this.pii.hash(subject.value, subject.domain);
      hashes.set(key, hash);
      return hash;
    };
    return this.entries.appendAll(
      records.map((r) => this.entry(r, hashOf)),
      manager,
    );
  }

  /**
   * The entry `record` makes, not written yet: for a repository that writes it inside its own
   * statement (AuditRepository.appendFrom), so that the entry commits with the change it records.
   */
  entry(
    record: AuditRecord,
    hashOf: (subject: { value: string; domain: string }) => string = (x) => this.pii.hash(x.value, x.domain),
  ): AuditEntry {
    return {
      id: uuidv7(),
      at: this.clock.now(),
      actorType: record.actor.type,
      actorId: record.actor.id,
      action: record.action,
      outcome: record.outcome,
      subjectHash: record.subject ? hashOf(record.subject) : null,
      correlationId: record.correlationId ?? null,
      details: record.details ?? null,
    };
  }

  /** Newest first. */
  async find(query: AuditQuery): Promise<AuditEntry[]> {
    return this.entries.find({
      action: query.action,
      actorId: query.actorId,
      actorType: query.actorType,
      outcome: query.outcome,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      // Audit rows are never rewritten: a subject is found under every lookup key still in the keyring.
      subjectHashes: query.subject ? this.pii.hashes(query.subject.value, query.subject.domain) : undefined,
      before: query.before,
      limit: query.limit,
    });
  }
}
