import type { DataSource } from 'typeorm';
import type { SettlementMessage } from '../../src/settlement/rules/settlement-message';
import type { FormReadingService } from '../../src/forms/form-reading.service';
import type { FormDto } from '../../src/forms/forms.dto';
import type { SettlementWorker, VerifiedWorkerService } from '../../src/identity/verified-worker.service';
import type { Principal } from '../../src/platform/auth/principal';
import type { Clock } from '../../src/platform/clock';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { Transactions } from '../../src/platform/database/transactions';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { auditServiceOn } from '../../src/platform/standalone';
import { IDENTITY_ERRORS } from '../../src/identity/identity.errors';
import { FeeLineRepository } from '../../src/settlement/fee-line.repository';
import { FeeLinesService } from '../../src/settlement/fee-lines.service';
import { PreAuditService } from '../../src/settlement/pre-audit.service';
import { catalogueServicesOn } from '../../src/settlement/standalone-settlement';
import { VisitRepository } from '../../src/settlement/visit.repository';
import { VisitsService } from '../../src/settlement/visits.service';
import { OutcomeNotifier } from '../../src/settlement/outcome-notifier.service';
import { SettleService } from '../../src/settlement/settle.service';
import { SettlementCancelService } from '../../src/settlement/settlement-cancel.service';
import { SettlementReviewService } from '../../src/settlement/settlement-review.service';
import type { UpstreamCalls } from '../../src/upstream/upstream-calls';
import { SettlementOutcomeService } from '../../src/settlement/settlement-outcome.service';
import { SettlementPreparationService } from '../../src/settlement/settlement-preparation.service';
import { ConversionPreparationService } from '../../src/settlement/conversion-preparation.service';
import { SelfPaidRepository } from '../../src/settlement/self-paid.repository';
import { SettlementReadingService } from '../../src/settlement/settlement-reading.service';
import { SettlementRecordRepository } from '../../src/settlement/settlement-record.repository';
import { SettlementStatementJob } from '../../src/settlement/settlement-statement.job';
import { SettlementStatementService } from '../../src/settlement/settlement-statement.service';
import { JobRunner } from '../../src/platform/jobs/job-runner';
import { SettlementEventsService } from '../../src/settlement/settlement-events.service';
import { InsurerAwayService } from '../../src/settlement/insurer-away.service';
import { DifferencesService } from '../../src/settlement/differences.service';
import { SettlementDifferenceRepository } from '../../src/settlement/settlement-difference.repository';
import { LinkMonitor } from '../../src/upstream/link-monitor';
import { DeviceEvents } from '../../src/devices/device-events';
import { SettlementMetrics } from '../../src/settlement/settlement.metrics';
import { MetricsService } from '../../src/platform/metrics/metrics.service';
import { FormRenderer } from '../../src/forms/render/form-renderer';
import { SettlementStatementRenderer } from '../../src/forms/statement/settlement-statement-renderer';
import type { OutboxService } from '../../src/upstream/outbox/outbox.service';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { traceCodesOn, type TraceCodesWorld } from './trace-codes';

/** HIS, as the settlement tests call the services. */
export const SETTLEMENT_HIS: Principal = { type: 'system', id: 'his-test', name: 'HIS', scopes: ['settlement'] };

/**
 * The forms and identity the pre-audit reads, faked at the constructor: the signed forms of each
 * visit, and the worker behind each token (an unknown token fails as identity's check would).
 */
export class SettlementNeighbours {
  readonly forms = new Map<string, Array<Pick<FormDto, 'id' | 'formNo' | 'kind' | 'signedAt'>>>();
  readonly workers = new Map<string, SettlementWorker>();

  formReader(): FormReadingService {
    return {
      list: async (filter: { visitId?: string; before?: string; limit: number }) => {
        const all = [...(this.forms.get(filter.visitId ?? '') ?? [])].sort((a, b) => (a.id < b.id ? 1 : -1));
        return Promise.resolve(all.filter((f) => !filter.before || f.id < filter.before).slice(0, filter.limit));
      },
    } as unknown as FormReadingService;
  }

