import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AuditService,
  type CatalogueError,
  Clock,
  DEFAULT_PAGE_SIZE,
  GatewayConfig,
  type Principal,
  Transactions,
  uuidv7,
  ValidationFailedError,
} from '../platform';
import { IDENTITY_ERRORS } from '../identity/identity.errors';
import { VerifiedWorkerService } from '../identity/verified-worker.service';
import { FeeLineRepository } from './fee-line.repository';
import { crossProvinceFilingProblem } from './rules/cross-province-filing';
import { dischargeBeforeAdmission, openingDifferences, type VisitOpening } from './rules/visit-changes';
import type { OpenVisitDto, UpdateVisitDto, VisitDetailDto, VisitDto, VisitListQueryDto } from './visits.dto';
import type { SettlementVisit } from './settlement.entity';
import { SETTLEMENT_ERRORS, VISIT_MESSAGES } from './settlement.errors';
import { toVisitDetailDto, toVisitDto } from './settlement.mapper';
import { VisitRepository, type VisitUpdate } from './visit.repository';

/**
 * Told inside the transaction that opened a visit (not when the same opening comes again): what it
 * writes commits with the visit or not at all (e.g. the rehab assessment's obligation, R6).
 */
export type VisitOpenedListener = (m: EntityManager, visit: SettlementVisit, principal: Principal) => Promise<void>;

/** What opening answers: the visit, and whether this call opened it (201) or it was open already (200). */
export interface VisitOpened {
  visit: VisitDto;
  created: boolean;
}

/**
 * Use case: the visits HIS opens (an outpatient visit or an inpatient stay), their discharge and
 * discharge-notice dates, and reading them. Opening is idempotent by the HIS visit id: the same
 * opening again changes nothing; a different one is refused. A settled visit refuses every change.
 *
 * Cross-province workers (R11, 协议 33): an inpatient admission, and a discharge or discharge notice,
 * given with the MATCH token of the visit (x-verification-token) is refused
 * (SETTLEMENT_CROSS_PROVINCE_FILING) when the insurer's answer behind it shows a cross-province
 * worker without a filing valid on the admission (discharge) day; nothing is stored then. With
 * settlement.admissionIdentity `required` (the default) the token must be there (403 TOKEN_MISSING
 * otherwise): the identity and the filing are checked at both steps, as 协议 33 says.
 */
