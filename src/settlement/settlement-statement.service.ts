import { Injectable } from '@nestjs/common';
import type { SettlementStatementData, StatementLine } from '../forms/statement/settlement-statement-data';
import { SettlementStatementRenderer } from '../forms/statement/settlement-statement-renderer';
import { Clock, GatewayConfig, PiiCryptoService, Transactions } from '../platform';
import type { FeeLine } from './rules/pre-audit-input';
import type { PreAuditResult } from './rules/pre-audit-result';
import type { SettlementMessage } from './rules/settlement-message';
import type { InsurerSplit } from './rules/settlement-reply';
import { type StatementWorkerFacts, WORKER_PII_CONTEXT } from './settle.service';
import { SettlementReadingService } from './settlement-reading.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import type { SettlementRecord, SettlementVisit } from './settlement.entity';
import { SETTLEMENT_ERRORS } from './settlement.errors';
import { VisitRepository } from './visit.repository';

/** Why a line kept out of the message is the worker's, as the statement prints it. */
const LOCAL_REASONS: Readonly<Record<string, string>> = {
  'not-mapped': '工伤保险目录外项目（未对码）',
  'after-discharge-notice': '出院通知日后费用',
};

/**
 * Use case: the settlement statement (费用结算单) of a settled settlement, final and numbered with the
 * insurer's setl_id, kept in settlement_statement with its SHA-256. Rendered by the statements job
 * (SettlementStatementJob) once the settle request has been answered — never inside the dispatcher's
 * transaction nor on the settle path — or by GET …/statement.pdf when it is not there yet. When
 * rendering fails the settlement stays settled and the next run (or GET) renders it again.
 */
@Injectable()
export class SettlementStatementService {
  private readonly inFlight = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly transactions: Transactions,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly pii: PiiCryptoService,
    private readonly records: SettlementRecordRepository,
    private readonly visits: VisitRepository,
    private readonly reading: SettlementReadingService,
    private readonly renderer: SettlementStatementRenderer,
  ) {}

  /** Settled settlements (since `since`) without a statement yet, oldest first. */
  missing(since: Date, limit: number): Promise<string[]> {
    return this.records.withoutStatement(this.transactions.reader, since, limit);
  }

  /** The statement's PDF: the stored one, or rendered and stored now. 409 unless the insurer settled it. */
  async pdf(id: string): Promise<Buffer> {
    const stored = await this.records.statement(this.transactions.reader, id);
    if (stored) {
      return Buffer.from(stored.pdfBase64, 'base64');
    }
    const running = this.inFlight.get(id);
    if (running) {
      return running;
    }
    const work = this.render(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, work);
    return work;
  }

  /**
   * What the final statement of a settled settlement shows, with the fee lines as HIS declared them
   * (same order as the statement's lines): for documents drawn from the same figures, such as the
   * inpatient fee list (费用明细清单, src/obligations/documents). 409 unless the insurer settled it.
   */
  async settledData(id: string): Promise<{ statement: SettlementStatementData; feeLines: FeeLine[] }> {
    const record = await this.reading.record(id);
    if (record.split === null || record.setlId === null) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_STATEMENT_NOT_AVAILABLE');
    }
    const visit = await this.visits.byMdtrtId(this.transactions.reader, record.mdtrtId);
    const worker = JSON.parse(this.pii.decrypt(record.workerEnc, WORKER_PII_CONTEXT)) as StatementWorkerFacts;
    return {
      statement: this.data(record, visit as SettlementVisit, worker),
      feeLines: JSON.parse(record.lines) as FeeLine[],
    };
  }

  private async render(id: string): Promise<Buffer> {
    const record = await this.reading.record(id);
    // Queued while the insurer was away: the 临时结算单 from the provisional split (R14).
    const provisional = record.status === 'provisional' && record.provisionalSplit !== null;
    if (!provisional && (record.split === null || record.setlId === null)) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_STATEMENT_NOT_AVAILABLE');
    }
    const visit = await this.visits.byMdtrtId(this.transactions.reader, record.mdtrtId);
    const worker = JSON.parse(this.pii.decrypt(record.workerEnc, WORKER_PII_CONTEXT)) as StatementWorkerFacts;
    const { pdf, sha256 } = await this.renderer.render(
      this.data(record, visit as SettlementVisit, worker, provisional),
    );
    if (provisional) {
      return pdf; // never stored: the final statement takes the settlement's one slot once the insurer settles
    }
    await this.transactions.run((m) =>
      this.records.putStatement(m, {
        settlementId: id,
        sha256,
        pdfBase64: pdf.toString('base64'),
        createdAt: this.clock.now(),
      }),
    );
    return pdf;
  }

  private data(
    r: SettlementRecord,
    visit: SettlementVisit,
    worker: StatementWorkerFacts,
    provisional = false,
  ): SettlementStatementData {
    const split = JSON.parse((provisional ? r.provisionalSplit : r.split) as string) as InsurerSplit;
    const sent = JSON.parse(r.message) as SettlementMessage;
    const audit = JSON.parse(r.preAudit) as PreAuditResult;
    const lines = statementLines(JSON.parse(r.lines) as FeeLine[], split, sent, audit);
    const sum = (f: (l: StatementLine) => number): number => lines.reduce((a, l) => a + f(l), 0);
    const diagnosis = `${visit.diagnosisCode ?? ''} ${visit.diagnosisName ?? ''}`.trim();
    return {
      status: provisional ? 'provisional' : 'final',
      statementNo: provisional ? `临时 ${r.id}` : (r.setlId as string),
      hospital: { name: this.config.hospital.name, code: this.config.hospital.fixmedinsCode },
      visit:
        visit.kind === 'outpatient'
          ? {
              kind: 'outpatient',
              visitId: r.mdtrtId,
              department: visit.dept ?? undefined,
              diagnosis,
              visitDate: visit.visitDate as string,
            }
          : {
              kind: 'inpatient',
              visitId: r.mdtrtId,
              department: visit.dept ?? undefined,
              diagnosis,
              admissionDate: visit.admissionDate as string,
              dischargeDate: visit.dischargeDate as string,
            },
      worker: {
        name: worker.name,
        sex: worker.gend === '2' ? '女' : '男',
        idNumber: worker.idNumber,
        psnNo: r.psnNo,
        employer: worker.employer ?? '—',
        determinationNo: worker.determinationNo ?? undefined,
      },
      lines,
      totals: {
        medicalFeeFen: sum((l) => l.amountFen),
        fundFen: sum((l) => l.fundFen),
        selfPayFen: sum((l) => l.selfPayFen),
        hospitalLossFen: sum((l) => (l.hospitalBears ? l.selfPayFen : 0)),
      },
      settledAt: beijing(split.setlTime) ?? r.settledAt ?? r.createdAt,
      operator: r.createdBy,
    };
  }
}

