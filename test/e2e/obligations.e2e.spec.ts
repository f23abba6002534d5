import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { obligationsCommand } from '../../src/cli/obligations.command';
import { CliError } from '../../src/cli/cli-io';
import { ObligationsService } from '../../src/obligations/obligations.service';
import { OBLIGATIONS_DEADLINES_JOB } from '../../src/obligations/obligations.job';
import { ScheduledSlots } from '../../src/obligations/scheduled-slots.service';
import { JobRunner } from '../../src/platform';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { PinnedClock } from '../support/pinned-clock';

jest.setTimeout(60_000);

const DAY = 86_400_000;
/**
 * Beijing 10:00 on Tuesday 2026-09-29: 5 working days later is Monday 2026-10-12 (30 September, then
 * 国庆 1–7 October off, 8, 9, Saturday 10 October worked, 12).
 */
const SETTLED_AT = new Date('2026-09-29T02:00:00Z');

/**
 * Issue 14, point 2: one model of a duty with a due date, over HTTP on both databases — opened
 * idempotently on its subject with the due day counted on the working-day calendar, listed and
 * filtered by staff with the operations (or admin) scope, made late when its day passes, fulfilled
 * with evidence, waived with a reason (audited), in /health and /metrics; and scheduled slots that
 * exactly one caller claims.
 */