@Injectable()
export class VisitsService {
  private readonly openedListeners: VisitOpenedListener[] = [];

  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly visits: VisitRepository,
    private readonly lines: FeeLineRepository,
    private readonly workers: VerifiedWorkerService,
    private readonly config: GatewayConfig,
  ) {}

  /** `listener` runs inside the transaction of each opening that created a visit. */
  onVisitOpened(listener: VisitOpenedListener): void {
    this.openedListeners.push(listener);
  }

  async open(principal: Principal, dto: OpenVisitDto, token?: string): Promise<VisitOpened> {
    const opening = openingOf(dto);
    const now = this.clock.now();
    if (opening.kind === 'inpatient' && opening.admissionDate !== null) {
      // An admission sent again (HIS retrying) is the same admission: it was checked when it was made.
      const replay = !hasToken(token) && (await this.visits.byMdtrtId(this.transactions.reader, opening.mdtrtId));
      if (!replay) {
        await this.checkFiling(principal, opening.mdtrtId, opening.psnNo, opening.admissionDate, token, '入院');
      }
    }
    return this.transactions.run(async (m) => {
      const created = await this.visits.insertIfAbsent(m, {
        ...opening,
        id: uuidv7(),
        dischargeDate: null,
        dischargeNoticeDate: null,
        state: 'open',
        createdBy: `${principal.type}:${principal.id}`.slice(0, 100),
        createdAt: now,
        updatedAt: now,
      });
      const stored = await this.mustLock(m, opening.mdtrtId);
      if (!created) {
        const differs = openingDifferences(stored, opening);
        if (differs.length > 0) {
          throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_CONFLICT', {
            details: differs.map((field) => SETTLEMENT_ERRORS.detail('SETTLEMENT_VISIT_CONFLICT', { field })),
          });
        }
        return { visit: toVisitDto(stored), created: false };
      }
      await this.audit.record(
        {
          actor: principal,
          action: 'settlement.visit.open',
          outcome: 'success',
          details: { visitId: opening.mdtrtId, kind: opening.kind },
        },
        m,
      );
      for (const listener of this.openedListeners) {
        await listener(m, stored, principal);
      }
      return { visit: toVisitDto(stored), created: true };
    });
  }

  /** Discharge, discharge notice (inpatient only), ward, department, diagnosis; a null clears a field. */
  async update(principal: Principal, mdtrtId: string, dto: UpdateVisitDto, token?: string): Promise<VisitDto> {
    const change = updateOf(dto);
    const discharge =
      typeof change.dischargeDate === 'string'
        ? change.dischargeDate
        : typeof change.dischargeNoticeDate === 'string'
          ? change.dischargeNoticeDate
          : null;
    if (discharge !== null) {
      const visit = await this.visits.byMdtrtId(this.transactions.reader, mdtrtId);
      if (visit?.kind === 'inpatient' && visit.state === 'open') {
        await this.checkFiling(principal, mdtrtId, visit.psnNo, discharge, token, '出院');
      }
    }
    return this.transactions.run(async (m) => {
      const visit = requireOpen(await this.visits.lock(m, mdtrtId), mdtrtId);
      if (
        visit.kind !== 'inpatient' &&
        (typeof change.dischargeDate === 'string' || typeof change.dischargeNoticeDate === 'string')
      ) {
        throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_NOT_INPATIENT');
      }
      const next: SettlementVisit = { ...visit, ...change, updatedAt: this.clock.now() };
      const early = dischargeBeforeAdmission(next);
      if (early.length > 0) {
        throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_DATE_INVALID', {
          message: VISIT_MESSAGES.dateBeforeAdmission(
            early[0].field === 'dischargeDate' ? '出院日期' : '出院通知日期',
            early[0].date,
            visit.admissionDate ?? '',
          ),
          details: early.map((e) => SETTLEMENT_ERRORS.detail('SETTLEMENT_VISIT_DATE_INVALID', { field: e.field })),
        });
      }
      const changed = (Object.keys(change) as (keyof VisitUpdate)[]).filter((k) => visit[k] !== change[k]);
      if (changed.length === 0) {
        return toVisitDto(visit);
      }
      await this.visits.update(m, visit.id, change, next.updatedAt);
      await this.audit.record(
        {
          actor: principal,
          action: 'settlement.visit.update',
          outcome: 'success',
          details: { visitId: mdtrtId, changed, ...Object.fromEntries(changed.map((k) => [k, change[k] ?? null])) },
        },
        m,
      );
      return toVisitDto(next);
    });
  }

  /** The visit with every line, withdrawn ones included. */
  async get(mdtrtId: string): Promise<VisitDetailDto> {
    const reader = this.transactions.reader;
    const visit = await this.visits.byMdtrtId(reader, mdtrtId);
    if (!visit) {
      throw notFound(mdtrtId);
    }
    return toVisitDetailDto(visit, await this.lines.ofVisit(reader, visit.id));
  }

  /** Newest first, keyset-paged. */
  async list(query: VisitListQueryDto): Promise<VisitDto[]> {
    const rows = await this.visits.list(this.transactions.reader, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      before: query.before,
      psnNo: query.psnNo,
      state: query.state,
    });
    return rows.map(toVisitDto);
  }

  /**
   * R11: with the visit's MATCH token, the worker behind it must be the visit's person and, when
   * insured in another province, hold a filing valid on `day`. Without a token nothing is checked here
   * (the pre-audit and the insurer check the filing at settlement).
   */
  private async checkFiling(
    principal: Principal,
    mdtrtId: string,
    psnNo: string,
    day: string,
    token: string | undefined,
    step: '入院' | '出院',
  ): Promise<void> {
    const trimmed = token?.trim() ?? '';
    if (trimmed === '') {
      if (this.config.settlement.admissionIdentity === 'required') {
        await this.audit.record({
          actor: principal,
          action: step === '入院' ? 'settlement.visit.admission-refused' : 'settlement.visit.discharge-refused',
          outcome: 'denied',
          details: { visitId: mdtrtId, reason: 'token-missing', day },
        });
        throw IDENTITY_ERRORS.raise('TOKEN_MISSING', {
          message: `办理${step}登记须先核验工伤职工身份和备案信息（人、卡、码相符，协议第三十三条）：请在读卡核验后随请求提供核验凭证 x-verification-token；未保存任何更改`,
        });
      }
      return;
    }
    const worker = await this.workers.workerForSettlement(trimmed, mdtrtId, principal);
    if (worker.psnNo !== psnNo) {
      throw IDENTITY_ERRORS.raise('TOKEN_WRONG_PERSON');
    }
    const problem = crossProvinceFilingProblem(worker.answer, day);
    if (problem !== null) {
      await this.audit.record({
        actor: principal,
        action: step === '入院' ? 'settlement.visit.admission-refused' : 'settlement.visit.discharge-refused',
        outcome: 'denied',
        details: { visitId: mdtrtId, reason: problem.reason, day },
      });
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_CROSS_PROVINCE_FILING', {
        message: `不能办理${step}登记：${problem.message}（协议第三十三条）；未保存任何更改`,
        details: [
          {
            field: step === '入院' ? 'admissionDate' : 'dischargeDate',
            code: problem.reason,
            message: problem.message,
          },
        ],
      });
    }
  }

  private async mustLock(m: EntityManager, mdtrtId: string): Promise<SettlementVisit> {
    const visit = await this.visits.lock(m, mdtrtId);
    if (!visit) {
      throw notFound(mdtrtId);
    }
    return visit;
  }
}

