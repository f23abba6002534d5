import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeviceEvents } from '../devices/device-events';
import {
  type AuditRecord,
  AuditService,
  Clock,
  GatewayConfig,
  PiiCryptoService,
  type Principal,
  systemPrincipal,
  Transactions,
} from '../platform';
import type { IdentitySession } from './identity-session.entity';
import { IdentitySessionRepository } from './identity-session.repository';
import type { SessionDto } from './identity.dto';
import { toSessionDto, toVerdictEvent } from './identity.mapper';
import { InsurerLookupService } from './insurer-lookup.service';
import { personKey, personSubject } from './person-key';
import type { SessionEvidence } from './rules/evidence';
import { evaluate, type Verdict } from './rules/verdict';
import { SessionEvidenceCipher, type StoredEvidence } from './session-evidence';
import { VerificationTokenService } from './verification-token.service';

/**
 * Who changed a session, and the audit action the change is recorded under (with its details). The
 * principal alone (no action) is the actor of the verdict entry; neither (a plain read): the gateway.
 */
export interface SessionChange {
  principal?: Principal;
  action?: string;
  details?: Record<string, unknown>;
}

/**
 * A session's verdict: the insurer asked when the evidence calls for it, the pure rules evaluated,
 * a token issued with a MATCH, the session stored with its audit entries in one transaction, and a
 * changed verdict pushed to the desk. Callers hold the session's lock (SessionLocks).
 */
@Injectable()
export class SessionVerdictService {
  constructor(
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly pii: PiiCryptoService,
    private readonly insurer: InsurerLookupService,
    private readonly tokens: VerificationTokenService,
    private readonly cipher: SessionEvidenceCipher,
    private readonly sessions: IdentitySessionRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    @Inject(DeviceEvents) private readonly events: DeviceEvents,
  ) {}

  /** New evidence: asks the insurer if the person or card asked about changed, then evaluates and stores. */
  async refreshAndSave(row: IdentitySession, stored: StoredEvidence, by: SessionChange): Promise<SessionDto> {
    const refreshed = await this.insurer.refresh(stored, false);
    return this.evaluateAndSave(row, refreshed, by);
  }

  /**
   * Evaluates the evidence and stores the outcome. With `write: 'if-changed'` (a plain read) nothing
   * is written when the verdict, token and evidence stay as stored.
   */
  async evaluateAndSave(
    row: IdentitySession,
    stored: StoredEvidence,
    by: SessionChange,
    write: 'always' | 'if-changed' = 'always',
  ): Promise<SessionDto> {
    const now = this.clock.now();
    const evidence = withoutUnneededCache(stored.evidence);
    const verdict = evaluate(evidence, {
      hospitalCode: this.config.hospital.fixmedinsCode,
      visitKind: row.visitKind,
      now,
      maxCoverageCacheAgeMs: this.config.identity.maxCoverageCacheAgeMs,
    });
    const before = {
      verdict: row.verdict,
      result: row.result,
      offline: row.offline,
      coverage: row.coverage,
      token: row.token,
      subjectKey: row.subjectKey,
    };
    this.applyVerdict(row, verdict, evidence, now);
    const changed =
      before.verdict !== row.verdict ||
      before.result !== row.result ||
      before.offline !== row.offline ||
      before.coverage !== row.coverage;
    if (
      write === 'if-changed' &&
      !changed &&
      before.token === row.token &&
      before.subjectKey === row.subjectKey &&
      evidence === stored.evidence
    ) {
      return toSessionDto(row);
    }
    row.evidence = this.cipher.seal({ ...stored, evidence });
    row.updatedAt = now;
    await this.transactions.run(async (m) => {
      await this.sessions.save(row, m);
      await this.recordAudit(row, verdict, by, changed, m);
    });
    const session = toSessionDto(row);
    if (changed) {
      this.events.publishVerdict(toVerdictEvent(session));
    }
    return session;
  }

  /** The verdict onto the row; a new token for a new MATCH, and for a session that still matches once its token ran out. */
  private applyVerdict(row: IdentitySession, verdict: Verdict, evidence: SessionEvidence, now: Date): void {
    const subjectKey = verdict.subject ? personKey(this.pii, verdict.subject.idNumber) : null;
    if (verdict.verdict === 'MATCH' && verdict.subject && row.visitId !== null && subjectKey !== null) {
      const tokenExpired = row.tokenExpiresAt !== null && new Date(row.tokenExpiresAt).getTime() <= now.getTime();
      if (row.token === null || row.subjectKey !== subjectKey || row.verdict !== 'MATCH' || tokenExpired) {
        const issued = this.tokens.issue(
          { subjectKey, visitId: row.visitId, sessionId: row.id, verdictAt: verdict.evaluatedAt },
          now,
        );
        row.token = issued.token;
        row.tokenExpiresAt = issued.expiresAt;
      }
    } else {
      row.token = null;
      row.tokenExpiresAt = null;
    }
    row.subjectKey = subjectKey;
    row.verdict = verdict.verdict;
    row.offline = verdict.offline;
    row.coverage = verdict.coverage;
    row.result = JSON.stringify({ checks: verdict.checks, missing: verdict.missing, sources: Object.keys(evidence) });
  }

  /** The caller's action (when there is one) and a changed verdict, in the session's transaction. */
  private async recordAudit(
    row: IdentitySession,
    verdict: Verdict,
    by: SessionChange,
    changed: boolean,
    m: EntityManager,
  ): Promise<void> {
    const subject = verdict.subject ? { subject: personSubject(verdict.subject.idNumber) } : {};
    const records: AuditRecord[] = [];
    if (by.action !== undefined && by.principal !== undefined) {
      records.push({
        actor: by.principal,
        action: by.action,
        outcome: 'success',
        ...subject,
        details: { ...by.details, sessionId: row.id, desk: row.desk, visitId: row.visitId },
      });
    }
    if (changed) {
      records.push({
        actor: by.principal ?? systemPrincipal('identity'),
        action: 'identity.verdict',
        outcome: 'success',
        ...subject,
        details: {
          sessionId: row.id,
          desk: row.desk,
          visitId: row.visitId,
          verdict: verdict.verdict,
          offline: verdict.offline,
          coverage: verdict.coverage,
          failed: verdict.checks.filter((c) => !c.passed).map((c) => c.code),
        },
      });
    }
    // One statement for both entries (the caller's action first, then the verdict).
    await this.audit.recordAll(records, m);
  }
}

/** A coverage cache is only for while the insurer is away. */
function withoutUnneededCache(evidence: SessionEvidence): SessionEvidence {
  if (evidence.insurer?.kind !== 'unreachable' && evidence.coverageCache) {
    const { coverageCache: _dropped, ...rest } = evidence;
    return rest;
  }
  return evidence;
}