  workerService(): VerifiedWorkerService {
    return {
      workerForSettlement: async (token: string | undefined, visitId: string) => {
        const w = this.workers.get(token ?? '');
        if (!w) {
          throw IDENTITY_ERRORS.raise('TOKEN_BAD_SIGNATURE');
        }
        if (w.visitId !== visitId) {
          throw IDENTITY_ERRORS.raise('TOKEN_WRONG_VISIT');
        }
        return Promise.resolve(w);
      },
    } as unknown as VerifiedWorkerService;
  }
}

export interface SettlementVisitsWorld {
  visits: VisitsService;
  lines: FeeLinesService;
  preAudit: PreAuditService;
  catalogue: ReturnType<typeof catalogueServicesOn>;
  traceCodes: TraceCodesWorld;
  neighbours: SettlementNeighbours;
}

/** The settlement visit services on one data source, as SettlementModule wires them. */
export function settlementVisitsOn(ds: DataSource, clock: Clock, config: GatewayConfig): SettlementVisitsWorld {
  const tx = new Transactions(ds);
  const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(generateKeyringDocument('k'))), clock);
  const visits = new VisitRepository();
  const lines = new FeeLineRepository();
  const catalogue = catalogueServicesOn(ds, clock, audit);
  const traceCodes = traceCodesOn(ds, clock);
  const neighbours = new SettlementNeighbours();
  return {
    visits: new VisitsService(tx, clock, audit, visits, lines, neighbours.workerService(), config),
    lines: new FeeLinesService(tx, clock, audit, visits, lines),
    preAudit: new PreAuditService(
      tx,
      config,
      audit,
      visits,
      lines,
      catalogue.mapping,
      traceCodes.settlement,
      neighbours.formReader(),
      neighbours.workerService(),
    ),
    catalogue,
    traceCodes,
    neighbours,
  };
}

export interface SettleWorld {
  settle: SettleService;
  statements: SettlementStatementService;
  /** Not registered with a JobRunner: tests call run() (as the job's sweep would) or soon(). */
  statementJob: SettlementStatementJob;
  outcomes: SettlementOutcomeService;
  cancels: SettlementCancelService;
  reviews: SettlementReviewService;
  reading: SettlementReadingService;
  records: SettlementRecordRepository;
  outbox: OutboxService;
  notifier: OutcomeNotifier;
  tx: Transactions;
  /** The insurer link's mode the settle request reads (emergency: provisional, or refused). */
  monitor: LinkMonitor;
  differences: DifferencesService;
}

/** The settlement use cases on one data source over a visits world, as SettlementModule wires them. */
export function settleOn(
  ds: DataSource,
  clock: Clock,
  config: GatewayConfig,
  w: SettlementVisitsWorld,
  renderer: Pick<SettlementStatementRenderer, 'render'> = new SettlementStatementRenderer(new FormRenderer()),
  /** The insurer's 9201 as IT's requery asks it. */
  calls: Pick<UpstreamCalls, 'queryByMsgid'> = {
    queryByMsgid: () => Promise.reject(new Error('no insurer in this world')),
  },
): SettleWorld {
  const tx = new Transactions(ds);
  const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));
  const audit = auditServiceOn(ds, pii, clock);
  const outbox = standaloneOutbox(ds, config, clock, audit, pii);
  const visits = new VisitRepository();
  const records = new SettlementRecordRepository();
  const notifier = new OutcomeNotifier();
  const preparation = new SettlementPreparationService(
    tx,
    visits,
    w.neighbours.workerService(),
    w.preAudit,
    w.traceCodes.settlement,
    new ConversionPreparationService(tx, clock, audit, w.neighbours.workerService(), visits, new SelfPaidRepository()),
  );
  const reading = new SettlementReadingService(tx, records, visits);
  const deskEvents = new SettlementEventsService(new DeviceEvents(), clock);
  const cancels = new SettlementCancelService(tx, config, clock, audit, outbox, records, reading, deskEvents, notifier);
  const { afterMs, probeIntervalMs } = config.upstream.emergency;
  const monitor = new LinkMonitor(clock, { emergencyAfterMs: afterMs, probeIntervalMs });
  const differenceRows = new SettlementDifferenceRepository();
  const metrics = new SettlementMetrics(new MetricsService());
  const insurerAway = new InsurerAwayService(config, monitor, clock, audit, differenceRows, records, metrics);
  const outcomes = new SettlementOutcomeService(
    outbox,
    records,
    visits,
    w.traceCodes.settlement,
    notifier,
    audit,
    clock,
    deskEvents,
    metrics,
    cancels,
    insurerAway,
  );
  outcomes.onModuleInit();
  const statements = new SettlementStatementService(
    tx,
    config,
    clock,
    pii,
    records,
    visits,
    reading,
    renderer as SettlementStatementRenderer,
  );
  const statementJob = new SettlementStatementJob(new JobRunner(new MetricsService()), clock, outcomes, statements);
  return {
    statements,
    statementJob,
    settle: new SettleService(
      tx,
      config,
      clock,
      audit,
      pii,
      outbox,
      visits,
      records,
      preparation,
      notifier,
      deskEvents,
      insurerAway,
    ),
    outcomes,
    cancels,
    reviews: new SettlementReviewService(
      tx,
      clock,
      audit,
      calls as UpstreamCalls,
      records,
      visits,
      reading,
      outcomes,
      deskEvents,
    ),
    reading,
    records,
    outbox,
    notifier,
    tx,
    monitor,
    differences: new DifferencesService(tx, clock, audit, differenceRows),
  };
}

