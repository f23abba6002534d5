import { Injectable } from '@nestjs/common';
import { AuditService, CatalogueError, PiiCryptoService, type Principal } from '../platform';
import { IdentitySessionRepository } from './identity-session.repository';
import type { DoctorViewDto } from './identity.dto';
import { IDENTITY_ERRORS } from './identity.errors';
import { toDoctorViewDto, toWorkerInjury, type WorkerInjury } from './identity.mapper';
import { personKeys, personSubject } from './person-key';
import type { InsurerPersonAnswer, SessionEvidence } from './rules/evidence';
import type { TokenExpectation, VerifiedToken } from './rules/token';
import { SessionEvidenceCipher } from './session-evidence';
import { VerificationTokenService } from './verification-token.service';

/** The verified worker as forms need it (workerForForms); insurer data only. */
export interface FormsWorker extends WorkerInjury {
  visitId: string;
  psnNo: string;
  name: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  gend: string;
  birthDate: string;
  idNumber: string;
}

/** The verified worker as settlement needs it (workerForSettlement): the insurer's 1101 answer. */
export interface SettlementWorker {
  /** The HIS visit id the MATCH was for. */
  visitId: string;
  /** The insurer's person number (psn_no). */
  psnNo: string;
  /** The 1101 answer: determination, signed institutions, cross-province filing. */
  answer: InsurerPersonAnswer;
  /** Live from the insurer, or the coverage cache used while the insurer was away. */
  source: 'insurer' | 'coverageCache';
}

/** The insurer's record behind a MATCH: live, or the coverage cache while the insurer was away. */
interface VerifiedRecord {
  claims: VerifiedToken;
  sessionId: string;
  answer: InsurerPersonAnswer;
  source: 'insurer' | 'coverageCache';
}

/**
 * What other parts need to know about a verified worker, given the verification token of a MATCH:
 * the doctor view, and the worker for filling a form. Every read is audited, a refused one too.
 */
@Injectable()
export class VerifiedWorkerService {
  constructor(
    private readonly tokens: VerificationTokenService,
    private readonly sessions: IdentitySessionRepository,
    private readonly cipher: SessionEvidenceCipher,
    private readonly pii: PiiCryptoService,
    private readonly audit: AuditService,
  ) {}

  /** The doctor view: the worker's determination, injured parts or occupational disease, category. */
  async doctorView(token: string | undefined, principal: Principal): Promise<DoctorViewDto> {
    const record = await this.verifiedRecord(token, principal, 'identity.doctor-view');
    return toDoctorViewDto(record.answer, record.source, {
      sessionId: record.sessionId,
      visitId: record.claims.visitId,
    });
  }

  /**
   * The verified worker for filling a form (forms): the doctor view plus the person's name, sex,
   * birth date and ID number from the insurer's answer. Audited like the doctor view.
   */
  async workerForForms(token: string | undefined, visitId: string, principal: Principal): Promise<FormsWorker> {
    // The token must be for the form's visit: a form is never filled with another visit's worker.
    const { claims, answer } = await this.verifiedRecord(token, principal, 'identity.forms-worker', { visitId });
    const { baseinfo } = answer;
    return {
      visitId: claims.visitId,
      psnNo: baseinfo.psn_no,
      name: baseinfo.psn_name,
      gend: baseinfo.gend,
      birthDate: baseinfo.brdy,
      idNumber: baseinfo.certno,
      ...toWorkerInjury(answer),
    };
  }

  /**
   * The verified worker for settlement's pre-audit and settlement: the insurer's 1101 answer behind
   * the MATCH. The token must be for this visit (a visit is never settled on another visit's MATCH).
   * Audited like the doctor view.
   */
  async workerForSettlement(
    token: string | undefined,
    visitId: string,
    principal: Principal,
  ): Promise<SettlementWorker> {
    const { claims, answer, source } = await this.verifiedRecord(token, principal, 'identity.settlement-worker', {
      visitId,
    });
    return { visitId: claims.visitId, psnNo: answer.baseinfo.psn_no, answer, source };
  }

  /**
   * The verified worker for 自费转工伤 (settlement's conversions): the insurer's 1101 answer behind a
   * MATCH of this person, for any visit — past self-paid visits are converted on the worker's MATCH
   * of today. `subjectKey`, when given (the person key a self-paid visit was recorded with), must be
   * the token's person (TOKEN_WRONG_PERSON otherwise). Audited like the doctor view.
   */
  async workerForConversion(
    token: string | undefined,
    principal: Principal,
    subjectKey?: string,
  ): Promise<SettlementWorker> {
    // The visit's person key may be under an older lookup key than the token's (a rotation in progress): any of the person's keys.
    const { claims, answer, source } = await this.verifiedRecord(
      token,
      principal,
      'identity.conversion-worker',
      {},
      subjectKey,
    );
    return { visitId: claims.visitId, psnNo: answer.baseinfo.psn_no, answer, source };
  }

  private async verifiedRecord(
    token: string | undefined,
    principal: Principal,
    action: string,
    expected: Partial<TokenExpectation> = {},
    storedPersonKey?: string,
  ): Promise<VerifiedRecord> {
    let claims: VerifiedToken;
    try {
      claims = this.tokens.checkToken(token, expected);
    } catch (e) {
      await this.audit.record({
        actor: principal,
        action,
        outcome: 'denied',
        details: { code: (e as CatalogueError).code },
      });
      throw e;
    }
    const row = await this.sessions.findById(claims.sessionId);
    const stored = row ? this.cipher.read(row) : undefined;
    const found = stored ? recordOf(stored.evidence) : undefined;
    const certno = found?.answer.baseinfo.certno;
    const keys = certno === undefined ? [] : personKeys(this.pii, certno);
    if (
      !row ||
      !found ||
      certno === undefined ||
      row.subjectKey === null ||
      !keys.includes(row.subjectKey) ||
      !keys.includes(claims.subjectKey)
    ) {
      throw IDENTITY_ERRORS.raise('TOKEN_SESSION_GONE');
    }
    if (storedPersonKey !== undefined && !keys.includes(storedPersonKey)) {
      await this.audit.record({ actor: principal, action, outcome: 'denied', details: { code: 'TOKEN_WRONG_PERSON' } });
      throw IDENTITY_ERRORS.raise('TOKEN_WRONG_PERSON');
    }
    await this.audit.record({
      actor: principal,
      action,
      outcome: 'success',
      subject: personSubject(certno),
      details: { sessionId: row.id },
    });
    return { claims, sessionId: row.id, ...found };
  }
}

/** The insurer's live answer, else the cached one (used while the insurer was away). */
function recordOf(evidence: SessionEvidence): Pick<VerifiedRecord, 'answer' | 'source'> | undefined {
  if (evidence.insurer?.kind === 'answer') {
    return { answer: evidence.insurer.answer, source: 'insurer' };
  }
  return evidence.coverageCache ? { answer: evidence.coverageCache.answer, source: 'coverageCache' } : undefined;
}
