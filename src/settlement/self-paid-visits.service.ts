import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { personKey, personKeys, personKeyText, personSubject } from '../identity/person-key';
import {
  AuditService,
  Clock,
  PiiCryptoService,
  type Principal,
  Transactions,
  uuidv7,
  ValidationFailedError,
} from '../platform';
import type { SelfPaidVisitRow, SettlementReceiptRow } from './conversion.entity';
import type { LineChangesDto, RecordSelfPaidVisitDto, SelfPaidRecordDto, SelfPaidVisitDto } from './conversion.dto';
import { FeeLineRepository } from './fee-line.repository';
import { yuan } from './rules/findings';
import { receiptsKey, receiptsTotalFen, repeatedReceiptNos } from './rules/conversion';
import {
  dischargeBeforeAdmission,
  lineChange,
  openingDifferences,
  repeatedLineIds,
  type VisitOpening,
} from './rules/visit-changes';
import { SelfPaidRepository } from './self-paid.repository';
import type { SettlementFeeLine, SettlementVisit } from './settlement.entity';
import { CONVERSION_MESSAGES, SETTLEMENT_ERRORS, VISIT_MESSAGES } from './settlement.errors';
import { toPreAuditLine } from './settlement.mapper';
import { VisitRepository } from './visit.repository';
import { requireOpen } from './visits.service';

/** The PII context of a self-paid visit's person (ID number and name). */
export const SELF_PAID_PII_CONTEXT = 'settlement_self_paid_visit.person';

/** What recording answers: the record, and whether this call recorded the visit as self-paid (201). */
export interface SelfPaidRecorded {
  created: boolean;
  result: SelfPaidRecordDto;
}

/**
 * Use case: HIS records a visit the worker paid as self-pay before the injury determination (自费转工伤,
 * 办法 26), with its fee lines and receipts, so that it can be converted once the determination is
 * made. The request is the whole visit: sent again the same it changes nothing; with other lines or
 * receipts it is a correction (lines not named are withdrawn, the receipts replaced) until the visit
 * is converted. The receipts must add up to the lines (422, nothing stored). The person is kept as
 * the keyed hash of the ID number (the lookup) and the number and name encrypted; the person number
 * may be unknown yet (it is attached from the insurer's answer at conversion). No MATCH is needed to
 * record: nothing is charged to the fund until the conversion, which needs one.
 */
