import { Injectable, Logger } from '@nestjs/common';
import { AuditService, Clock, type Principal, Transactions, uuidv7 } from '../../platform';
import { fenToWire, wireToFen } from '../../settlement/rules/wire-money';
import { INFNO } from '../../upstream/protocol/transactions';
import { UpstreamCalls } from '../../upstream/upstream-calls';
import { beijingDay } from '../../calendar/rules/working-days';
import type { ReconciliationRow, ReconciliationTrigger } from './declaration.entity';
import { DECLARATION_ERRORS } from './declaration.errors';
import { DeclarationRepository } from './declaration.repository';
import { compareSettlements, type SettlementDifference } from './rules/settlement-differences';
import {
  type Figures,
  figuresOf,
  inForceLocally,
  type InsurerSettlement,
  readDetailPage,
  sameFigures,
} from './rules/settlement-figures';
import { SettlementFiguresRepository } from './settlement-figures.repository';

const MAX_DAYS = 366;
/** 3202 rows asked for per page (the sandbox's and our limit: 500). */
const DETAIL_PAGE_SIZE = 500;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface TotalsOutput {
  total?: { setl_cnt?: unknown; medfee_sumamt?: unknown; fund_pay_sumamt?: unknown; psn_pay_sumamt?: unknown };
  stmt_rslt?: unknown;
  stmt_rslt_dscr?: unknown;
}