/** The catalogue mapping the settlement specs import: a dressing (mapped) and a self-pay material (not). */
export const SETTLEMENT_MAPPING_CSV = Buffer.from(
  [
    '院内项目编码,院内项目名称,项目类别,医保目录编码',
    'ZL001,换药（中）,诊疗,001203000010000',
    'CL001,自费敷料,材料,',
  ].join('\r\n'),
  'utf8',
);

/** A fee line as HIS declares it: one dressing (换药) of 30.00 on 2026-11-25, injury-related, unless `over` says otherwise. */
export function dressingLine(lineId: string, over: Record<string, unknown> = {}) {
  return {
    lineId,
    hisItemCode: 'ZL001',
    itemName: '换药（中）',
    kind: 'service' as const,
    count: '1',
    unitPriceFen: 3000,
    amountFen: 3000,
    serviceDate: '2026-11-25',
    injuryRelated: true,
    ...over,
  };
}

/**
 * The insurer's 2207 output for a settlement message, as the sandbox would answer it: injury-related
 * lines the fund's, the others the worker's, and also the worker's those listed in `workers` (the
 * insurer finds them outside its catalogue, which the local pre-audit cannot know).
 */
export function insurerReplyTo(
  message: SettlementMessage,
  setlId: string,
  workers: readonly string[] = [],
): Record<string, unknown> {
  const details = (message.input.feedetail as Array<Record<string, unknown>>).map((d) => {
    const amount = d.det_item_fee_sumamt as number;
    const fund = d.injury_related && !workers.includes(d.feedetl_sn as string) ? amount : 0;
    return { feedetl_sn: d.feedetl_sn, det_item_fee_sumamt: amount, fund_pay_amt: fund, psn_pay_amt: amount - fund };
  });
  const fund = details.reduce((a, d) => a + d.fund_pay_amt * 100, 0) / 100;
  const total = message.input.medfee_sumamt as number;
  return {
    mdtrt_id: message.input.mdtrt_id,
    setl_id: setlId,
    setl_time: '2026-11-25 09:40:00',
    medfee_sumamt: total,
    fund_pay_sumamt: fund,
    psn_pay_sumamt: Math.round((total - fund) * 100) / 100,
    setldetail: details,
  };
}

/** The body of POST /api/v1/settlement/visits opening an outpatient visit at the hand-surgery clinic (the e2e specs' usual visit). */
export function outpatientVisit(visitId: string, psnNo: string, visitDate = '2026-11-25') {
  return {
    visitId,
    psnNo,
    kind: 'outpatient' as const,
    visitDate,
    dept: '手外科',
    diagnosisCode: 'S62.600',
    diagnosisName: '左手食指骨折',
  };
}
