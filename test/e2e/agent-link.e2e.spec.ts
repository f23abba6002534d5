import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { classifyCode } from '../../drivers/protocols/code-classifier';
import { encodeDeviceEvent } from '../../src/agents/link/event-codec';
import type { DeviceEvent } from '../../src/devices/device-events';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { connectEvents } from '../support/ws-client';
import { type AgentEnd, connectAgentEnd, HELLO } from '../support/agent-end';

jest.setTimeout(60_000);

const PHARMACY = '西药房2';
const MED = 'XJ01CAA040A001010100001';
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;

/**
 * Issue 15, the centre's end of the agent link over a real WebSocket on both databases: an enrolled
 * agent is welcomed with its desk's devices and the last seq recorded; its events reach the desk as
 * local ones do (a scan captured for the pharmacy's active line); durable events are recorded exactly
 * once and in order (a duplicate re-acked, a gap refused); a reconnect resumes after the last seq;
 * unknown and revoked agents are refused, a revoked one's open link closed at once; its devices are
 * disconnected when the link goes; GET /api/v1/agents says which are connected.
 */
describe.each(availableDatabases())('the agent link on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let admin: string;
  let credential: string;
  let agentId: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-agent-link-')));
    cleanup = db.cleanup;
    t = await startTestApp({
      database: db.database,
      devices: [{ id: 'rx2-scanner', kind: 'scanner', desk: PHARMACY, host: 'agent', path: 'COM3' }],
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await t.token(['admin', 'trace-codes']);
    const enrolment = await request(base)
      .post('/api/v1/agents/enrolments')
      .set('authorization', `Bearer ${admin}`)
      .send({ desk: PHARMACY, name: '西药房2号窗口' })
      .expect(201);
    const enrolled = await request(base)
      .post('/api/v1/agents/enrol')
      .send({ code: (enrolment.body as { code: string }).code, hostname: 'XYF-02' })
      .expect(201);
    ({ credential, agentId } = enrolled.body as { credential: string; agentId: string });
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const connect = (secret = credential): Promise<AgentEnd> => connectAgentEnd(base, secret);
  const hello = (end: AgentEnd): void => end.send(HELLO);
  const waitFor = async (end: AgentEnd, type: string, what = type): Promise<Record<string, unknown>> => {
    await eventually(() => end.received.some((m) => m.type === type), what);
    return end.received.filter((m) => m.type === type).pop() as Record<string, unknown>;
  };
  const scan = (n: number): DeviceEvent => ({
    type: 'scan',
    deviceId: 'rx2-scanner',
    desk: PHARMACY,
    source: 'device',
    scan: { text: code(n), classification: classifyCode(code(n)), at: new Date(Date.UTC(2026, 11, 3, 2, 0, n)) },
  });
  const devices = async (): Promise<Array<{ id: string; state: string; message: string }>> =>
    (await request(base).get('/api/v1/devices').set('authorization', `Bearer ${admin}`).expect(200)).body as Array<{
      id: string;
      state: string;
      message: string;
    }>;

  it('welcomes an enrolled agent with its desk’s devices; its scans reach the desk and the active line, exactly once', async () => {
    await request(base)
      .put('/api/v1/trace-codes/visits/L1/lines')
      .set('authorization', `Bearer ${admin}`)
      .send({ lines: [{ lineNo: '1', quantity: 2, medListCode: MED, drugName: '阿莫西林胶囊' }] })
      .expect(200);
    await request(base)
      .put(`/api/v1/trace-codes/desks/${encodeURIComponent(PHARMACY)}/active-line`)
      .set('authorization', `Bearer ${admin}`)
      .send({ visitId: 'L1', lineNo: '1' })
      .expect(200);
    const desk = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(PHARMACY)}`,
      { headers: { authorization: `Bearer ${admin}` } },
    );
    const agent = await connect();
    try {
      hello(agent);
      expect(await waitFor(agent, 'welcome')).toEqual({
        type: 'welcome',
        v: 1,
        agentId,
        desk: PHARMACY,
        devices: [{ id: 'rx2-scanner', kind: 'scanner', options: { path: 'COM3' } }],
        ackedSeq: 0,
      });
      const listed = await request(base).get('/api/v1/agents').set('authorization', `Bearer ${admin}`).expect(200);
      expect(listed.body).toEqual([expect.objectContaining({ id: agentId, connected: true })]);
      expect((await request(base).get('/metrics').expect(200)).text).toMatch(/^gateway_agents_connected 1$/m);

      agent.send({
        type: 'event',
        seq: null,
        replayed: false,
        event: encodeDeviceEvent({
          type: 'status',
          deviceId: 'rx2-scanner',
          desk: PHARMACY,
          status: { state: 'waiting', message: '扫码枪已就绪', at: new Date() },
        }),
      });
      agent.send({ type: 'event', seq: 1, replayed: false, event: encodeDeviceEvent(scan(1)) });
      agent.send({ type: 'event', seq: 2, replayed: false, event: encodeDeviceEvent(scan(2)) });
      await eventually(() => agent.received.some((m) => m.type === 'ack' && m.upto === 2), 'ack of 2');
      // The ack of 2 was lost: the agent sends 2 again — acknowledged, not passed on twice.
      agent.send({ type: 'event', seq: 2, replayed: true, event: encodeDeviceEvent(scan(2)) });
      await eventually(() => agent.received.filter((m) => m.type === 'ack' && m.upto === 2).length === 2, 're-ack');
      await desk.waitFor((m) => m.type === 'trace-code' && m.code === code(2), 'the second capture');
      expect(desk.messages.filter((m) => m.type === 'scan').map((m) => m.text)).toEqual([code(1), code(2)]);
      expect(desk.messages.filter((m) => m.type === 'trace-code').map((m) => m.outcome)).toEqual([
        'accepted',
        'accepted',
      ]);
      expect((await devices()).find((d) => d.id === 'rx2-scanner')).toMatchObject({ state: 'waiting' });

      // A gap: 4 before 3 is refused, the link closed, the devices disconnected for the desk.
      agent.send({ type: 'event', seq: 4, replayed: false, event: encodeDeviceEvent(scan(4)) });
      expect(await waitFor(agent, 'refused')).toMatchObject({ code: 'AGENT_LINK_GAP' });
      await agent.closed;
      await eventually(
        async () => (await devices()).find((d) => d.id === 'rx2-scanner')?.state === 'disconnected',
        'the devices disconnected',
      );
      expect(desk.messages.some((m) => m.type === 'scan' && m.text === code(4))).toBe(false);
    } finally {
      agent.close();
      await desk.close();
    }

    // Reconnecting, it resumes after the last seq recorded.
    const again = await connect();
    try {
      hello(again);
      expect(await waitFor(again, 'welcome')).toMatchObject({ ackedSeq: 2 });
    } finally {
      again.close();
      await again.closed;
    }
  });

  it('refuses a frame that is not the protocol, naming the problem', async () => {
    const early = await connect();
    early.send({ type: 'pong', at: new Date().toISOString() });
    expect(await waitFor(early, 'refused')).toMatchObject({
      code: 'AGENT_LINK_PROTOCOL',
      message: expect.stringContaining('the first frame must be hello, not pong'),
    });
    expect(await early.closed).toBe(1002);
    const garbled = await connect();
    hello(garbled);
    await waitFor(garbled, 'welcome');
    garbled.sendRaw('{"type":"event","seq":1}');
    expect(await waitFor(garbled, 'refused')).toMatchObject({
      code: 'AGENT_LINK_PROTOCOL',
      message: expect.stringContaining('event: missing'),
    });
    expect(await garbled.closed).toBe(1002);
  });

  it('refuses an unknown credential before the upgrade, and closes a revoked agent’s link at once', async () => {
    await expect(connect('gwa_00000000000000000000000000000000_nope')).rejects.toMatchObject({ status: 401 });
    const agent = await connect();
    hello(agent);
    await waitFor(agent, 'welcome');
    await request(base)
      .post(`/api/v1/agents/${agentId}/revoke`)
      .set('authorization', `Bearer ${admin}`)
      .send({ reason: '电脑报废' })
      .expect(200);
    expect(await waitFor(agent, 'refused')).toMatchObject({ code: 'AGENT_REVOKED' });
    await agent.closed;
    await expect(connect()).rejects.toMatchObject({ status: 401 });
  });
});