/**
 * Reconciliation with the insurer (R13/R18 daily checks, 协议 29): the gateway's settlements in force
 * of a period (settled or cancelling, by the insurer's settlement day, Beijing) are totalled and sent
 * with 3201; when the insurer says they disagree (or its own totals differ from ours), 3202 lists its
 * settlements of the period and each differing settlement is named with what to do. Every run is
 * stored, failed ones too. Queries, not records: sent directly (UpstreamCalls), not through the outbox.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly figures: SettlementFiguresRepository,
    private readonly repository: DeclarationRepository,
    private readonly calls: UpstreamCalls,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Checks an on-demand period: well-formed, from ≤ to, at most 366 days, ending before today (Beijing). */
  checkPeriod(from: string, to: string): void {
    const valid =
      DAY.test(from) &&
      DAY.test(to) &&
      !Number.isNaN(Date.parse(`${from}T00:00:00Z`)) &&
      !Number.isNaN(Date.parse(`${to}T00:00:00Z`)) &&
      new Date(`${from}T00:00:00Z`).toISOString().startsWith(from) &&
      new Date(`${to}T00:00:00Z`).toISOString().startsWith(to) &&
      from <= to &&
      (Date.parse(to) - Date.parse(from)) / 86_400_000 < MAX_DAYS &&
      to < beijingDay(this.clock.now());
    if (!valid) {
      throw DECLARATION_ERRORS.raise('RECONCILIATION_PERIOD_INVALID', {
        details: [{ field: 'from/to', message: `from=${from} to=${to}` }],
      });
    }
  }

  /** Reconciles [from, to] and stores the run (also when the insurer could not be asked: state failed). */
  async reconcile(from: string, to: string, trigger: ReconciliationTrigger, by: Principal): Promise<ReconciliationRow> {
    const startedAt = this.clock.now();
    const local = await this.figures.inPeriod(this.transactions.reader, from, to);
    const inForce = local.filter(inForceLocally);
    const ours = figuresOf(inForce);
    const base: ReconciliationRow = {
      id: uuidv7(),
      begndate: from,
      enddate: to,
      trigger,
      requestedBy: `${by.type}:${by.id}`,
      state: 'failed',
      localCnt: ours.count,
      localMedfeeFen: ours.totalFen,
      localFundFen: ours.fundFen,
      localPsnFen: ours.selfPayFen,
      insurerCnt: null,
      insurerMedfeeFen: null,
      insurerFundFen: null,
      insurerPsnFen: null,
      stmtRslt: null,
      stmtRsltDscr: null,
      msgid: null,
      differences: '[]',
      error: null,
      startedAt,
      finishedAt: startedAt,
    };
    let row: ReconciliationRow;
    try {
      const totals = await this.calls.call<TotalsOutput>(INFNO.reconciliation, {
        begndate: from,
        enddate: to,
        fixmedins_setl_cnt: ours.count,
        medfee_sumamt: fenToWire(ours.totalFen),
        fund_pay_sumamt: fenToWire(ours.fundFen),
      });
      const theirs = readTotals(totals.output);
      const stmtRslt = typeof totals.output.stmt_rslt === 'string' ? totals.output.stmt_rslt : null;
      const agreed = stmtRslt === '0' && sameFigures(ours, theirs);
      const differences = agreed ? [] : compareSettlements(local, await this.insurerSettlements(from, to));
      row = {
        ...base,
        state: agreed ? 'agreed' : 'differs',
        insurerCnt: theirs.count,
        insurerMedfeeFen: theirs.totalFen,
        insurerFundFen: theirs.fundFen,
        insurerPsnFen: theirs.selfPayFen,
        stmtRslt,
        stmtRsltDscr: typeof totals.output.stmt_rslt_dscr === 'string' ? totals.output.stmt_rslt_dscr : null,
        msgid: totals.msgid,
        differences: JSON.stringify(differences),
        finishedAt: this.clock.now(),
      };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.logger.warn({ err: e, from, to }, `reconciliation of ${from}–${to} failed: ${error}`);
      row = { ...base, error, finishedAt: this.clock.now() };
    }
    await this.transactions.run(async (m) => {
      await this.repository.insertRun(m, row);
      await this.audit.record(
        {
          actor: by,
          action: 'obligations.reconciliation',
          outcome: row.state === 'failed' ? 'failure' : 'success',
          details: {
            runId: row.id,
            from,
            to,
            trigger,
            state: row.state,
            differences: (JSON.parse(row.differences) as SettlementDifference[]).length,
          },
        },
        m,
      );
    });
    return row;
  }

  async list(page: { limit: number; before?: string; day?: string }): Promise<ReconciliationRow[]> {
    return this.repository.runs(this.transactions.reader, page);
  }

  async get(id: string): Promise<ReconciliationRow> {
    const row = await this.repository.run(this.transactions.reader, id);
    if (!row) {
      throw DECLARATION_ERRORS.raise('RECONCILIATION_NOT_FOUND');
    }
    return row;
  }

  /** Every 3202 page of the period. */
  private async insurerSettlements(from: string, to: string): Promise<InsurerSettlement[]> {
    const rows: InsurerSettlement[] = [];
    for (let page = 1; ; page += 1) {
      const { output } = await this.calls.call<unknown>(INFNO.detailReconciliation, {
        begndate: from,
        enddate: to,
        page_num: page,
        page_size: DETAIL_PAGE_SIZE,
      });
      const read = readDetailPage(output);
      rows.push(...read.rows);
      if (page >= read.pages) {
        if (rows.length !== read.total) {
          throw new Error(`3202 announced ${read.total} settlements and listed ${rows.length}`);
        }
        return rows;
      }
    }
  }
}

function readTotals(output: TotalsOutput): Figures {
  const t = output?.total;
  const count = t?.setl_cnt;
  const fen = (v: unknown, what: string): number => {
    const value = wireToFen(v);
    if (value === undefined) {
      throw new Error(`3201 answered without total.${what}`);
    }
    return value;
  };
  if (typeof count !== 'number' || !Number.isInteger(count)) {
    throw new Error('3201 answered without total.setl_cnt');
  }
  return {
    count,
    totalFen: fen(t?.medfee_sumamt, 'medfee_sumamt'),
    fundFen: fen(t?.fund_pay_sumamt, 'fund_pay_sumamt'),
    selfPayFen: fen(t?.psn_pay_sumamt, 'psn_pay_sumamt'),
  };
}
