import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import type { CatalogueError } from '../../src/platform/errors/error-catalogue';
import type { SettlementMessage } from '../../src/settlement/rules/settlement-message';
import type { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import type { SettledOutcome } from '../../src/upstream/outbox/outbox.service';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { answerOf, SEED } from '../support/identity-fixtures';
import { poppler, popplerAvailable } from '../support/poppler';
import {
  SETTLEMENT_HIS as HIS,
  settleOn,
  type SettleWorld,
  settlementVisitsOn,
  type SettlementVisitsWorld,
  dressingLine,
  insurerReplyTo,
  SETTLEMENT_MAPPING_CSV,
} from '../support/settlement-visits';
import { testConfig } from '../support/test-config';
import { FixedClock } from '../support/trace-codes';

jest.setTimeout(60_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-away-'));
const WORKER = SEED.activeFingers;
const MAPPING = SETTLEMENT_MAPPING_CSV;
const line = dressingLine;

const replyTo = insurerReplyTo;

describe.each(availableDatabases())('settling while the insurer is away, on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let w: SettlementVisitsWorld;
  let s: SettleWorld;
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  // A long wait: a provisional settlement must be answered at once, never after it.
  const config = testConfig({ settlement: { waitForOutcomeMs: 30_000 }, upstream: { emergency: { afterMs: 1000 } } });
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await ds.query<{ n: number | string }[]>(sql, params))[0].n);

  const visit = async (visitId: string): Promise<string> => {
    await w.visits.open(HIS, {
      visitId,
      psnNo: WORKER.psn_no,
      kind: 'outpatient',
      visitDate: '2026-11-25',
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '左手食指骨折',
    });
    await w.lines.declare(HIS, visitId, [
      line('1'),
      line('2', { injuryRelated: false }),
      line('3', { hisItemCode: 'CL001', itemName: '自费敷料' }),
    ]);
    const token = `tok-${visitId}`;
    // An offline MATCH: the coverage cache stands in for the insurer's 1101 answer.
    w.neighbours.workers.set(token, {
      visitId,
      psnNo: WORKER.psn_no,
      answer: answerOf(WORKER),
      source: 'coverageCache',
    });
    return token;
  };
  const messageOf = async (msgid: string): Promise<OutboxMessage> =>
    (
      await ds.query<OutboxMessage[]>(`SELECT id, msgid, infno, status FROM outbox_message WHERE msgid = ${p(1)}`, [
        msgid,
      ])
    )[0];
  const stateOf = async (visitId: string): Promise<string> =>
    (await ds.query<{ state: string }[]>(`SELECT state FROM settlement_visit WHERE mdtrt_id = ${p(1)}`, [visitId]))[0]
      .state;
  /** The dispatcher settles the 2207 once the insurer is back. */
  const insurerAnswers = async (msgid: string, outcome: (m: SettlementMessage) => SettledOutcome): Promise<void> => {
    const record = await s.records.byMsgid(ds.manager, msgid);
    const message = JSON.parse(record?.message as string) as SettlementMessage;
    await s.tx.run((m) => s.outcomes.settled(m, { msgid } as OutboxMessage, outcome(message)));
  };
  const emergency = (): void => {
    s.monitor.unreachable();
    clock.t = new Date(clock.t.getTime() + 1000);
    s.monitor.unreachable();
    expect(s.monitor.mode).toBe('emergency');
  };

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    w = settlementVisitsOn(ds, clock, config);
    s = settleOn(ds, clock, config, w);
    await w.catalogue.imports.import(HIS, { name: '对码.csv', bytes: MAPPING });
  });
  afterEach(() => s.monitor.reachable());
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('queues the 2207 with the local split marked provisional and answers at once; the same split from the insurer leaves no difference', async () => {
    const token = await visit('MZA1');
    emergency();
    const started = Date.now();
    const { status, settlement } = await s.settle.settle(HIS, 'MZA1', token, 'away-1', '门诊收费1');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(status).toBe(202);
    expect(settlement).toMatchObject({
      status: 'provisional',
      provisional: true,
      setlId: null,
      split: null,
      deskCollectsFen: null,
      sentLineIds: ['1', '2'],
      provisionalSplit: {
        totalFen: 6000,
        fundFen: 3000,
        selfPayFen: 3000,
        // the worker's part of line 2; line 3 has no signed consent: the hospital bears it
        deskCollectsFen: 3000,
        lines: [
          { lineId: '1', amountFen: 3000, fundFen: 3000, selfPayFen: 0, reason: null },
          { lineId: '2', amountFen: 3000, fundFen: 0, selfPayFen: 3000, reason: '非工伤治疗费用' },
        ],
      },
    });
    expect((await messageOf(settlement.msgid)).infno).toBe('2207');
    expect(await stateOf('MZA1')).toBe('settling');
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settlement.settle' AND details LIKE ${p(1)} AND details LIKE ${p(2)}`,
        [`%${settlement.id}%`, '%"provisional":true%'],
      ),
    ).toBe(1);
    const attention = await s.records.needingAttention(ds.manager, new Date('2000-01-01T00:00:00Z'));
    expect(attention.provisional).toBeGreaterThanOrEqual(1);
    // A retried request answers the same provisional settlement; nothing new is queued.
    const again = await s.settle.settle(HIS, 'MZA1', token, 'away-1');
    expect(again).toMatchObject({ status: 202, settlement: { id: settlement.id, status: 'provisional' } });
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key = 'settlement:MZA1'`)).toBe(1);

    s.monitor.reachable();
    await insurerAnswers(settlement.msgid, (m) => ({
      status: 'delivered',
      infcode: 0,
      output: replyTo(m, 'STA1'),
      errMsg: null,
    }));
    const done = await s.reading.get(settlement.id);
    expect(done).toMatchObject({ status: 'settled', setlId: 'STA1', deskCollectsFen: 3000, provisional: true });
    expect(await stateOf('MZA1')).toBe('settled');
    expect(
      await count(`SELECT COUNT(*) AS n FROM settlement_difference WHERE settlement_id = ${p(1)}`, [done.id]),
    ).toBe(0);
  });

  it('lists what the worker still owes when the insurer’s split differs, and staff resolve it once', async () => {
    const token = await visit('MZA2');
    emergency();
    const { settlement } = await s.settle.settle(HIS, 'MZA2', token, 'away-2');
    const pdf = await s.statements.pdf(settlement.id);
    if (popplerAvailable()) {
      const text = poppler('pdftotext', ['-layout', '-', '-'], pdf).toString('utf8');
      expect(text).toContain('临时结算单');
      expect(text).toContain('以经办机构结算结果为准');
      expect(text).toContain(`临时 ${settlement.id}`);
    }
    expect(
      await count(`SELECT COUNT(*) AS n FROM settlement_statement WHERE settlement_id = ${p(1)}`, [settlement.id]),
    ).toBe(0);

    s.monitor.reachable();
    // The insurer finds line 1 outside its catalogue: the worker's, where the pre-audit put it to the fund.
    await insurerAnswers(settlement.msgid, (m) => ({
      status: 'delivered',
      infcode: 0,
      output: replyTo(m, 'STA2', ['1']),
      errMsg: null,
    }));
    expect(await s.reading.get(settlement.id)).toMatchObject({ status: 'settled', deskCollectsFen: 6000 });
    const open = await s.differences.list({ state: 'open' });
    const mine = open.filter((d) => d.settlementId === settlement.id);
    expect(mine).toEqual([
      expect.objectContaining({
        visitId: 'MZA2',
        cause: 'split-differs',
        provisionalFen: 3000,
        finalFen: 6000,
        differenceFen: 3000,
        direction: 'collect',
        state: 'open',
        message: expect.stringContaining('请向患者补收 30.00 元') as string,
      }),
    ]);
    // A second run of the hook (a retried dispatcher) records nothing more.
    await insurerAnswers(settlement.msgid, () => ({ status: 'rejected', infcode: -1, output: null, errMsg: 'x' }));
    expect(
      await count(`SELECT COUNT(*) AS n FROM settlement_difference WHERE settlement_id = ${p(1)}`, [settlement.id]),
    ).toBe(1);

    const resolved = await s.differences.resolve(HIS, mine[0].id, { staff: '张三', note: '已补收 30.00 元' });
    expect(resolved).toMatchObject({ state: 'done', resolutionNote: '已补收 30.00 元' });
    expect(resolved.resolvedBy).toContain('张三');
    const twice = await s.differences
      .resolve(HIS, mine[0].id, { staff: '张三', note: 'x' })
      .catch((e: CatalogueError) => e);
    expect(twice).toMatchObject({ code: 'SETTLEMENT_DIFFERENCE_RESOLVED', status: 409 });
    const unknown = await s.differences
      .resolve(HIS, '00000000-0000-7000-8000-000000000000', { staff: '张三', note: 'x' })
      .catch((e: CatalogueError) => e);
    expect(unknown).toMatchObject({ code: 'SETTLEMENT_DIFFERENCE_NOT_FOUND', status: 404 });
    expect((await s.differences.list({ state: 'open' })).some((d) => d.id === mine[0].id)).toBe(false);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('settlement.difference', 'settlement.difference-resolved') AND details LIKE ${p(1)}`,
        [`%${mine[0].id}%`],
      ),
    ).toBe(2);
    // The final statement replaces the provisional one.
    const finalPdf = await s.statements.pdf(settlement.id);
    expect(
      await count(`SELECT COUNT(*) AS n FROM settlement_statement WHERE settlement_id = ${p(1)}`, [settlement.id]),
    ).toBe(1);
    if (popplerAvailable()) {
      const final = poppler('pdftotext', ['-layout', '-', '-'], finalPdf).toString('utf8');
      expect(final).not.toContain('临时结算单');
      expect(final).toContain('STA2');
    }
  });

  it('a provisional settlement the insurer rejects opens the visit and leaves the fund’s part to collect', async () => {
    const token = await visit('MZA3');
    emergency();
    const { settlement } = await s.settle.settle(HIS, 'MZA3', token, 'away-3');
    s.monitor.reachable();
    await insurerAnswers(settlement.msgid, () => ({
      status: 'rejected',
      infcode: -1,
      output: null,
      errMsg: '参保人工伤认定已撤销',
    }));
    expect(await s.reading.get(settlement.id)).toMatchObject({ status: 'rejected', problem: '参保人工伤认定已撤销' });
    expect(await stateOf('MZA3')).toBe('open');
    const [d] = (await s.differences.list({ state: 'open' })).filter((x) => x.settlementId === settlement.id);
    expect(d).toMatchObject({
      cause: 'rejected',
      provisionalFen: 3000,
      finalFen: 6000,
      differenceFen: 3000,
      direction: 'collect',
    });
  });

  it('refuse: 503 SETTLEMENT_INSURER_DOWN, nothing written or queued, the visit stays open', async () => {
    const refusing = settleOn(
      ds,
      clock,
      {
        ...config,
        settlement: { ...config.settlement, whenInsurerDown: 'refuse', waitForOutcomeMs: 0 },
      },
      w,
    );
    const token = await visit('MZA4');
    refusing.monitor.unreachable();
    clock.t = new Date(clock.t.getTime() + 1000);
    refusing.monitor.unreachable();
    const refused = await refusing.settle.settle(HIS, 'MZA4', token, 'away-4').catch((e: CatalogueError) => e);
    expect(refused).toMatchObject({ code: 'SETTLEMENT_INSURER_DOWN', status: 503 });
    expect((refused as CatalogueError).message).toMatch(/应急/);
    expect(await stateOf('MZA4')).toBe('open');
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key = 'settlement:MZA4'`)).toBe(0);
    expect((await s.reading.ofVisit('MZA4')).length).toBe(0);
    // The link back: the same request settles as usual (pending, not provisional).
    refusing.monitor.reachable();
    const { status, settlement } = await refusing.settle.settle(HIS, 'MZA4', token, 'away-4b');
    expect(status).toBe(202);
    expect(settlement).toMatchObject({ status: 'pending', provisional: false, provisionalSplit: null });
  });
});
