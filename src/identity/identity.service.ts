import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import type { IdCardIdentity } from '../../drivers/protocols/id-card-text';
import type { SsseCardRead } from '../../drivers/protocols/ssse-card-types';
import { DeviceEvent, DeviceEvents } from '../devices/device-events';
import { AuditService } from '../platform/audit/audit.service';
import type { Principal } from '../platform/auth/principal';
import { Clock } from '../platform/clock';
import { GatewayConfig } from '../platform/config/gateway-config';
import { NotFoundError } from '../platform/errors/domain-error';
import { uuidv7 } from '../platform/ids';
import { PiiCryptoService } from '../platform/pii/pii-crypto.service';
import { LinkMonitor } from '../upstream/link-monitor';
import { INFNO } from '../upstream/protocol/transactions';
import { UpstreamCalls } from '../upstream/upstream-calls';
import { UpstreamRejectedError } from '../upstream/upstream.errors';
import { SessionClosedError, VerificationTokenError } from './identity-errors';
import { refusalReason, reviveDates } from './insurer-answers';
import { CoverageCacheEntry, IdentitySession } from './identity-session.entity';
import type { CheckResult } from './rules/checks';
import {
  addEvidence,
  type EvidenceBySource,
  type EvidenceSource,
  type InsurerEvidence,
  type InsurerPersonAnswer,
  type QrDecodeAnswer,
  type QrEvidence,
  type SessionEvidence,
} from './rules/evidence';
import { normalizedIdNumber } from './rules/normalize';
import { issueToken, type TokenExpectation, type VerifiedToken, verifyToken } from './rules/token';
import { evaluate, type MissingItem, type Verdict } from './rules/verdict';

export type VisitKind = 'outpatient' | 'inpatient';
const EVIDENCE_CONTEXT = 'identity_session.evidence';
const CACHE_CONTEXT = 'identity_coverage_cache.answer';
const SUBJECT_DOMAIN = 'person.idNumber';
const TOKEN_SECRET_LABEL = 'gateway verification-token secret v1';

/** What is stored (encrypted) per session: the evidence, the QR text to decode again, and what 1101 was asked. */
interface StoredEvidence {
  evidence: SessionEvidence;
  qrText?: string;
  insurerAsked?: string;
}

export interface SessionView {
  id: string;
  desk: string;
  visitId: string | null;
  visitKind: VisitKind;
  verdict: Verdict['verdict'];
  offline: boolean;
  coverage: Verdict['coverage'];
  checks: readonly CheckResult[];
  missing: readonly MissingItem[];
  sources: EvidenceSource[];
  token: string | null;
  tokenExpiresAt: string | null;
  updatedAt: string;
}

/** The worker's category and injury determination as the insurer reported them (1101). */
export interface WorkerInjury {
  psnType: string | null;
  injuryStatus: string;
  determinationNo: string | null;
  determinationDate: string | null;
  injuryDate: string | null;
  injuredParts: readonly string[];
  occupationalDisease: string | null;
  disabilityGrade: number | null;
}

export interface DoctorView extends WorkerInjury {
  name: string | null;
  sessionId: string;
  visitId: string;
  psnNo: string;
  category: 'injury' | 'occupational-disease';
  coverageSource: 'insurer' | 'coverageCache';
}

/** The verified worker as forms need it (IdentityService.workerForForms); insurer data only. */
export interface FormsWorker extends WorkerInjury {
  visitId: string;
  psnNo: string;
  name: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  gend: string;
  birthDate: string;
  idNumber: string;
}

/**
 * Person–card–code verification sessions (人、卡、码相符): evidence from HIS, the desk's devices and
 * staff, the insurer's answers (1101, 1161), the verdict of the pure rules and, with MATCH, a
 * signed short-lived token bound to person, hospital and visit.
 */
