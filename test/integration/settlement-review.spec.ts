import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import type { CatalogueError } from '../../src/platform/errors/error-catalogue';
import type { Principal } from '../../src/platform/auth/principal';
import type { SettlementMessage } from '../../src/settlement/rules/settlement-message';
import type { SettlementDto } from '../../src/settlement/settlement.dto';
import type { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import type { SettledOutcome } from '../../src/upstream/outbox/outbox.service';
import type { StoredReply } from '../../src/upstream/upstream-calls';
import type { ReplyEnvelope } from '../../src/upstream/protocol/envelope';
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
import { FixedClock } from '../support/trace-codes';

jest.setTimeout(60_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-review-'));
const WORKER = SEED.activeFingers;
const IT: Principal = { type: 'api-key', id: 'it-key', name: '信息科', scopes: ['admin'] };
const MAPPING = SETTLEMENT_MAPPING_CSV;
const line = (lineId: string, injuryRelated: boolean) => dressingLine(lineId, { injuryRelated });

const replyTo = insurerReplyTo;

/**
 * The way out of needs-review (IT's requery by 9201 and resolution by hand) and a cancel asked for
 * while the outcome is unknown, on the real database; the insurer's 9201 answer is given at the
 * UpstreamCalls boundary (the e2e spec asks the sandbox insurer itself).
 */
describe.each(availableDatabases())('reviewing and cancelling settlements on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let w: SettlementVisitsWorld;
  let s: SettleWorld;
  /** What the insurer answers to 9201, by msgid (absent: never received). */
  const stored = new Map<string, StoredReply>();
  const queried: string[] = [];
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  const config = testConfig({ settlement: { waitForOutcomeMs: 300 } });
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  const settle = async (visitId: string): Promise<SettlementDto> => {
    await w.visits.open(HIS, {
      visitId,
      psnNo: WORKER.psn_no,
      kind: 'outpatient',
      visitDate: '2026-11-25',
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '左手食指骨折',
    });
    await w.lines.declare(HIS, visitId, [line('1', true), line('2', false)]);
    const token = `tok-${visitId}`;
    w.neighbours.workers.set(token, { visitId, psnNo: WORKER.psn_no, answer: answerOf(WORKER), source: 'insurer' });
    const answer = await s.settle.settle(HIS, visitId, token, undefined);
    expect(answer).toMatchObject({ status: 202, settlement: { status: 'pending' } });
    return answer.settlement;
  };
  const sentOf = async (id: string): Promise<SettlementMessage> =>
    JSON.parse((await s.records.byId(ds.manager, id))?.message as string) as SettlementMessage;
  const hook = async (settlement: SettlementDto, outcome: SettledOutcome): Promise<void> => {
    const [message] = await ds.query<OutboxMessage[]>(
      `SELECT id, msgid, infno FROM outbox_message WHERE msgid = ${p(1)}`,
      [settlement.msgid],
    );
    await s.tx.run((m) => s.outcomes.settled(m, message, outcome));
  };
  const delivered = (output: unknown): SettledOutcome => ({ status: 'delivered', infcode: 0, output, errMsg: null });
  /** A settlement the insurer settled but whose reply fails the checks (its total is off by a fen). */
  const needsReview = async (visitId: string, setlId: string): Promise<SettlementDto> => {
    const pending = await settle(visitId);
    const good = replyTo(await sentOf(pending.id), setlId);
    stored.set(pending.msgid, { reply: { infcode: 0, output: good } as ReplyEnvelope, output: good });
    await hook(pending, delivered({ ...good, fund_pay_sumamt: (good.fund_pay_sumamt as number) + 0.01 }));
    const reviewed = await s.reading.get(pending.id);
    expect(reviewed).toMatchObject({ status: 'needs-review', setlId: null, split: null });
    expect(await stateOf(visitId)).toBe('settling');
    return reviewed;
  };
  const stateOf = async (visitId: string): Promise<string> =>
    (await ds.query<{ state: string }[]>(`SELECT state FROM settlement_visit WHERE mdtrt_id = ${p(1)}`, [visitId]))[0]
      .state;
  const auditOf = async (settlementId: string): Promise<Array<{ action: string; actor: string; details: string }>> =>
    (
      await ds.query<Array<{ action: string; actor: string; details: string }>>(
        `SELECT action, actor_id AS actor, details FROM audit_log WHERE action LIKE 'settlement.%' ORDER BY id`,
      )
    ).filter((a) => a.details.includes(settlementId));
  const queuedFor = async (visitId: string): Promise<string[]> =>
    (
      await ds.query<{ infno: string }[]>(`SELECT infno FROM outbox_message WHERE subject_key = ${p(1)} ORDER BY id`, [
        `settlement:${visitId}`,
      ])
    ).map((r) => r.infno);
  const refusal = (e: unknown) => e as CatalogueError;

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    w = settlementVisitsOn(ds, clock, config);
    s = settleOn(ds, clock, config, w, undefined, {
      queryByMsgid: (msgid: string) => {
        queried.push(msgid);
        return Promise.resolve(stored.get(msgid) ?? null);
      },
    });
    await w.catalogue.imports.import(HIS, { name: '对码.csv', bytes: MAPPING });
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('records a cancel of a pending settlement as a request; once the insurer settles it, the 2208 goes out in the same transaction', async () => {
    const pending = await settle('MZR1');
    const requested = await s.cancels.cancel(HIS, pending.id, { reason: '患者要求', staff: '张三' });
    expect(requested).toMatchObject({
      status: 'pending',
      cancelReason: '张三：患者要求',
      cancelRequested: { at: '2026-11-25T01:00:00.000Z', state: 'waiting' },
    });
    const twice = await s.cancels.cancel(HIS, pending.id, { reason: '再次', staff: '张三' }).catch(refusal);
    expect(twice).toMatchObject({
      code: 'SETTLEMENT_NOT_CANCELLABLE',
      status: 409,
      message: expect.stringMatching(/已申请撤销/),
    });
    expect(await queuedFor('MZR1')).toEqual(['2207']);

    await hook(pending, delivered(replyTo(await sentOf(pending.id), 'STR1')));
    const cancelling = await s.reading.get(pending.id);
    expect(cancelling).toMatchObject({ status: 'cancelling', setlId: 'STR1', cancelRequested: { state: 'sent' } });
    expect(await queuedFor('MZR1')).toEqual(['2207', '2208']);
    expect(await stateOf('MZR1')).toBe('settled');
    expect((await auditOf(pending.id)).map((a) => [a.action, a.actor])).toEqual([
      ['settlement.settle', 'his-test'],
      ['settlement.cancel-request', 'his-test'],
      ['settlement.settled', 'upstream.dispatcher'],
      ['settlement.cancel', 'upstream.dispatcher'],
    ]);

    const record = await s.records.byId(ds.manager, pending.id);
    await s.tx.run((m) => s.outcomes.cancelled(m, { msgid: record?.cancelMsgid } as OutboxMessage, delivered({})));
    expect(await s.reading.get(pending.id)).toMatchObject({ status: 'cancelled' });
    expect(await stateOf('MZR1')).toBe('open');
  });

  it('a cancel requested before the insurer refuses the settlement is moot: nothing to cancel, nothing sent', async () => {
    const pending = await settle('MZR2');
    await s.cancels.cancel(HIS, pending.id, { reason: '患者要求', staff: '李四' });
    await hook(pending, { status: 'rejected', infcode: -1, output: null, errMsg: '人员编号不存在' });
    expect(await s.reading.get(pending.id)).toMatchObject({
      status: 'rejected',
      cancelRequested: { state: 'moot' },
    });
    expect(await queuedFor('MZR2')).toEqual(['2207']);
    expect(await stateOf('MZR2')).toBe('open');
    expect((await auditOf(pending.id)).map((a) => a.action)).toContain('settlement.cancel-moot');
  });

  it('requery: the insurer’s stored reply (9201) passes the checks → settled as the outcome hook records it', async () => {
    const review = await needsReview('MZR3', 'STR3');
    const listed = await s.reviews.list({ status: 'needs-review' });
    expect(listed.map((r) => r.id)).toContain(review.id);

    const settled = await s.reviews.review(IT, review.id, { action: 'requery', staff: '王工' });
    expect(queried).toContain(review.msgid);
    expect(settled).toMatchObject({
      status: 'settled',
      setlId: 'STR3',
      problem: null,
      split: { totalFen: 6000, fundFen: 3000, selfPayFen: 3000 },
      deskCollectsFen: 3000,
    });
    expect(await stateOf('MZR3')).toBe('settled');
    const audit = await auditOf(review.id);
    expect(audit.map((a) => [a.action, a.actor])).toEqual(
      expect.arrayContaining([
        ['settlement.settled', 'it-key'],
        ['settlement.review', 'it-key'],
      ]),
    );
    expect(audit.find((a) => a.action === 'settlement.review')?.details).toContain('王工');
    expect((await s.reviews.list({ status: 'needs-review' })).map((r) => r.id)).not.toContain(review.id);
    const again = await s.reviews.review(IT, review.id, { action: 'requery', staff: '王工' }).catch(refusal);
    expect(again).toMatchObject({ code: 'SETTLEMENT_NOT_IN_REVIEW', status: 409 });
  });

  it('requery: a stored reply that still fails, or a msgid the insurer never received, leaves it in needs-review with the new problem', async () => {
    const review = await needsReview('MZR4', 'STR4');
    const bad = { ...(stored.get(review.msgid)?.output as Record<string, unknown>), medfee_sumamt: 1 };
    stored.set(review.msgid, { reply: { infcode: 0, output: bad } as ReplyEnvelope, output: bad });
    const still = await s.reviews.review(IT, review.id, { action: 'requery', staff: '王工' });
    expect(still).toMatchObject({
      status: 'needs-review',
      problem: expect.stringMatching(/^9201 requery: medfee_sumamt/),
    });
    stored.delete(review.msgid);
    const unknown = await s.reviews.review(IT, review.id, { action: 'requery', staff: '王工' });
    expect(unknown.problem).toMatch(/never received/);
    expect(await stateOf('MZR4')).toBe('settling');
    expect((await auditOf(review.id)).filter((a) => a.action === 'settlement.review')).toHaveLength(2);
  });

  it('resolve not-settled: rejected with IT’s note, the visit open again and settled anew', async () => {
    const review = await needsReview('MZR5', 'STR5');
    const rejected = await s.reviews.review(IT, review.id, {
      action: 'resolve',
      outcome: 'not-settled',
      staff: '王工',
      note: '电话核实：经办机构无此结算',
      evidence: '工单 2026-118',
    });
    expect(rejected).toMatchObject({
      status: 'rejected',
      problem: '信息科确认经办机构未结算（王工）：电话核实：经办机构无此结算',
    });
    expect(await stateOf('MZR5')).toBe('open');
    const again = await s.settle.settle(HIS, 'MZR5', 'tok-MZR5', undefined);
    expect(again).toMatchObject({ status: 202, settlement: { status: 'pending' } });
    expect(again.settlement.id).not.toBe(review.id);
  });

  it('resolve settled: the insurer’s setl_id and split go through the checks of a reply; a cancel requested meanwhile goes out at once', async () => {
    const review = await needsReview('MZR6', 'STR6');
    const requested = await s.cancels.cancel(HIS, review.id, { reason: '退费', staff: '张三' });
    expect(requested).toMatchObject({ status: 'needs-review', cancelRequested: { state: 'waiting' } });
    const confirm = {
      action: 'resolve' as const,
      outcome: 'settled' as const,
      staff: '王工',
      note: '医保经办平台查询：已结算',
      setlId: 'STR6',
      setlTime: '2026-11-25 09:40:00',
      fundFen: 3000,
      selfPayFen: 3000,
    };
    const unsplit = await s.reviews.review(IT, review.id, confirm).catch(refusal);
    expect(unsplit).toMatchObject({ code: 'SETTLEMENT_REVIEW_SPLIT_INVALID', status: 422 });
    const off = await s.reviews
      .review(IT, review.id, {
        ...confirm,
        fundFen: 2999,
        lines: [
          { lineId: '1', fundFen: 2999, selfPayFen: 0 },
          { lineId: '2', fundFen: 0, selfPayFen: 3000 },
        ],
      })
      .catch(refusal);
    expect(off).toMatchObject({
      code: 'SETTLEMENT_REVIEW_SPLIT_INVALID',
      details: [{ message: expect.stringMatching(/differs from the 6000 fen sent/) }],
    });
    expect(await stateOf('MZR6')).toBe('settling');

    const lines = [
      { lineId: '1', fundFen: 3000, selfPayFen: 0 },
      { lineId: '2', fundFen: 0, selfPayFen: 3000 },
    ];
    const done = await s.reviews.review(IT, review.id, { ...confirm, lines });
    expect(done).toMatchObject({
      status: 'cancelling',
      setlId: 'STR6',
      split: { totalFen: 6000, fundFen: 3000, selfPayFen: 3000 },
      cancelRequested: { state: 'sent' },
    });
    expect(await queuedFor('MZR6')).toEqual(['2207', '2208']);
    expect((await auditOf(review.id)).map((a) => a.action)).toEqual([
      'settlement.settle',
      'settlement.needs-review',
      'settlement.cancel-request',
      'settlement.settled',
      'settlement.review',
      'settlement.cancel',
    ]);
  });
});