@Injectable()
export class SelfPaidVisitsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly pii: PiiCryptoService,
    private readonly visits: VisitRepository,
    private readonly lines: FeeLineRepository,
    private readonly selfPaid: SelfPaidRepository,
  ) {}

  async record(principal: Principal, dto: RecordSelfPaidVisitDto): Promise<SelfPaidRecorded> {
    checkRequest(dto);
    const opening = openingOf(dto);
    const idNumber = personKeyText(dto.person.idNumber);
    const key = personKey(this.pii, idNumber);
    const now = this.clock.now();
    return this.transactions.run(async (m) => {
      const inserted = await this.visits.insertIfAbsent(m, {
        ...opening,
        id: uuidv7(),
        dischargeDate: dto.dischargeDate ?? null,
        dischargeNoticeDate: null,
        state: 'open',
        createdBy: actorOf(principal),
        createdAt: now,
        updatedAt: now,
      });
      let visit = requireOpen(await this.visits.lock(m, opening.mdtrtId), opening.mdtrtId);
      const before = await this.selfPaid.byVisit(m, visit.id);
      let visitChanged = false;
      if (!inserted) {
        visitChanged = await this.reconcileVisit(m, visit, opening, dto, before, personKeys(this.pii, idNumber), now);
        visit = (await this.visits.lock(m, opening.mdtrtId)) as SettlementVisit;
      }
      const lines = await this.declareLines(m, visit.id, dto, now);
      const stored = await this.selfPaid.receipts(m, visit.id);
      const receiptsChanged = receiptsKey(stored) !== receiptsKey(dto.receipts);
      if (receiptsChanged) {
        await this.selfPaid.replaceReceipts(m, visit.id, receiptRows(visit.id, dto, now));
      }
      const nameChanged = before !== undefined && this.personOf(before).name !== dto.person.name;
      const changed =
        visitChanged ||
        receiptsChanged ||
        nameChanged ||
        lines.added.length + lines.corrected.length + lines.reinstated.length + lines.withdrawn.length > 0;
      const row: SelfPaidVisitRow = {
        visitId: visit.id,
        personKey: key,
        personEnc:
          before && !nameChanged
            ? before.personEnc
            : this.pii.encrypt(JSON.stringify({ idNumber, name: dto.person.name }), SELF_PAID_PII_CONTEXT),
        paidFen: receiptsTotalFen(dto.receipts),
        recordedBy: before?.recordedBy ?? actorOf(principal),
        recordedAt: before?.recordedAt ?? now,
        updatedAt: before && !changed ? before.updatedAt : now,
      };
      await this.selfPaid.upsert(m, row);
      const outcome = before === undefined ? 'recorded' : changed ? 'corrected' : 'unchanged';
      if (outcome !== 'unchanged') {
        await this.audit.record(
          {
            actor: principal,
            action: outcome === 'recorded' ? 'settlement.self-paid.record' : 'settlement.self-paid.correct',
            outcome: 'success',
            subject: personSubject(idNumber),
            details: {
              visitId: visit.mdtrtId,
              kind: visit.kind,
              newVisit: inserted,
              paidFen: row.paidFen,
              receipts: dto.receipts.map((r) => ({
                receiptNo: r.receiptNo,
                amountFen: r.amountFen,
                paidDate: r.paidDate,
              })),
              receiptsChanged,
              lines,
            },
          },
          m,
        );
      }
      const view = toSelfPaidVisitDto(
        visit,
        row,
        await this.selfPaid.receipts(m, visit.id),
        await this.lines.ofVisit(m, visit.id),
      );
      return { created: outcome === 'recorded', result: { outcome, lines, receiptsChanged, visit: view } };
    });
  }

  /** A self-paid visit with its receipts (404 SETTLEMENT_SELF_PAID_NOT_FOUND for any other). */
  async get(mdtrtId: string): Promise<SelfPaidVisitDto> {
    const reader = this.transactions.reader;
    const visit = await this.visits.byMdtrtId(reader, mdtrtId);
    const row = visit ? await this.selfPaid.byVisit(reader, visit.id) : undefined;
    if (!visit || !row) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_SELF_PAID_NOT_FOUND', {
        message: CONVERSION_MESSAGES.notFound(mdtrtId),
      });
    }
    return toSelfPaidVisitDto(
      visit,
      row,
      await this.selfPaid.receipts(reader, visit.id),
      await this.lines.ofVisit(reader, visit.id),
    );
  }

  /**
   * An open visit HIS had opened before (or recorded before): the same opening (a person number
   * given on one side only is not a difference, and one missing is attached), the same person,
   * the discharge day updated. True when something changed.
   */
  private async reconcileVisit(
    m: EntityManager,
    visit: SettlementVisit,
    opening: VisitOpening,
    dto: RecordSelfPaidVisitDto,
    before: SelfPaidVisitRow | undefined,
    /** The person's keys under every lookup key: the visit may have been recorded before a rotation. */
    keys: readonly string[],
    now: Date,
  ): Promise<boolean> {
    const psnNo = opening.psnNo === '' || visit.psnNo === '' ? visit.psnNo : opening.psnNo;
    const differs = openingDifferences(visit, { ...opening, psnNo });
    const details = differs.map((field) => SETTLEMENT_ERRORS.detail('SETTLEMENT_VISIT_CONFLICT', { field }));
    if (before !== undefined && !keys.includes(before.personKey)) {
      details.push(
        SETTLEMENT_ERRORS.detail('SETTLEMENT_VISIT_CONFLICT', {
          field: 'person.idNumber',
          message: CONVERSION_MESSAGES.personConflict(),
        }),
      );
    }
    if (details.length > 0) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_CONFLICT', { details });
    }
    let changed = false;
    if (visit.psnNo === '' && opening.psnNo !== '') {
      changed = await this.selfPaid.attachPersonNo(m, visit.id, opening.psnNo, now);
    }
    const discharge = dto.dischargeDate ?? null;
    if (visit.kind === 'inpatient' && discharge !== null && discharge !== visit.dischargeDate) {
      const early = dischargeBeforeAdmission({ ...visit, dischargeDate: discharge });
      if (early.length > 0) {
        throw dateInvalid(discharge, visit.admissionDate ?? '');
      }
      await this.visits.update(m, visit.id, { dischargeDate: discharge }, now);
      changed = true;
    }
    return changed;
  }

  /** The request's lines, idempotent by HIS line id; stored active lines it does not name are withdrawn. */
  private async declareLines(
    m: EntityManager,
    visitId: string,
    dto: RecordSelfPaidVisitDto,
    now: Date,
  ): Promise<LineChangesDto> {
    const stored = new Map((await this.lines.ofVisit(m, visitId)).map((l) => [l.lineId, l]));
    const out: LineChangesDto = { added: [], corrected: [], reinstated: [], withdrawn: [], unchanged: [] };
    for (const input of dto.lines) {
      const content = toPreAuditLine(input);
      const before = stored.get(input.lineId);
      const change = lineChange(before, content);
      out[change].push(input.lineId);
      if (change === 'added') {
        await this.lines.insert(m, {
          ...content,
          id: uuidv7(),
          visitId,
          state: 'active',
          revision: 1,
          createdAt: now,
          updatedAt: now,
        });
      } else if (before && change !== 'unchanged') {
        await this.lines.rewrite(m, before.id, { ...content, state: 'active', revision: before.revision + 1 }, now);
      }
    }
    const named = new Set(dto.lines.map((l) => l.lineId));
    for (const line of stored.values()) {
      if (line.state === 'active' && !named.has(line.lineId)) {
        await this.lines.rewrite(m, line.id, { ...line, state: 'withdrawn', revision: line.revision + 1 }, now);
        out.withdrawn.push(line.lineId);
      }
    }
    return out;
  }

  private personOf(row: SelfPaidVisitRow): { idNumber: string; name: string } {
    return JSON.parse(this.pii.decrypt(row.personEnc, SELF_PAID_PII_CONTEXT)) as { idNumber: string; name: string };
  }
}