@Injectable()
export class IdentityService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdentityService.name);
  private readonly tokenSecret: Buffer;
  /** One change at a time per session (evidence may arrive from several devices at once). */
  private readonly locks = new Map<string, Promise<unknown>>();
  private recheckTimer: NodeJS.Timeout | undefined;
  private readonly onDeviceEvent = (event: DeviceEvent): void => {
    this.handleDeviceEvent(event).catch((e: unknown) => this.logger.error({ err: e }, `identity: device event of desk ${event.desk} failed`));
  };
  private readonly onMode = (change: { mode: string }): void => {
    if (change.mode === 'normal') {
      this.recheckOffline().catch((e: unknown) => this.logger.error({ err: e }, 'identity: re-check after recovery failed'));
    }
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly pii: PiiCryptoService,
    private readonly audit: AuditService,
    private readonly calls: UpstreamCalls,
    private readonly monitor: LinkMonitor,
    @Inject(DeviceEvents) private readonly events: DeviceEvents,
  ) {
    // Derived from the keyring's HMAC key: never a constant, the same on every instance sharing the keyring.
    this.tokenSecret = Buffer.from(pii.hash(TOKEN_SECRET_LABEL, 'identity.token-secret'), 'hex');
  }

  onApplicationBootstrap(): void {
    this.events.on('event', this.onDeviceEvent);
    this.monitor.on('mode', this.onMode);
    const interval = this.config.upstream.emergency.probeIntervalMs;
    this.recheckTimer = setInterval(() => {
      this.recheckOffline().catch((e: unknown) => this.logger.error({ err: e }, 'identity: periodic re-check failed'));
    }, interval);
    this.recheckTimer.unref();
  }

  onApplicationShutdown(): void {
    this.events.off('event', this.onDeviceEvent);
    this.monitor.off('mode', this.onMode);
    clearInterval(this.recheckTimer);
  }

  subjectKey(idNumber: string): string {
    const id = normalizedIdNumber(idNumber);
    return this.pii.hash(id.valid ? id.value : idNumber, SUBJECT_DOMAIN);
  }

  // ---- sessions -----------------------------------------------------------------------------------

  async create(
    principal: Principal,
    input: { desk: string; visitId: string; visitKind: VisitKind; hisIdentity?: { idNumber: string; name: string } },
  ): Promise<SessionView> {
    // One desk's session bookkeeping at a time: a device event and HIS must not open two sessions at once.
    return this.withLock(`desk:${input.desk}`, () => this.createAtDesk(principal, input));
  }

  private async createAtDesk(
    principal: Principal,
    input: { desk: string; visitId: string; visitKind: VisitKind; hisIdentity?: { idNumber: string; name: string } },
  ): Promise<SessionView> {
    const now = this.clock.now();
    // A session a device event opened at this desk a moment ago is this visit's: HIS adopts it.
    const waiting = await this.dataSource.getRepository(IdentitySession).findOne({
      where: { desk: input.desk, visitId: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
    });
    const id = waiting?.id ?? uuidv7();
    return this.withLock(id, async () => {
      const row = waiting ?? this.newRow(id, input.desk, principal, now);
      row.visitId = input.visitId;
      row.visitKind = input.visitKind;
      let stored = waiting ? this.readEvidence(row) : { evidence: {} };
      if (input.hisIdentity) {
        stored = { ...stored, evidence: addEvidence(stored.evidence, 'his', { ...input.hisIdentity, at: now }) };
      }
      return this.refreshAndSave(row, stored, principal, 'identity.session.create');
    });
  }

  async get(id: string): Promise<SessionView> {
    return this.withLock(id, async () => {
      const row = await this.load(id);
      // Time decides validity (QR expiry, cache age): evaluate again on every read.
      return this.evaluateAndSave(row, this.readEvidence(row), undefined, undefined, {}, 'if-changed');
    });
  }

  async addQr(id: string, text: string, principal: Principal): Promise<SessionView> {
    return this.withLock(id, async () => {
      const row = await this.openRow(id);
      return this.acceptQr(row, this.readEvidence(row), text, principal);
    });
  }

  async addStaffConfirmation(id: string, staff: { staffId: string; staffName: string }, principal: Principal): Promise<SessionView> {
    return this.withLock(id, async () => {
      const row = await this.openRow(id);
      const stored = this.readEvidence(row);
      const evidence = addEvidence(stored.evidence, 'staff', { ...staff, at: this.clock.now() });
      return this.refreshAndSave(row, { ...stored, evidence }, principal, 'identity.staff-confirmation');
    });
  }

  // ---- tokens and the doctor view ------------------------------------------------------------------

  /** Checks a verification token (settlement, the doctor view). Throws VerificationTokenError. */
  checkToken(token: string | undefined, expected: Partial<TokenExpectation> & { idNumber?: string } = {}): VerifiedToken {
    if (token === undefined || token.length === 0) {
      throw new VerificationTokenError('TOKEN_MISSING', '缺少人卡码核验凭证（x-verification-token）：请先完成人、卡、码核验');
    }
    const { idNumber, ...rest } = expected;
    const result = verifyToken(
      token,
      this.tokenSecret,
      { hospitalCode: this.config.hospital.fixmedinsCode, ...rest, ...(idNumber !== undefined ? { subjectKey: this.subjectKey(idNumber) } : {}) },
      this.clock.now(),
    );
    if (!result.ok) {
      throw new VerificationTokenError(result.code, result.message);
    }
    return result.claims;
  }

  async doctorView(token: string | undefined, principal: Principal): Promise<DoctorView> {
    const { claims, row, record } = await this.verifiedRecord(token, principal, 'identity.doctor-view');
    const { answer } = record;
    return {
      name: answer.baseinfo.psn_name,
      sessionId: row.id,
      visitId: claims.visitId,
      psnNo: answer.baseinfo.psn_no,
      ...workerInjury(answer),
      category: answer.injury.occupational_disease ? 'occupational-disease' : 'injury',
      coverageSource: record.source,
    };
  }

  /**
   * The verified worker for filling a form (forms): the doctor view plus the person's name, sex,
   * birth date and ID number from the insurer's answer. Audited like the doctor view.
   */
  async workerForForms(token: string | undefined, visitId: string, principal: Principal): Promise<FormsWorker> {
    // The token must be for the form's visit: a form is never filled with another visit's worker.
    const { claims, record } = await this.verifiedRecord(token, principal, 'identity.forms-worker', { visitId });
    const { baseinfo } = record.answer;
    return {
      visitId: claims.visitId,
      psnNo: baseinfo.psn_no,
      name: baseinfo.psn_name,
      gend: baseinfo.gend,
      birthDate: baseinfo.brdy,
      idNumber: baseinfo.certno,
      ...workerInjury(record.answer),
    };
  }

  private async verifiedRecord(
    token: string | undefined,
    principal: Principal,
    action: string,
    expected: Partial<TokenExpectation> = {},
  ): Promise<{ claims: VerifiedToken; row: IdentitySession; record: { answer: InsurerPersonAnswer; source: 'insurer' | 'coverageCache' } }> {
    let claims: VerifiedToken;
    try {
      claims = this.checkToken(token, expected);
    } catch (e) {
      await this.audit.record({ actor: principal, action, outcome: 'denied', details: { code: (e as VerificationTokenError).code } });
      throw e;
    }
    const row = await this.dataSource.getRepository(IdentitySession).findOneBy({ id: claims.sessionId });
    const stored = row ? this.readEvidence(row) : undefined;
    const insurer = stored?.evidence.insurer;
    const record: { answer: InsurerPersonAnswer; source: 'insurer' | 'coverageCache' } | undefined =
      insurer?.kind === 'answer' ? { answer: insurer.answer, source: 'insurer' } : stored?.evidence.coverageCache ? { answer: stored.evidence.coverageCache.answer, source: 'coverageCache' } : undefined;
    if (!row || row.subjectKey !== claims.subjectKey || !record || this.subjectKey(record.answer.baseinfo.certno) !== claims.subjectKey) {
      throw new VerificationTokenError('TOKEN_SESSION_GONE', '人卡码核验凭证对应的核验记录不存在或已变更：请重新核验人、卡、码');
    }
    await this.audit.record({
      actor: principal,
      action,
      outcome: 'success',
      subject: { value: record.answer.baseinfo.certno, domain: SUBJECT_DOMAIN },
      details: { sessionId: row.id },
    });
    return { claims, row, record };
  }

  // ---- device events -------------------------------------------------------------------------------

  private async handleDeviceEvent(event: DeviceEvent): Promise<void> {
    let apply: ((stored: StoredEvidence, row: IdentitySession, actor: Principal) => Promise<SessionView>) | undefined;
    const actor: Principal = { type: 'system', id: `device:${event.deviceId}`, name: event.deviceId, scopes: [] };
    if (event.type === 'ssse-card') {
      const read: SsseCardRead = event.read.result;
      const at = event.read.at;
      const details = { deviceId: event.deviceId, result: read.kind, ...(read.kind === 'authentication-required' ? { reason: read.reason.code } : {}) };
      apply = (stored, row, a) => this.refreshAndSave(row, { ...stored, evidence: addEvidence(stored.evidence, 'card', { read, at }) }, a, 'identity.card-read', details);
    } else if (event.type === 'id-card') {
      const identity: IdCardIdentity = event.read.identity;
      const at = event.read.at;
      apply = (stored, row, a) => this.refreshAndSave(row, { ...stored, evidence: addEvidence(stored.evidence, 'idCard', { identity, at }) }, a, 'identity.id-card-read', { deviceId: event.deviceId });
    } else if (event.type === 'scan' && event.scan.classification.kind === 'qr-token') {
      const text = event.scan.classification.token;
      apply = (stored, row, a) => this.acceptQr(row, stored, text, a);
    }
    if (!apply) {
      return;
    }
    const run = apply;
    await this.withLock(`desk:${event.desk}`, () => this.applyAtDesk(event, actor, run));
  }

  private async applyAtDesk(
    event: DeviceEvent,
    actor: Principal,
    run: (stored: StoredEvidence, row: IdentitySession, actor: Principal) => Promise<SessionView>,
  ): Promise<void> {
    const now = this.clock.now();
    const latest = await this.dataSource.getRepository(IdentitySession).findOne({ where: { desk: event.desk, expiresAt: MoreThan(now) }, order: { createdAt: 'DESC' } });
    const named = event.type === 'ssse-card' && event.read.result.kind === 'complete' ? event.read.result.card.ssn : event.type === 'id-card' ? event.read.identity.idNumber : undefined;
    // The desk's latest session takes the read while it is still being resolved, or when the read names its person;
    // after a final verdict, a read of somebody else starts the next patient's session (HIS adopts it).
    const open = latest && (latest.verdict === 'INCOMPLETE' || latest.verdict === 'MISMATCH' || (named !== undefined && latest.subjectKey === this.subjectKey(named))) ? latest : undefined;
    const id = open?.id ?? uuidv7();
    await this.withLock(id, async () => {
      const row = open ? await this.load(id) : this.newRow(id, event.desk, actor, now);
      return run(open ? this.readEvidence(row) : { evidence: {} }, row, actor);
    });
  }

  // ---- the insurer ---------------------------------------------------------------------------------

  private async acceptQr(row: IdentitySession, stored: StoredEvidence, text: string, principal: Principal): Promise<SessionView> {
    const qr = await this.decodeQr(text, row, principal);
    return this.refreshAndSave(row, { ...stored, qrText: text, evidence: addEvidence(stored.evidence, 'qr', qr) }, principal, undefined);
  }

  /** 1161, audited whatever the outcome. A QR code is never parsed locally. */
  private async decodeQr(text: string, row: IdentitySession, principal: Principal): Promise<QrEvidence> {
    const at = this.clock.now();
    let qr: QrEvidence;
    try {
      const { output } = await this.calls.call<QrDecodeAnswer>(INFNO.qrDecode, { qr_token: text });
      qr = { kind: 'decoded', answer: output, at };
    } catch (e) {
      if (e instanceof UpstreamRejectedError) {
        qr = { kind: 'refused', reason: /过期/.test(e.insurerMessage) ? 'expired' : 'invalid', at };
      } else {
        this.logger.warn(`identity: QR decode not possible (${(e as Error).name})`);
        qr = { kind: 'unreachable', at };
      }
    }
    await this.audit.record({
      actor: principal,
      action: 'identity.qr-decode',
      outcome: qr.kind === 'decoded' ? 'success' : 'failure',
      ...(qr.kind === 'decoded' ? { subject: { value: qr.answer.certno, domain: SUBJECT_DOMAIN } } : {}),
      details: { sessionId: row.id, desk: row.desk, result: qr.kind === 'refused' ? `refused:${qr.reason}` : qr.kind },
    });
    return qr;
  }

  /** The person the evidence names, for the 1101 query: certno from the first source that has one, card_sn from the card. */
  private queryKeys(evidence: SessionEvidence): { certno?: string; card_sn?: string } {
    const { card, qr, idCard, his } = evidence;
    const certno =
      (card?.read.kind === 'complete' ? card.read.card.ssn : undefined) ??
      (qr?.kind === 'decoded' ? qr.answer.certno : undefined) ??
      idCard?.identity.idNumber ??
      his?.idNumber;
    const id = certno === undefined ? undefined : normalizedIdNumber(certno);
    return {
      ...(id?.valid ? { certno: id.value } : {}),
      ...(card ? { card_sn: card.read.card.cardSn } : {}),
    };
  }

  /** Asks 1101 when the person or card asked about changed, or the last answer was "unreachable". */
  private async refreshInsurer(stored: StoredEvidence, force: boolean): Promise<StoredEvidence> {
    const keys = this.queryKeys(stored.evidence);
    if (keys.certno === undefined && keys.card_sn === undefined) {
      return stored;
    }
    const asked = JSON.stringify(keys);
    if (!force && stored.insurerAsked === asked && stored.evidence.insurer?.kind !== 'unreachable') {
      return stored;
    }
    const at = this.clock.now();
    let insurer: InsurerEvidence;
    let evidence = stored.evidence;
    try {
      const { output } = await this.calls.call<InsurerPersonAnswer>(INFNO.personQuery, keys);
      insurer = { kind: 'answer', answer: output, at };
      await this.writeCache(output, at);
    } catch (e) {
      if (e instanceof UpstreamRejectedError) {
        insurer = { kind: 'refused', reason: refusalReason(e.insurerMessage), at };
      } else {
        this.logger.warn(`identity: person query not possible (${(e as Error).name})`);
        insurer = { kind: 'unreachable', at };
        const cached = keys.certno ? await this.readCache(keys.certno) : undefined;
        if (cached) {
          evidence = addEvidence(evidence, 'coverageCache', cached);
        }
      }
    }
    return { ...stored, insurerAsked: asked, evidence: addEvidence(evidence, 'insurer', insurer) };
  }

  private async writeCache(answer: InsurerPersonAnswer, fetchedAt: Date): Promise<void> {
    const subjectKey = this.subjectKey(answer.baseinfo.certno);
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(CoverageCacheEntry).save({ subjectKey, answer: this.pii.encrypt(JSON.stringify(answer), CACHE_CONTEXT), fetchedAt });
    });
  }

  private async readCache(certno: string): Promise<EvidenceBySource['coverageCache'] | undefined> {
    const row = await this.dataSource.getRepository(CoverageCacheEntry).findOneBy({ subjectKey: this.subjectKey(certno) });
    return row ? { answer: JSON.parse(this.pii.decrypt(row.answer, CACHE_CONTEXT)) as InsurerPersonAnswer, fetchedAt: new Date(row.fetchedAt) } : undefined;
  }

  /** Sessions decided offline (or whose QR could not be decoded) are asked again once the insurer answers. */
  async recheckOffline(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.dataSource
      .getRepository(IdentitySession)
      .find({ where: { offline: true, expiresAt: MoreThan(now) }, select: { id: true }, order: { updatedAt: 'ASC' } });
    for (const { id } of rows) {
      const stillOffline = await this.withLock(id, async () => {
        const row = await this.load(id);
        if (!row.offline) {
          return false;
        }
        let stored = this.readEvidence(row);
        const system: Principal = { type: 'system', id: 'identity-recheck', name: 'identity re-check', scopes: [] };
        if (stored.evidence.qr?.kind === 'unreachable' && stored.qrText !== undefined) {
          stored = { ...stored, evidence: addEvidence(stored.evidence, 'qr', await this.decodeQr(stored.qrText, row, system)) };
        }
        stored = await this.refreshInsurer(stored, true);
        return (await this.evaluateAndSave(row, stored, system, 'identity.recheck')).offline;
      });
      // The insurer is still away: one probe per round is enough, the others wait for the next.
      if (stillOffline) {
        return;
      }
    }
  }

  // ---- evaluation and storage ----------------------------------------------------------------------

  private async refreshAndSave(row: IdentitySession, stored: StoredEvidence, principal: Principal, action: string | undefined, actionDetails: Record<string, unknown> = {}): Promise<SessionView> {
    const refreshed = await this.refreshInsurer(stored, false);
    return this.evaluateAndSave(row, refreshed, principal, action, actionDetails);
  }

  private async evaluateAndSave(
    row: IdentitySession,
    stored: StoredEvidence,
    principal: Principal | undefined,
    action: string | undefined,
    actionDetails: Record<string, unknown> = {},
    /** 'if-changed' for a plain read: nothing is written when the verdict, token and evidence stay as stored. */
    write: 'always' | 'if-changed' = 'always',
  ): Promise<SessionView> {
    const now = this.clock.now();
    let evidence = stored.evidence;
    // A cache is only for while the insurer is away.
    if (evidence.insurer?.kind !== 'unreachable' && evidence.coverageCache) {
      const { coverageCache: _dropped, ...rest } = evidence;
      evidence = rest;
    }
    const verdict = evaluate(evidence, { hospitalCode: this.config.hospital.fixmedinsCode, visitKind: row.visitKind, now, maxCoverageCacheAgeMs: this.config.identity.maxCoverageCacheAgeMs });
    const before = { verdict: row.verdict, result: row.result, offline: row.offline, coverage: row.coverage, token: row.token, subjectKey: row.subjectKey };
    const subjectKey = verdict.subject ? this.subjectKey(verdict.subject.idNumber) : null;
    if (verdict.verdict === 'MATCH' && verdict.subject && row.visitId !== null && subjectKey !== null) {
      // A new token for a new MATCH, and for a session that still matches once its token ran out.
      const tokenExpired = row.tokenExpiresAt !== null && new Date(row.tokenExpiresAt).getTime() <= now.getTime();
      if (row.token === null || row.subjectKey !== subjectKey || row.verdict !== 'MATCH' || tokenExpired) {
        row.token = issueToken({ subjectKey, hospitalCode: this.config.hospital.fixmedinsCode, visitId: row.visitId, sessionId: row.id, verdictAt: verdict.evaluatedAt }, this.tokenSecret, now, this.config.identity.tokenTtlMs);
        row.tokenExpiresAt = new Date(now.getTime() + this.config.identity.tokenTtlMs);
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
    const changed = before.verdict !== row.verdict || before.result !== row.result || before.offline !== row.offline || before.coverage !== row.coverage;
    if (write === 'if-changed' && !changed && before.token === row.token && before.subjectKey === row.subjectKey && evidence === stored.evidence) {
      return this.view(row);
    }
    row.evidence = this.pii.encrypt(JSON.stringify({ ...stored, evidence }), EVIDENCE_CONTEXT);
    row.updatedAt = now;
    await this.dataSource.transaction(async (m: EntityManager) => {
      await m.getRepository(IdentitySession).save(row);
      if (action !== undefined && principal !== undefined) {
        await this.audit.record(
          {
            actor: principal,
            action,
            outcome: 'success',
            ...(verdict.subject ? { subject: { value: verdict.subject.idNumber, domain: SUBJECT_DOMAIN } } : {}),
            details: { ...actionDetails, sessionId: row.id, desk: row.desk, visitId: row.visitId },
          },
          m,
        );
      }
      if (changed) {
        await this.audit.record(
          {
            actor: principal ?? { type: 'system', id: 'identity' },
            action: 'identity.verdict',
            outcome: 'success',
            ...(verdict.subject ? { subject: { value: verdict.subject.idNumber, domain: SUBJECT_DOMAIN } } : {}),
            details: {
              sessionId: row.id,
              desk: row.desk,
              visitId: row.visitId,
              verdict: verdict.verdict,
              offline: verdict.offline,
              coverage: verdict.coverage,
              failed: verdict.checks.filter((c) => !c.passed).map((c) => c.code),
            },
          },
          m,
        );
      }
    });
    const view = this.view(row);
    if (changed) {
      // Pushed to the desk's WebSocket (identity scope) with the device events.
      this.events.publishVerdict({
        type: 'verdict',
        deviceId: 'identity',
        desk: view.desk,
        verdict: {
          sessionId: view.id,
          visitId: view.visitId,
          verdict: view.verdict,
          offline: view.offline,
          coverage: view.coverage,
          checks: view.checks.map((c) => ({ code: c.code, passed: c.passed, message: c.message })),
          missing: view.missing,
          token: view.token,
          tokenExpiresAt: view.tokenExpiresAt,
          at: new Date(view.updatedAt),
        },
      });
    }
    return view;
  }

  private view(row: IdentitySession): SessionView {
    const result = JSON.parse(row.result) as { checks: CheckResult[]; missing: MissingItem[]; sources: EvidenceSource[] };
    return {
      id: row.id,
      desk: row.desk,
      visitId: row.visitId,
      visitKind: row.visitKind,
      verdict: row.verdict as Verdict['verdict'],
      offline: row.offline,
      coverage: row.coverage as Verdict['coverage'],
      checks: result.checks,
      missing: result.missing,
      sources: result.sources,
      token: row.token,
      tokenExpiresAt: row.tokenExpiresAt ? new Date(row.tokenExpiresAt).toISOString() : null,
      updatedAt: new Date(row.updatedAt).toISOString(),
    };
  }

  private newRow(id: string, desk: string, principal: Pick<Principal, 'type' | 'id'>, now: Date): IdentitySession {
    const row = new IdentitySession();
    Object.assign(row, {
      id,
      desk,
      visitId: null,
      visitKind: 'outpatient',
      subjectKey: null,
      evidence: '',
      verdict: 'INCOMPLETE',
      offline: false,
      coverage: 'pending',
      result: '',
      token: null,
      tokenExpiresAt: null,
      createdBy: `${principal.type}:${principal.id}`,
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + this.config.identity.sessionTtlMs),
    });
    return row;
  }

  private readEvidence(row: IdentitySession): StoredEvidence {
    return row.evidence === '' ? { evidence: {} } : (JSON.parse(this.pii.decrypt(row.evidence, EVIDENCE_CONTEXT), reviveDates) as StoredEvidence);
  }

  private async load(id: string): Promise<IdentitySession> {
    const row = await this.dataSource.getRepository(IdentitySession).findOneBy({ id });
    if (!row) {
      throw new NotFoundError('IDENTITY_SESSION_NOT_FOUND', '没有这个核验会话：请重新开始人、卡、码核验');
    }
    return row;
  }

  private async openRow(id: string): Promise<IdentitySession> {
    const row = await this.load(id);
    if (new Date(row.expiresAt).getTime() <= this.clock.now().getTime()) {
      throw new SessionClosedError();
    }
    return row;
  }

  private async withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(id, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(id) === next) {
        this.locks.delete(id);
      }
    }
  }
}

function workerInjury(answer: InsurerPersonAnswer): WorkerInjury {
  const { insuinfo, injury } = answer;
  return {
    psnType: insuinfo.psn_type,
    injuryStatus: injury.status,
    determinationNo: injury.determination_no,
    determinationDate: injury.determination_date,
    injuryDate: injury.injury_date,
    injuredParts: injury.injured_parts,
    occupationalDisease: injury.occupational_disease,
    disabilityGrade: injury.disability_grade,
  };
}