/**
 * The visit (read locked), refusing an unknown one (404) or a settled one (409): every change to a
 * visit or its lines starts here.
 */
export function requireOpen(visit: SettlementVisit | undefined, mdtrtId: string): SettlementVisit {
  if (!visit) {
    throw notFound(mdtrtId);
  }
  if (visit.state !== 'open') {
    throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_SETTLED', { message: VISIT_MESSAGES.visitSettled(mdtrtId) });
  }
  return visit;
}

export function notFound(mdtrtId: string): CatalogueError {
  return SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_NOT_FOUND', { message: VISIT_MESSAGES.visitNotFound(mdtrtId) });
}

function openingOf(dto: OpenVisitDto): VisitOpening {
  const inpatient = dto.kind === 'inpatient';
  return {
    mdtrtId: dto.visitId,
    psnNo: dto.psnNo,
    kind: dto.kind,
    careType: dto.careType ?? 'medical',
    visitDate: inpatient ? null : (dto.visitDate ?? null),
    admissionDate: inpatient ? (dto.admissionDate ?? null) : null,
    ward: dto.ward ?? null,
    dept: dto.dept ?? null,
    diagnosisCode: dto.diagnosisCode ?? null,
    diagnosisName: dto.diagnosisName ?? null,
  };
}

/** The fields the request names (undefined: left as is; null: cleared). */
function updateOf(dto: UpdateVisitDto): VisitUpdate {
  const keys: (keyof VisitUpdate)[] = [
    'dischargeDate',
    'dischargeNoticeDate',
    'ward',
    'dept',
    'diagnosisCode',
    'diagnosisName',
  ];
  const out: VisitUpdate = {};
  for (const k of keys) {
    if (dto[k] !== undefined) {
      out[k] = dto[k];
    }
  }
  if (Object.keys(out).length === 0) {
    throw new ValidationFailedError([{ field: 'dischargeDate', message: '请至少填写一项要更改的内容' }]);
  }
  return out;
}

function hasToken(token: string | undefined): boolean {
  return (token?.trim() ?? '') !== '';
}
