import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { classifyCode } from '../../drivers/protocols/code-classifier';
import { ACTIVE_AGENTS_TTL_MS } from '../../src/agents/active-agents';
import { AGENT_MISSING_AFTER_MS } from '../../src/agents/agents.health';
import { encodeDeviceEvent } from '../../src/agents/link/event-codec';
import type { AgentMessage, AgentReportedStatus } from '../../src/agents/link/link-messages';
import { DeviceEvents } from '../../src/devices/device-events';
import { DeviceRegistry } from '../../src/devices/device-registry';
import { AuditService } from '../../src/platform/audit/audit.service';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { listenLocally, startTestApp, type TestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { PinnedClock } from '../support/pinned-clock';
import { type AgentEnd, connectAgentEnd, HELLO } from '../support/agent-end';

jest.setTimeout(60_000);

const PHARMACY = '西药房2';
const LOCAL_DESK = '门诊挂号1';
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;

/**
 * Issue 15, the centre's view of desk agents over a real WebSocket on both databases: an agent's
 * agent-status shows in GET /api/v1/agents and /metrics (and a new outage is logged once); IT's test
 * read of a device on a desk PC goes to the desk's agent and comes back (a read, nothing, a failure,
 * no agent, the link lost while waiting); a test read of a local simulated device waits on the
 * device-event bus; /health says which desk's agent is missing.
 */
describe.each(availableDatabases())('the centre’s view of desk agents on %s', (kind: DbKind) => {
  const clock = new PinnedClock(new Date('2026-12-03T02:00:00Z'));
  let t: TestApp;
  let base: string;
  let admin: string;
  let credential: string;
  let agentId: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-agent-view-')));
    cleanup = db.cleanup;
    t = await startTestApp(
      {
        database: db.database,
        logging: { level: 'info' },
        devices: [
          { id: 'rx2-scanner', kind: 'scanner', desk: PHARMACY, host: 'agent', path: 'COM3' },
          { id: 'a-scanner', kind: 'scanner', transport: 'simulated', desk: LOCAL_DESK },
        ],
      },
      undefined,
      { clock },
    );
    ({ base } = await listenLocally(t));
    admin = await t.token(['admin']);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const auth = (r: request.Test): request.Test => r.set('authorization', `Bearer ${admin}`);
  const health = async (): Promise<Record<string, unknown>> =>
    ((await request(base).get('/health')).body as { components: Record<string, Record<string, unknown>> }).components
      .agents;
  const metrics = async (): Promise<string> => (await request(base).get('/metrics').expect(200)).text;
  /** Starts a test read now (supertest is lazy) and answers its response when it comes. */
  const testRead = (deviceId: string, body: Record<string, unknown>): Promise<request.Response> =>
    auth(request(base).post(`/api/v1/devices/${deviceId}/test-read`))
      .send(body)
      .then((r) => r);
  const connect = async (): Promise<AgentEnd> => {
    const end = await connectAgentEnd(base, credential);
    end.send(HELLO);
    await eventually(() => end.received.some((m) => m.type === 'welcome'), 'welcome');
    return end;
  };
  /** The next test-read frame the agent got after `seen` earlier ones. */
  const testReadAsked = async (end: AgentEnd, seen: number): Promise<Record<string, unknown>> => {
    await eventually(() => end.received.filter((m) => m.type === 'test-read').length > seen, 'a test-read frame');
    return end.received.filter((m) => m.type === 'test-read')[seen];
  };
  const status = (bufferedScans: number, lastOutage: AgentReportedStatus['lastOutage']): AgentMessage => ({
    type: 'agent-status',
    status: {
      bufferedScans,
      journalFillPercent: 0.4,
      droppedReads: 1,
      lastOutage,
      startedAt: '2026-12-03T01:00:00.000Z',
    },
  });
  const OUTAGE = {
    from: '2026-12-03T01:50:00.000Z',
    to: '2026-12-03T01:55:00.000Z',
    replayedReads: 1,
    droppedReads: 1,
  };

  it('/health: up with no agents; degraded by an enrolled agent never seen whose desk has devices on it', async () => {
    expect(await health()).toEqual({ status: 'up', detail: '0 agents, 0 connected here', agents: {} });
    const enrolment = await auth(request(base).post('/api/v1/agents/enrolments'))
      .send({ desk: PHARMACY, name: '西药房2号窗口' })
      .expect(201);
    const enrolled = await request(base)
      .post('/api/v1/agents/enrol')
      .send({ code: (enrolment.body as { code: string }).code, hostname: 'XYF-02' })
      .expect(201);
    ({ credential, agentId } = enrolled.body as { credential: string; agentId: string });
    clock.advance(ACTIVE_AGENTS_TTL_MS);
    expect(await health()).toEqual({
      status: 'degraded',
      detail: `1 agent, 0 connected here; not seen for 3 minutes, its desk cannot use its devices: ${PHARMACY} (西药房2号窗口)`,
      agents: {
        [agentId]: { name: '西药房2号窗口', desk: PHARMACY, connected: false, lastSeenAt: null, bufferedScans: null },
      },
    });
  });

  it('shows what a connected agent reports in GET /api/v1/agents, /metrics and /health; logs a new outage once', async () => {
    const connectedAt = clock.now();
    const agent = await connect();
    try {
      agent.send(status(12, OUTAGE));
      agent.send(status(12, { ...OUTAGE }));
      agent.send(status(7, { ...OUTAGE }));
      const expected = {
        bufferedScans: 7,
        journalFillPercent: 0.4,
        droppedReads: 1,
        lastOutage: OUTAGE,
        startedAt: '2026-12-03T01:00:00.000Z',
        reportedAt: clock.now().toISOString(),
      };
      await eventually(
        async () =>
          ((await auth(request(base).get(`/api/v1/agents/${agentId}`)).expect(200)).body as { status?: unknown })
            .status !== null,
        'the status kept',
      );
      await eventually(
        async () =>
          ((await auth(request(base).get(`/api/v1/agents/${agentId}`))).body as { status: { bufferedScans: number } })
            .status.bufferedScans === 7,
        'the last status kept',
      );
      expect((await auth(request(base).get('/api/v1/agents')).expect(200)).body).toEqual([
        expect.objectContaining({ id: agentId, connected: true, status: expected }),
      ]);
      const outageLogs = t.logs.lines.filter((l) => l.includes(`agent ${agentId} (${PHARMACY}) was cut off`));
      expect(outageLogs).toHaveLength(1);
      expect(outageLogs[0]).toContain('from 2026-12-03T01:50:00.000Z to 2026-12-03T01:55:00.000Z');
      expect(outageLogs[0]).toContain('1 reads replayed, 1 dropped');

      clock.advance(ACTIVE_AGENTS_TTL_MS);
      const text = await metrics();
      const labels = `agent_id="${agentId}",desk="${PHARMACY}"`;
      expect(text).toContain(`gateway_agent_buffered_events{${labels}} 7`);
      // Seen when it connected: the pinned clock's time then.
      const seen = Number(
        new RegExp(`^gateway_agent_last_seen_timestamp_seconds\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1],
      );
      expect(seen).toBe(connectedAt.getTime() / 1000);
      expect(await health()).toMatchObject({
        status: 'up',
        detail: '1 agent, 1 connected here',
        agents: { [agentId]: { connected: true, bufferedScans: 7 } },
      });
    } finally {
      agent.close();
      await agent.closed;
    }
    await eventually(
      async () =>
        ((await auth(request(base).get(`/api/v1/agents/${agentId}`))).body as { connected: boolean }).connected ===
        false,
      'disconnected',
    );
    // The last figures stay after the link closed.
    expect((await auth(request(base).get(`/api/v1/agents/${agentId}`))).body).toMatchObject({
      status: { bufferedScans: 7 },
    });
  });

  it('runs a test read of a device on a desk PC through the desk’s agent, and audits it', async () => {
    const agent = await connect();
    try {
      // A card or scan within the wait: the read as the desk's WebSocket carries it.
      const scanned = testRead('rx2-scanner', { waitSeconds: 3 });
      const asked = await testReadAsked(agent, 0);
      expect(asked).toEqual({
        type: 'test-read',
        requestId: expect.any(String),
        deviceId: 'rx2-scanner',
        waitMs: 3000,
      });
      const at = new Date('2026-12-03T01:59:00.000Z');
      agent.send({
        type: 'test-read-result',
        requestId: asked.requestId as string,
        ok: true,
        message: '',
        event: encodeDeviceEvent({
          type: 'scan',
          deviceId: 'rx2-scanner',
          desk: PHARMACY,
          source: 'device',
          scan: { text: code(1), classification: classifyCode(code(1)), at },
        }),
      });
      const read = await scanned;
      expect(read.status).toBe(200);
      expect(read.body).toEqual({
        deviceId: 'rx2-scanner',
        host: 'agent',
        agentId,
        read: {
          type: 'scan',
          deviceId: 'rx2-scanner',
          desk: PHARMACY,
          at: at.toISOString(),
          source: 'device',
          text: code(1),
          symbology: null,
          classification: classifyCode(code(1)),
        },
        message: expect.stringContaining('读到一次扫码'),
      });

      // Nothing within the wait.
      const nothing = testRead('rx2-scanner', {});
      const second = await testReadAsked(agent, 1);
      expect(second).toMatchObject({ waitMs: 20_000 });
      agent.send({
        type: 'test-read-result',
        requestId: second.requestId as string,
        ok: true,
        event: null,
        message: '',
      });
      expect((await nothing).body).toEqual({
        deviceId: 'rx2-scanner',
        host: 'agent',
        agentId,
        read: null,
        message: expect.stringContaining('没有读到卡或扫码'),
      });

      // The agent could not: 422 with its message.
      const failing = testRead('rx2-scanner', { waitSeconds: 2 });
      const third = await testReadAsked(agent, 2);
      agent.send({
        type: 'test-read-result',
        requestId: third.requestId as string,
        ok: false,
        event: null,
        message: '串口 COM3 无法打开：请检查扫码枪的连接',
      });
      const failed = await failing;
      expect(failed.status).toBe(422);
      expect(failed.body).toMatchObject({
        code: 'DEVICE_TEST_READ_FAILED',
        message: expect.stringContaining('串口 COM3 无法打开：请检查扫码枪的连接'),
      });

      // Out of range.
      expect((await testRead('rx2-scanner', { waitSeconds: 121 })).body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((await testRead('no-such-device', {})).status).toBe(404);

      // The link goes while the centre waits.
      const cut = testRead('rx2-scanner', { waitSeconds: 5 });
      await testReadAsked(agent, 3);
      agent.close();
      const lost = await cut;
      expect(lost.status).toBe(409);
      expect(lost.body).toMatchObject({ code: 'AGENT_NOT_CONNECTED', message: expect.stringContaining('断开') });
    } finally {
      agent.close();
      await agent.closed;
    }

    // No agent of the desk connected.
    await eventually(
      async () => (await testRead('rx2-scanner', { waitSeconds: 1 })).status === 409,
      'refused without an agent',
    );
    const refused = await testRead('rx2-scanner', { waitSeconds: 1 });
    expect(refused.body).toMatchObject({
      code: 'AGENT_NOT_CONNECTED',
      message: expect.stringMatching(new RegExp(`工作站「${PHARMACY}」.*请检查该工作站电脑上的桌面代理`)),
    });

    const audited = await t.app.get(AuditService).find({ action: 'device.test-read', limit: 20 });
    const mine = audited.filter((e) => (e.details as { deviceId?: string } | null)?.deviceId === 'rx2-scanner');
    expect(
      mine
        .map((e) => [e.outcome, e.details])
        .reverse()
        .slice(0, 4),
    ).toEqual([
      ['success', { deviceId: 'rx2-scanner', desk: PHARMACY, host: 'agent', agentId, read: 'scan' }],
      ['success', { deviceId: 'rx2-scanner', desk: PHARMACY, host: 'agent', agentId, read: null }],
      ['failure', { deviceId: 'rx2-scanner', desk: PHARMACY, host: 'agent', code: 'DEVICE_TEST_READ_FAILED' }],
      ['failure', { deviceId: 'rx2-scanner', desk: PHARMACY, host: 'agent', code: 'AGENT_NOT_CONNECTED' }],
    ]);
  });

  it('runs a test read of a local simulated device on the device-event bus', async () => {
    const registry = t.app.get(DeviceRegistry);
    await eventually(() => registry.get('a-scanner')?.status.state === 'waiting', 'the simulated scanner ready');
    const bus = t.app.get(DeviceEvents);
    const listening = bus.listenerCount('event');
    const reading = testRead('a-scanner', { waitSeconds: 10 });
    await eventually(() => bus.listenerCount('event') > listening, 'the test read listening');
    const simulation = registry.simulation('a-scanner');
    if (simulation?.kind !== 'scanner') {
      throw new Error('a-scanner is not a simulated scanner');
    }
    await simulation.scan(code(2));
    const read = await reading;
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      deviceId: 'a-scanner',
      host: 'gateway',
      agentId: null,
      read: expect.objectContaining({ type: 'scan', deviceId: 'a-scanner', desk: LOCAL_DESK, text: code(2) }),
      message: expect.stringContaining('读到一次扫码'),
    });
    expect((await testRead('a-scanner', { waitSeconds: 1 })).body).toMatchObject({ host: 'gateway', read: null });
    expect(bus.listenerCount('event')).toBe(listening);
  });

  it('/health is degraded again once the agent has not been seen for 3 minutes', async () => {
    expect(await health()).toMatchObject({ status: 'up', agents: { [agentId]: { connected: false } } });
    clock.advance(AGENT_MISSING_AFTER_MS + ACTIVE_AGENTS_TTL_MS);
    expect(await health()).toMatchObject({
      status: 'degraded',
      detail: expect.stringContaining(`${PHARMACY} (西药房2号窗口)`),
      agents: { [agentId]: { connected: false, bufferedScans: 7 } },
    });
  });
});
