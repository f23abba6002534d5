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
import { FormRenderer } from '../../src/forms/render/form-renderer';
import { SettlementStatementRenderer } from '../../src/forms/statement/settlement-statement-renderer';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { answerOf, SEED } from '../support/identity-fixtures';
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
import { eventually } from '../support/eventually';
import { FixedClock } from '../support/trace-codes';

jest.setTimeout(60_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-settle-'));
const WORKER = SEED.activeFingers;
const MAPPING = SETTLEMENT_MAPPING_CSV;
const line = dressingLine;

const replyTo = insurerReplyTo;

describe.each(availableDatabases())('settling a visit on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let database: Awaited<ReturnType<typeof testDatabase>>['database'];
  let w: SettlementVisitsWorld;
  let s: SettleWorld;
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  const config = testConfig({ settlement: { waitForOutcomeMs: 1000 } });
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await ds.query<{ n: number | string }[]>(sql, params))[0].n);
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  /** An open outpatient visit with two service lines (one not injury related) and one unmapped consented-less line. */
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
    w.neighbours.workers.set(token, { visitId, psnNo: WORKER.psn_no, answer: answerOf(WORKER), source: 'insurer' });
    return token;
  };
  const messageOf = async (msgid: string): Promise<OutboxMessage> =>
    (await ds.query<OutboxMessage[]>(`SELECT id, msgid, infno FROM outbox_message WHERE msgid = ${p(1)}`, [msgid]))[0];
  const settleHook = (message: OutboxMessage, outcome: SettledOutcome) =>
    s.tx.run((m) => s.outcomes.settled(m, message, outcome));
  const stateOf = async (visitId: string): Promise<string> =>
    (await ds.query<{ state: string }[]>(`SELECT state FROM settlement_visit WHERE mdtrt_id = ${p(1)}`, [visitId]))[0]
      .state;

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    database = t.database;
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    w = settlementVisitsOn(ds, clock, config);
    s = settleOn(ds, clock, config, w);
    await w.catalogue.imports.import(HIS, { name: '对码.csv', bytes: MAPPING });
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('writes the settlement record and its 2207 message together, locks the visit, and answers 202 while the outcome is unknown', async () => {
    const token = await visit('MZS1');
    const { status, settlement } = await s.settle.settle(HIS, 'MZS1', token, undefined);
    expect(status).toBe(202);
    expect(settlement).toMatchObject({
      visitId: 'MZS1',
      status: 'pending',
      infno: '2207',
      sentLineIds: ['1', '2'],
      localSelfPay: [{ lineId: '3', amountFen: 3000, reason: 'not-mapped' }],
    });
    const message = await messageOf(settlement.msgid);
    expect(message.infno).toBe('2207');
    expect(await stateOf('MZS1')).toBe('settling');
    await expect(w.lines.declare(HIS, 'MZS1', [line('4')])).rejects.toMatchObject({
      code: 'SETTLEMENT_VISIT_SETTLED',
    });
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settlement.settle'`)).toBe(1);
  });

  it('answers a retried request with the same settlement: same key, or no key while the visit has a live one', async () => {
    const token = await visit('MZS2');
    const first = await s.settle.settle(HIS, 'MZS2', token, 'key-2');
    const again = await s.settle.settle(HIS, 'MZS2', token, 'key-2');
    const keyless = await s.settle.settle(HIS, 'MZS2', token, undefined);
    expect(again.settlement.id).toBe(first.settlement.id);
    expect(keyless.settlement.id).toBe(first.settlement.id);
    const other = await s.settle.settle(HIS, 'MZS2', token, 'key-2b').catch((e: CatalogueError) => e);
    expect(other).toMatchObject({ code: 'SETTLEMENT_IN_PROGRESS', status: 409 });
    const token3 = await visit('MZS3');
    const misused = await s.settle.settle(HIS, 'MZS3', token3, 'key-2').catch((e: CatalogueError) => e);
    expect(misused).toMatchObject({ code: 'SETTLEMENT_IDEMPOTENCY_CONFLICT', status: 409 });
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM settlement_record r JOIN settlement_visit v ON v.id = r.visit_id WHERE v.mdtrt_id IN ('MZS2', 'MZS3')`,
      ),
    ).toBe(1);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key IN ('settlement:MZS2', 'settlement:MZS3')`,
      ),
    ).toBe(1);
  });

  it('records the insurer’s split when the message settles, wakes the waiting request, and locks the visit as settled', async () => {
    const token = await visit('MZS4');
    // The request waits for the outcome far longer than this test takes (not settlement.waitForOutcomeMs,
    // 1 s, which a busy machine can use up before the hook below has run): only the hook's wake answers it.
    const realWait = s.notifier.wait.bind(s.notifier);
    const waits = jest.spyOn(s.notifier, 'wait').mockImplementation((id) => realWait(id, 60_000));
    let answered = false;
    const waiting = s.settle.settle(HIS, 'MZS4', token, 'key-4').finally(() => (answered = true));
    try {
      await eventually(() => waits.mock.calls.length > 0, 'the request to wait for the outcome');
    } finally {
      waits.mockRestore();
    }
    // The dispatcher settles the message while the request waits.
    const msgid = (await s.reading.ofVisit('MZS4'))[0]?.msgid;
    expect(msgid).toBeDefined();
    const record = await s.records.byMsgid(ds.manager, msgid);
    const message = JSON.parse(record?.message as string) as SettlementMessage;
    await settleHook(await messageOf(msgid), {
      status: 'delivered',
      infcode: 0,
      output: replyTo(message, 'ST0001'),
      errMsg: null,
    });
    await eventually(() => answered, 'the outcome hook to wake the waiting request');
    const answer = await waiting;
    expect(answer.status).toBe(201);
    expect(answer.settlement).toMatchObject({
      status: 'settled',
      setlId: 'ST0001',
      split: { totalFen: 6000, fundFen: 3000, selfPayFen: 3000 },
      // The worker's part of line 2; line 3 has no signed consent: the hospital bears it.
      deskCollectsFen: 3000,
    });
    expect(await stateOf('MZS4')).toBe('settled');
    // A second run of the hook (a retried dispatcher) changes nothing.
    await settleHook(await messageOf(msgid), { status: 'rejected', infcode: -1, output: null, errMsg: 'x' });
    expect((await s.reading.get(answer.settlement.id)).status).toBe('settled');

    // Cancelled: 2208 queued with the status change; twice is refused; the insurer's yes opens the visit.
    const cancelling = await s.cancels.cancel(HIS, answer.settlement.id, { reason: '患者要求', staff: '张三' });
    expect(cancelling.status).toBe('cancelling');
    const twice = await s.cancels
      .cancel(HIS, answer.settlement.id, { reason: '再次', staff: '张三' })
      .catch((e: CatalogueError) => e);
    expect(twice).toMatchObject({ code: 'SETTLEMENT_NOT_CANCELLABLE', status: 409 });
    const cancelMsgid = (await s.records.byId(ds.manager, answer.settlement.id))?.cancelMsgid as string;
    expect((await messageOf(cancelMsgid)).infno).toBe('2208');
    await s.tx.run((m) =>
      s.outcomes.cancelled(m, { msgid: cancelMsgid } as OutboxMessage, {
        status: 'delivered',
        infcode: 0,
        output: {},
        errMsg: null,
      }),
    );
    expect((await s.reading.get(answer.settlement.id)).status).toBe('cancelled');
    expect(await stateOf('MZS4')).toBe('open');
  });

  it('a rejection opens the visit again; a reply that fails the checks is needs-review, never a split', async () => {
    const token = await visit('MZS5');
    const first = await s.settle.settle(HIS, 'MZS5', token, undefined);
    await settleHook(await messageOf(first.settlement.msgid), {
      status: 'rejected',
      infcode: -1,
      output: null,
      errMsg: '人员编号不存在',
    });
    expect((await s.reading.get(first.settlement.id)).status).toBe('rejected');
    expect(await stateOf('MZS5')).toBe('open');
    const again = await s.settle.settle(HIS, 'MZS5', token, undefined).catch((e: CatalogueError) => e);
    // No key: the rejected settlement does not hold the visit; a new one is sent.
    expect(again).toMatchObject({ status: 202, settlement: { status: 'pending' } });
    const second = (again as { settlement: { id: string; msgid: string } }).settlement;
    expect(second.id).not.toBe(first.settlement.id);
    const record = await s.records.byId(ds.manager, second.id);
    const message = JSON.parse(record?.message as string) as SettlementMessage;
    await settleHook(await messageOf(second.msgid), {
      status: 'delivered',
      infcode: 0,
      output: { ...replyTo(message, 'ST0002'), medfee_sumamt: 1 },
      errMsg: null,
    });
    const reviewed = await s.reading.get(second.id);
    expect(reviewed).toMatchObject({ status: 'needs-review', split: null, setlId: null });
    expect(reviewed.problem).toMatch(/medfee_sumamt/);
    expect(await stateOf('MZS5')).toBe('settling');
    // /health's counts: pending since before the cutoff (outcome unknown), and needs-review.
    const n = async (status: string): Promise<number> =>
      Number(
        (
          await ds.query<{ n: string | number }[]>(
            `SELECT COUNT(*) AS n FROM settlement_record WHERE status = '${status}'`,
          )
        )[0].n,
      );
    const reviews = await n('needs-review');
    expect(reviews).toBeGreaterThanOrEqual(1);
    await expect(s.records.needingAttention(ds.manager, new Date('2000-01-01T00:00:00Z'))).resolves.toEqual({
      unknown: 0,
      needsReview: reviews,
      provisional: 0,
    });
    await expect(s.records.needingAttention(ds.manager, new Date('2100-01-01T00:00:00Z'))).resolves.toEqual({
      unknown: await n('pending'),
      needsReview: reviews,
      provisional: 0,
    });
  });

  it('refuses a token for another visit before anything is written', async () => {
    await visit('MZS6');
    const token7 = await visit('MZS7');
    const pending = await s.settle.settle(HIS, 'MZS7', token7, undefined);
    // Cancelling while the outcome is unknown records a cancel request (settlement-review.spec.ts).
    const early = await s.cancels.cancel(HIS, pending.settlement.id, { reason: 'x', staff: 'y' });
    expect(early).toMatchObject({ status: 'pending', cancelRequested: { state: 'waiting' } });
    const refused = await s.settle.settle(HIS, 'MZS6', token7, undefined).catch((e: CatalogueError) => e);
    expect(refused).toMatchObject({ code: 'TOKEN_WRONG_VISIT', status: 403 });
    const none = await s.settle.settle(HIS, 'MZS6', undefined, undefined).catch((e: CatalogueError) => e);
    expect(none).toMatchObject({ code: 'TOKEN_MISSING', status: 403 });
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key = 'settlement:MZS6'`)).toBe(0);
  });

  it('refuses a token for this visit whose person is not the visit’s (TOKEN_WRONG_PERSON), nothing queued', async () => {
    const token = await visit('MZS9');
    w.neighbours.workers.set(token, {
      visitId: 'MZS9',
      psnNo: `${WORKER.psn_no}X`,
      answer: answerOf(WORKER, (a) => ({ ...a, baseinfo: { ...a.baseinfo, psn_no: `${WORKER.psn_no}X` } })),
      source: 'insurer',
    });
    const refused = await s.settle.settle(HIS, 'MZS9', token, undefined).catch((e: CatalogueError) => e);
    expect(refused).toMatchObject({ code: 'TOKEN_WRONG_PERSON', status: 403 });
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key = 'settlement:MZS9'`)).toBe(0);
  });

  it('renders the statement off the settle path: not by the outcome hook, by the statements job (a failure is left for the next run) or by GET', async () => {
    const seen: string[] = [];
    let fail = true;
    const real = new SettlementStatementRenderer(new FormRenderer());
    const flaky = settleOn(ds, clock, config, w, {
      render: async (data) => {
        // Called outside the settling transaction: a fresh reader already sees the settlement settled.
        const rows = await ds.query<{ status: string }[]>(
          `SELECT status FROM settlement_record WHERE setl_id = ${p(1)}`,
          [data.statementNo],
        );
        seen.push(rows[0]?.status ?? 'none');
        if (fail) {
          throw new Error('font missing');
        }
        return real.render(data);
      },
    });
    const statementsOf = (id: string): Promise<number> =>
      count(`SELECT COUNT(*) AS n FROM settlement_statement WHERE settlement_id = ${p(1)}`, [id]);
    const token = await visit('MZS10');
    const started = await flaky.settle.settle(HIS, 'MZS10', token, undefined);
    const record = await flaky.records.byId(ds.manager, started.settlement.id);
    const message = JSON.parse(record?.message as string) as SettlementMessage;
    await flaky.tx.run((m) =>
      flaky.outcomes.settled(m, { msgid: started.settlement.msgid } as OutboxMessage, {
        status: 'delivered',
        infcode: 0,
        output: replyTo(message, 'ST0010'),
        errMsg: null,
      }),
    );
    // The outcome hook and its after-commit step render nothing: the waiting request is answered first.
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
    expect((await flaky.reading.get(started.settlement.id)).status).toBe('settled');
    // The job's run renders it; a failure leaves the settlement settled, no statement, the run failed.
    await expect(flaky.statementJob.run()).rejects.toThrow(started.settlement.id);
    expect(seen).toEqual(['settled']);
    expect((await flaky.reading.get(started.settlement.id)).status).toBe('settled');
    expect(await statementsOf(started.settlement.id)).toBe(0);
    // The next run renders and stores it (settlements of earlier tests, under another PII key, may still fail).
    fail = false;
    const second = await flaky.statementJob.run().catch((e: Error) => e.message);
    expect(String(second)).not.toContain(started.settlement.id);
    const stored = await flaky.records.statement(ds.manager, started.settlement.id);
    expect(stored?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await flaky.statements.missing(new Date(0), 100)).not.toContain(started.settlement.id);
    const pdf = await flaky.statements.pdf(started.settlement.id);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(Buffer.from(stored?.pdfBase64 as string, 'base64').equals(pdf)).toBe(true);
    expect(seen).toHaveLength(2); // GET served the stored one
    // GET renders a missing statement at once, without the job.
    const token12 = await visit('MZS30');
    const other = await flaky.settle.settle(HIS, 'MZS30', token12, undefined);
    const otherMessage = JSON.parse((await flaky.records.byId(ds.manager, other.settlement.id))?.message as string);
    await flaky.tx.run((m) =>
      flaky.outcomes.settled(m, { msgid: other.settlement.msgid } as OutboxMessage, {
        status: 'delivered',
        infcode: 0,
        output: replyTo(otherMessage as SettlementMessage, 'ST0012'),
        errMsg: null,
      }),
    );
    expect((await flaky.statements.pdf(other.settlement.id)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await statementsOf(other.settlement.id)).toBe(1);
    // A settlement the insurer did not settle has no statement, and the job does not take it.
    const token11 = await visit('MZS11');
    const pendingOne = await flaky.settle.settle(HIS, 'MZS11', token11, undefined);
    await expect(flaky.statements.pdf(pendingOne.settlement.id)).rejects.toMatchObject({
      code: 'SETTLEMENT_STATEMENT_NOT_AVAILABLE',
    });
    expect(await flaky.statements.missing(new Date(0), 100)).not.toContain(pendingOne.settlement.id);
  });

  it('refuses a visit the pre-audit refuses (422, the refusing findings in details) and queues nothing', async () => {
    const token = await visit('MZS14');
    await w.lines.declare(HIS, 'MZS14', [
      line('4', { hisItemCode: 'ZZ404', itemName: '无对码药品', kind: 'drug', daysOfSupply: 3 }),
      line('5', { amountFen: 2999 }),
    ]);
    const refused = await s.settle.settle(HIS, 'MZS14', token, undefined).catch((e: CatalogueError) => e);
    expect(refused).toMatchObject({ code: 'SETTLEMENT_PRE_AUDIT_REFUSED', status: 422 });
    const details = (refused as CatalogueError).details ?? [];
    expect(details.length).toBeGreaterThan(0);
    expect(details.map((d) => d.field)).toContain('lines.5');
    expect(details.every((d) => typeof d.code === 'string' && d.message.length > 0)).toBe(true);
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key = 'settlement:MZS14'`)).toBe(0);
    expect(await stateOf('MZS14')).toBe('open');
  });

  it('settles an inpatient stay with 2304 once it is discharged; without a discharge date it is incomplete', async () => {
    // The MATCH of the admissions desk: admission and discharge carry it (协议 33).
    w.neighbours.workers.set('tok-ZYS1', {
      visitId: 'ZYS1',
      psnNo: WORKER.psn_no,
      answer: answerOf(WORKER),
      source: 'insurer',
    });
    await w.visits.open(
      HIS,
      {
        visitId: 'ZYS1',
        psnNo: WORKER.psn_no,
        kind: 'inpatient',
        admissionDate: '2026-11-20',
        ward: '一病区',
        dept: '手外科',
        diagnosisCode: 'S62.600',
        diagnosisName: '左手食指骨折',
      },
      'tok-ZYS1',
    );
    await w.lines.declare(HIS, 'ZYS1', [line('1', { serviceDate: '2026-11-21' })]);
    const early = await s.settle.settle(HIS, 'ZYS1', 'tok-ZYS1', undefined).catch((e: CatalogueError) => e);
    expect(early).toMatchObject({ code: 'SETTLEMENT_VISIT_INCOMPLETE', status: 422 });
    await w.visits.update(HIS, 'ZYS1', { dischargeDate: '2026-11-24' }, 'tok-ZYS1');
    const { settlement } = await s.settle.settle(HIS, 'ZYS1', 'tok-ZYS1', undefined);
    expect(settlement).toMatchObject({ infno: '2304', kind: 'inpatient', status: 'pending' });
    const record = await s.records.byId(ds.manager, settlement.id);
    expect((JSON.parse(record?.message as string) as SettlementMessage).input).toMatchObject({
      adm_date: '2026-11-20',
      dscg_date: '2026-11-24',
    });
    expect((await messageOf(settlement.msgid)).infno).toBe('2304');
  });

  if (kind === 'postgres') {
    it('two gateway instances (two data sources) settling the same visit at once make exactly one settlement', async () => {
      const token = await visit('MZS8');
      const ds2 = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
      try {
        const w2 = settlementVisitsOn(ds2, clock, config);
        w2.neighbours.workers.set(token, w.neighbours.workers.get(token) as never);
        const s2 = settleOn(ds2, clock, config, w2);
        const results = await Promise.allSettled([
          s.settle.settle(HIS, 'MZS8', token, undefined),
          s2.settle.settle(HIS, 'MZS8', token, undefined),
        ]);
        const ids = results.map((r) => (r.status === 'fulfilled' ? r.value.settlement.id : String(r.reason)));
        expect(new Set(ids).size).toBe(1);
        expect(await count(`SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key = 'settlement:MZS8'`)).toBe(1);

        // One key for two visits at once: one settlement, the other request 409 with nothing left behind.
        const tokenA = await visit('MZS12');
        const tokenB = await visit('MZS13');
        w2.neighbours.workers.set(tokenB, w.neighbours.workers.get(tokenB) as never);
        const both = await Promise.allSettled([
          s.settle.settle(HIS, 'MZS12', tokenA, 'shared-key'),
          s2.settle.settle(HIS, 'MZS13', tokenB, 'shared-key'),
        ]);
        expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(both.find((r) => r.status === 'rejected')).toMatchObject({
          reason: { code: 'SETTLEMENT_IDEMPOTENCY_CONFLICT', status: 409 },
        });
        expect(
          await count(
            `SELECT COUNT(*) AS n FROM outbox_message WHERE subject_key IN ('settlement:MZS12', 'settlement:MZS13')`,
          ),
        ).toBe(1);
        expect(
          await count(
            `SELECT COUNT(*) AS n FROM settlement_visit WHERE mdtrt_id IN ('MZS12', 'MZS13') AND state = 'open'`,
          ),
        ).toBe(1);
      } finally {
        await ds2.destroy();
      }
    });
  }
});