/** Every line as settled: the insurer's split for the lines sent, the worker's for those kept local. */
function statementLines(
  lines: readonly FeeLine[],
  split: InsurerSplit,
  sent: SettlementMessage,
  audit: PreAuditResult,
): StatementLine[] {
  const byId = new Map(split.lines.map((l) => [l.lineId, l]));
  const local = new Map(sent.localSelfPay.map((l) => [l.lineId, l]));
  return lines.map((line, i) => {
    const audited = audit.lines[i];
    const base = {
      itemName: line.itemName,
      insurerCode: audited?.insurerCode ?? null,
      kind: line.kind,
      count: line.count,
      unitPriceFen: line.unitPriceFen,
      amountFen: line.amountFen,
    };
    const answered = byId.get(line.lineId);
    if (answered) {
      return {
        ...base,
        fundFen: answered.fundFen,
        selfPayFen: answered.selfPayFen,
        ...(answered.reason ? { selfPayReason: answered.reason } : {}),
      };
    }
    const kept = local.get(line.lineId);
    const bears = audited?.findings.some((f) => f.severity === 'hospitalLoss') ?? false;
    return {
      ...base,
      fundFen: 0,
      selfPayFen: line.amountFen,
      selfPayReason: LOCAL_REASONS[kept?.reason ?? 'not-mapped'],
      ...(bears && line.amountFen > 0 ? { hospitalBears: true } : {}),
    };
  });
}

/** 'yyyy-MM-dd HH:mm:ss' in Beijing time → the instant; null when absent or malformed. */
function beijing(text: string | null): Date | null {
  const m = text ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text) : null;
  return m ? new Date(`${m[1]}T${m[2]}+08:00`) : null;
}