describe.each(availableDatabases())('duties with deadlines over HTTP on %s', (kind: DbKind) => {
  let t: TestApp;
  let clock: PinnedClock;
  let obligations: ObligationsService;
  let operations: string;
  let desk: string;
  let cleanup: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'gw-obligations-e2e-'));

  beforeAll(async () => {
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    clock = new PinnedClock(SETTLED_AT);
    t = await startTestApp({ database: db.database }, undefined, { clock });
    obligations = t.app.get(ObligationsService);
    operations = await t.token(['operations']);
    desk = await t.token(['settlement']);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const api = (token: string, path: string) =>
    request(t.app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`);

  it('opens a duty once per subject, due 5 working days after its event across 国庆', async () => {
    const first = await obligations.open({
      kind: 'cross-province-upload',
      subjectType: 'settlement',
      subjectId: 'S-1',
      rule: 'R11 协议31–33: 5 working days after settlement',
      from: SETTLED_AT,
      due: { workingDays: 5 },
      detail: { waitingFor: ['diagnosis'] },
    });
    expect(first).toMatchObject({ state: 'open', dueOn: '2026-10-12', dueConfirmed: true, owedBy: 'hospital' });
    const again = await obligations.open({
      kind: 'cross-province-upload',
      subjectType: 'settlement',
      subjectId: 'S-1',
      rule: 'other',
      from: new Date(SETTLED_AT.getTime() + 3 * DAY),
      due: { workingDays: 5 },
    });
    expect(again.id).toBe(first.id);
    expect(again.dueOn).toBe('2026-10-12');

    await obligations.open({
      kind: 'audit-result',
      subjectType: 'settlement',
      subjectId: 'S-1',
      owedBy: 'insurer',
      rule: 'R18 办法16: 30 days after settlement',
      from: SETTLED_AT,
      due: { days: 30 },
    });
    await obligations.open({
      kind: 'monthly-declaration',
      subjectType: 'month',
      subjectId: '2026-09',
      rule: 'R13 协议29',
      from: SETTLED_AT,
      due: { on: '2026-10-15' },
    });
  });

  it('lists and filters for the operations scope; other scopes are refused', async () => {
    const all = await api(operations, '/api/v1/obligations').expect(200);
    expect((all.body as { kind: string }[]).map((o) => o.kind).sort()).toEqual([
      'audit-result',
      'cross-province-upload',
      'monthly-declaration',
    ]);
    const byKind = await api(operations, '/api/v1/obligations?kind=audit-result').expect(200);
    expect(byKind.body).toEqual([
      expect.objectContaining({ subjectId: 'S-1', owedBy: 'insurer', dueOn: '2026-10-29', overdue: false }),
    ]);
    const dueBefore = await api(operations, '/api/v1/obligations?dueBefore=2026-10-13').expect(200);
    expect((dueBefore.body as { kind: string }[]).map((o) => o.kind)).toEqual(['cross-province-upload']);
    const bad = await api(operations, '/api/v1/obligations?state=finished').expect(400);
    expect(JSON.stringify(bad.body)).toContain('state');
    await api(desk, '/api/v1/obligations').expect(403);
    const health = await request(t.app.getHttpServer()).get('/health');
    expect(health.body.components.obligations).toMatchObject({ status: 'up' });
  });

  it('a duty whose day passed is late: /health degraded, /metrics counts it; fulfilled late it stays late', async () => {
    clock.advance(13 * DAY); // Beijing 2026-10-12 10:00: the due day itself, still in time
    await t.app.get(JobRunner).runNow(OBLIGATIONS_DEADLINES_JOB);
    expect((await obligations.find('cross-province-upload', 'S-1'))?.state).toBe('open');

    clock.advance(DAY); // 2026-10-13: the day after
    await t.app.get(JobRunner).runNow(OBLIGATIONS_DEADLINES_JOB);
    const late = await obligations.find('cross-province-upload', 'S-1');
    expect(late).toMatchObject({ state: 'late', fulfilledAt: null });

    const health = await request(t.app.getHttpServer()).get('/health');
    expect(health.body.components.obligations).toMatchObject({
      status: 'degraded',
      overdue: { 'cross-province-upload': 1 },
    });
    expect(health.body.components.obligations.detail).toContain('1 cross-province-upload');
    const overdue = await api(operations, '/api/v1/obligations?overdue=true').expect(200);
    expect(overdue.body).toEqual([expect.objectContaining({ subjectId: 'S-1', state: 'late', overdue: true })]);

    const metrics = await request(t.app.getHttpServer()).get('/metrics');
    expect(metrics.text).toMatch(
      /gateway_obligations\{kind="cross-province-upload",state="late",owed_by="hospital"\} 1/,
    );
    expect(metrics.text).toMatch(/gateway_obligations_overdue\{kind="cross-province-upload",owed_by="hospital"\} 1/);

    await obligations.recordAttempt('cross-province-upload', 'S-1', 'insurer unavailable (HTTP 503)');
    const fulfilled = await obligations.fulfil('cross-province-upload', 'S-1', {
      receipt_id: 'R-1',
      warn_msg: '超过5个工作日上传',
    });
    expect(fulfilled).toMatchObject({
      state: 'late',
      attempts: 1,
      lastError: null,
      evidence: { receipt_id: 'R-1', warn_msg: '超过5个工作日上传' },
    });
    expect(fulfilled?.fulfilledAt).toEqual(clock.now());
    // A second fulfilment does not replace the first evidence.
    await obligations.fulfil('cross-province-upload', 'S-1', { receipt_id: 'R-2' });
    expect((await obligations.find('cross-province-upload', 'S-1'))?.evidence).toEqual({
      receipt_id: 'R-1',
      warn_msg: '超过5个工作日上传',
    });
    const after = await request(t.app.getHttpServer()).get('/health');
    expect(after.body.components.obligations).toMatchObject({ status: 'up' });
  });

  it('a duty fulfilled in time is done', async () => {
    const o = await obligations.fulfil('monthly-declaration', '2026-09', { receipt_id: 'D-1' });
    expect(o).toMatchObject({ state: 'done', evidence: { receipt_id: 'D-1' } });
  });

  it('staff waive a duty with a reason (audited); a closed one cannot be waived', async () => {
    const [audit] = (await api(operations, '/api/v1/obligations?kind=audit-result').expect(200)).body as {
      id: string;
    }[];
    const waived = await request(t.app.getHttpServer())
      .post(`/api/v1/obligations/${audit.id}/waive`)
      .set('authorization', `Bearer ${operations}`)
      .send({ staff: '李会计', reason: '经办机构电话确认该笔已审核无扣款' })
      .expect(200);
    expect(waived.body).toMatchObject({ state: 'waived', waivedReason: '经办机构电话确认该笔已审核无扣款' });
    expect(waived.body.waivedBy).toContain('李会计');
    const again = await request(t.app.getHttpServer())
      .post(`/api/v1/obligations/${audit.id}/waive`)
      .set('authorization', `Bearer ${operations}`)
      .send({ staff: '李会计', reason: '再次' })
      .expect(409);
    expect(again.body.code).toBe('OBLIGATION_CLOSED');
    await request(t.app.getHttpServer())
      .post('/api/v1/obligations/00000000-0000-0000-0000-000000000000/waive')
      .set('authorization', `Bearer ${operations}`)
      .send({ staff: 'x', reason: 'y' })
      .expect(404);
    const rows = await t.app.get(DataSource).query(`SELECT action FROM audit_log WHERE action = 'obligation.waived'`);
    expect(rows).toHaveLength(1);
  });

  it('gateway obligations list prints the duties from the database, filtered, with the overdue count', async () => {
    await obligations.open({
      kind: 'rehab-assessment',
      subjectType: 'visit',
      subjectId: 'V-REHAB-1',
      rule: 'R6 康复协议8–9: assessment within 5 days of admission',
      from: new Date(clock.now().getTime() - 10 * DAY),
      due: { days: 5 },
      detail: { waitingFor: ['assessment'] },
    });
    const lines: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(`ERR ${l}`) };
    expect(await obligationsCommand(t.config, 'list', { overdue: true }, out, clock.now())).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('rehab-assessment  visit V-REHAB-1');
    expect(text).toContain('late 逾期 已过期限');
    expect(text).toContain('needs {"waitingFor":["assessment"]}');
    expect(text).not.toContain('cross-province-upload'); // fulfilled: not overdue
    expect(text).toContain('1 duty(ies); 1 overdue');

    lines.length = 0;
    await obligationsCommand(t.config, 'list', { state: 'waived' }, out, clock.now());
    expect(lines.join('\n')).toContain('waived by 李会计');
    await expect(obligationsCommand(t.config, 'list', { state: 'finished' }, out)).rejects.toThrow(CliError);
    await expect(obligationsCommand(t.config, 'list', { 'due-before': '12/01' }, out)).rejects.toThrow(/YYYY-MM-DD/);
  });

  it('a scheduled slot is claimed by exactly one of many concurrent callers', async () => {
    const slots = t.app.get(ScheduledSlots);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => slots.claim('settlement.reconciliation', '2026-10-12')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await slots.claim('settlement.reconciliation', '2026-10-13')).toBe(true);
    const [row] = await t.app
      .get(DataSource)
      .query<{ claimed_by: string }[]>(
        `SELECT claimed_by FROM scheduled_slot WHERE job = 'settlement.reconciliation' AND slot = '2026-10-12'`,
      );
    expect(row.claimed_by).toContain(':'); // host:pid of the instance that ran it
  });
});