/** Refusals that need no database: repeated ids, receipts that are not the lines, dates. */
function checkRequest(dto: RecordSelfPaidVisitDto): void {
  const details = [
    ...repeatedLineIds(dto.lines).map((i) =>
      SETTLEMENT_ERRORS.detail('SETTLEMENT_LINE_DUPLICATE', { field: `lines.${i}.lineId` }),
    ),
    ...repeatedReceiptNos(dto.receipts).map((i) =>
      SETTLEMENT_ERRORS.detail('SETTLEMENT_RECEIPT_DUPLICATE', { field: `receipts.${i}.receiptNo` }),
    ),
  ];
  if (details.length > 0) {
    throw new ValidationFailedError(details);
  }
  if (dto.kind !== 'inpatient' && dto.dischargeDate !== undefined) {
    throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_NOT_INPATIENT');
  }
  if (dto.kind === 'inpatient' && dto.dischargeDate !== undefined && dto.admissionDate !== undefined) {
    if (dto.dischargeDate < dto.admissionDate) {
      throw dateInvalid(dto.dischargeDate, dto.admissionDate);
    }
  }
  const lineSum = dto.lines.reduce((sum, l) => sum + l.amountFen, 0);
  const paid = receiptsTotalFen(dto.receipts);
  if (lineSum !== paid) {
    throw SETTLEMENT_ERRORS.raise('SETTLEMENT_RECEIPTS_MISMATCH', {
      message: CONVERSION_MESSAGES.receiptsMismatch(yuan(paid), yuan(lineSum)),
      details: [
        SETTLEMENT_ERRORS.detail('SETTLEMENT_RECEIPTS_MISMATCH', {
          field: 'receipts',
          context: { paidFen: String(paid), lineSumFen: String(lineSum) },
        }),
      ],
    });
  }
}

function dateInvalid(discharge: string, admission: string) {
  return SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_DATE_INVALID', {
    message: VISIT_MESSAGES.dateBeforeAdmission('出院日期', discharge, admission),
    details: [SETTLEMENT_ERRORS.detail('SETTLEMENT_VISIT_DATE_INVALID', { field: 'dischargeDate' })],
  });
}

function actorOf(principal: Principal): string {
  return `${principal.type}:${principal.id}`.slice(0, 100);
}

function openingOf(dto: RecordSelfPaidVisitDto): VisitOpening {
  const inpatient = dto.kind === 'inpatient';
  return {
    mdtrtId: dto.visitId,
    psnNo: dto.psnNo ?? '',
    kind: dto.kind,
    careType: 'medical',
    visitDate: inpatient ? null : (dto.visitDate ?? null),
    admissionDate: inpatient ? (dto.admissionDate ?? null) : null,
    ward: dto.ward ?? null,
    dept: dto.dept ?? null,
    diagnosisCode: dto.diagnosisCode ?? null,
    diagnosisName: dto.diagnosisName ?? null,
  };
}

function receiptRows(visitId: string, dto: RecordSelfPaidVisitDto, now: Date): SettlementReceiptRow[] {
  return dto.receipts.map((r) => ({
    id: uuidv7(),
    visitId,
    receiptNo: r.receiptNo,
    amountFen: r.amountFen,
    paidDate: r.paidDate,
    createdAt: now,
  }));
}

/** A self-paid visit as the API answers it: never the ID number or the name. */
export function toSelfPaidVisitDto(
  v: SettlementVisit,
  row: SelfPaidVisitRow,
  receipts: readonly SettlementReceiptRow[],
  lines: readonly SettlementFeeLine[],
): SelfPaidVisitDto {
  return {
    visitId: v.mdtrtId,
    psnNo: v.psnNo === '' ? null : v.psnNo,
    kind: v.kind,
    visitDate: v.visitDate,
    admissionDate: v.admissionDate,
    dischargeDate: v.dischargeDate,
    dept: v.dept,
    diagnosisCode: v.diagnosisCode,
    diagnosisName: v.diagnosisName,
    state: v.state,
    lineSumFen: lines.filter((l) => l.state === 'active').reduce((sum, l) => sum + l.amountFen, 0),
    paidFen: row.paidFen,
    receipts: receipts.map((r) => ({ receiptNo: r.receiptNo, amountFen: r.amountFen, paidDate: r.paidDate })),
    recordedAt: row.recordedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
