import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AuditService,
  type CatalogueError,
  Clock,
  DEFAULT_PAGE_SIZE,
  type Principal,
  Transactions,
  uuidv7,
  ValidationFailedError,
} from '../platform';
import { FeeLineRepository } from './fee-line.repository';
import { dischargeBeforeAdmission, openingDifferences, type VisitOpening } from './rules/visit-changes';
import type { OpenVisitDto, UpdateVisitDto, VisitDetailDto, VisitDto, VisitListQueryDto } from './visits.dto';
import type { SettlementVisit } from './settlement.entity';
import { SETTLEMENT_ERRORS, VISIT_MESSAGES } from './settlement.errors';
import { toVisitDetailDto, toVisitDto } from './settlement.mapper';
import { VisitRepository, type VisitUpdate } from './visit.repository';

/** What opening answers: the visit, and whether this call opened it (201) or it was open already (200). */
export interface VisitOpened {
  visit: VisitDto;
  created: boolean;
}

/**
 * Use case: the visits HIS opens (an outpatient visit or an inpatient stay), their discharge and
 * discharge-notice dates, and reading them. Opening is idempotent by the HIS visit id: the same
 * opening again changes nothing; a different one is refused. A settled visit refuses every change.
 */
@Injectable()
export class VisitsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly visits: VisitRepository,
    private readonly lines: FeeLineRepository,
  ) {}

  async open(principal: Principal, dto: OpenVisitDto): Promise<VisitOpened> {
    const opening = openingOf(dto);
    const now = this.clock.now();
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
      return { visit: toVisitDto(stored), created: true };
    });
  }

  /** Discharge, discharge notice (inpatient only), ward, department, diagnosis; a null clears a field. */
  async update(principal: Principal, mdtrtId: string, dto: UpdateVisitDto): Promise<VisitDto> {
    const change = updateOf(dto);
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
