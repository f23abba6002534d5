import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { transportLine } from '../../drivers/simulators/fake-device-line';
import { IdCardSimulator } from '../../drivers/simulators/id-card-simulator';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import { SANDBOX_PEOPLE } from '../../src/sandbox/simulated-documents';
import { SEED } from '../../src/sandbox/seed-people';
import { type AgentProcess, startAgentProcess } from '../support/agent-process';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { listenLocally, startTestApp, type TestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { type PtyPair, socatAvailable, startPtyPair } from '../support/socat';
import { TcpProxy } from '../support/tcp-proxy';
import { connectEvents, type EventClient } from '../support/ws-client';

jest.setTimeout(120_000);

const DESK1 = '门诊挂号1';
const DESK2 = '西药房2';
const MED = 'XJ01CAA040A001010100001';
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;

interface AgentRow {
  id: string;
  desk: string;
  connected: boolean;
}
interface AgentEventRow {
  seq: number;
  text: string;
  kind: string;
  scannedAt: string;
  receivedAt: string;
  replayed: boolean;
}

/**
 * Issue 15, done when: two desk agents — real `gateway agent` processes, their readers on socat ptys —
 * and one central gateway (PostgreSQL when available). A card read on agent 1 reaches desk 1's
 * WebSocket and ends in MATCH; a scan on agent 2 is captured for the pharmacy's line; 500 scans made
 * while agent 2's link is cut (a proxy stopped) arrive exactly once, in order, with their scan times,
 * and an ID read made during the cut is not replayed; a SIGKILLed agent delivers its buffered scans
 * once after its restart; the centre restarts and the agents come back by themselves; a revoked agent
 * is refused at once; an enrolment code works once.
 */
const kind: DbKind = availableDatabases().includes('postgres') ? 'postgres' : 'sqlite';
const run = socatAvailable() ? describe : describe.skip;

run(`desk agents with the central gateway on ${kind}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-desk-agents-'));
  let cleanup: () => Promise<void>;
  let database: Record<string, unknown>;
  let t: TestApp;
  let base: string;
  let insurer: string;
  let port: number;
  let key: string;
  let proxy: TcpProxy;
  let idPair: PtyPair;
  let scanPair: PtyPair;
  let idDevice: NodeSerialTransport;
  let idCard: IdCardSimulator;
  let scanner: NodeSerialTransport;
  let agent1: AgentProcess;
  let agent2: AgentProcess;
  let agent2Id: string;
  const clients: EventClient[] = [];

  const devices = () => [
    { id: 'gh1-idcard', kind: 'id-card', desk: DESK1, host: 'agent', path: idPair.hostPath, baudRate: 115200 },
    { id: 'rx2-scanner', kind: 'scanner', desk: DESK2, host: 'agent', path: scanPair.hostPath, terminator: 'CR' },
  ];
  const startCentre = async (listenPort = 0): Promise<void> => {
    t = await startTestApp({ database, sandboxInsurer: { enabled: true, port: 0 }, devices: devices() });
    if (listenPort === 0) {
      ({ base, insurer } = await listenLocally(t));
      port = (t.app.getHttpServer().address() as AddressInfo).port;
    } else {
      await t.app.listen({ host: '127.0.0.1', port: listenPort });
    }
    key = await t.token(['admin', 'identity', 'trace-codes']);
  };
  const api = {
    get: (path: string) => request(base).get(path).set('authorization', `Bearer ${key}`),
    post: (path: string, body: object) => request(base).post(path).set('authorization', `Bearer ${key}`).send(body),
    put: (path: string, body: object) => request(base).put(path).set('authorization', `Bearer ${key}`).send(body),
  };
  const enrolmentCode = async (desk: string): Promise<string> =>
    ((await api.post('/api/v1/agents/enrolments', { desk }).expect(201)).body as { code: string }).code;
  const agentDir = (name: string): string => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    // Quick reconnects for the test; a read older than 1.5 s at reconnect is not replayed.
    writeFileSync(join(d, 'agent.yaml'), 'reconnectBaseMs: 50\nreconnectMaxMs: 400\nmaxReadAgeMs: 1500\n');
    return d;
  };
  const agents = async (): Promise<AgentRow[]> => (await api.get('/api/v1/agents').expect(200)).body as AgentRow[];
  const centreEvents = async (agentId: string): Promise<AgentEventRow[]> =>
    (await api.get(`/api/v1/agents/${agentId}/events?limit=1000`).expect(200)).body as AgentEventRow[];
  const scan = async (text: string): Promise<void> => {
    await scanner.write(Buffer.from(`${text}\r`, 'latin1'));
  };
  const deskClient = async (desk: string): Promise<EventClient> => {
    const c = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(desk)}`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    clients.push(c);
    return c;
  };
  const deviceState = async (id: string): Promise<string> =>
    ((await api.get(`/api/v1/devices/${id}`).expect(200)).body as { state: string }).state;
  const online = (a: AgentProcess): boolean => a.status()?.link.state === 'online';

  beforeAll(async () => {
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    database = db.database;
    idPair = await startPtyPair(dir, 'idcard');
    scanPair = await startPtyPair(dir, 'scanner');
    idDevice = new NodeSerialTransport({ path: idPair.devicePath, baudRate: 115200 });
    idCard = new IdCardSimulator(transportLine(idDevice));
    await idDevice.open();
    scanner = new NodeSerialTransport({ path: scanPair.devicePath, baudRate: 9600 });
    await scanner.open();
    await startCentre();
    proxy = new TcpProxy(port);
    await proxy.start();

    const code1 = await enrolmentCode(DESK1);
    const code2 = await enrolmentCode(DESK2);
    agent1 = startAgentProcess(['--central', `ws://127.0.0.1:${port}`, '--enrol', code1], agentDir('agent1'));
    agent2 = startAgentProcess(['--central', `ws://127.0.0.1:${proxy.port}`, '--enrol', code2], agentDir('agent2'));
    await eventually(
      async () => online(agent1) && online(agent2) && (await agents()).every((a) => a.connected),
      `both agents linked (agent1: ${agent1.err()} agent2: ${agent2.err()})`,
      20_000,
      50,
    );
    agent2Id = (await agents()).find((a) => a.desk === DESK2)?.id as string;
    // The devices the centre configured on each agent report in.
    await eventually(
      async () =>
        (await deviceState('gh1-idcard')) !== 'disconnected' && (await deviceState('rx2-scanner')) !== 'disconnected',
      'the agents’ devices connected',
      20_000,
      50,
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await agent1?.stop();
    await agent2?.stop();
    await proxy?.stop();
    await t?.close();
    await idDevice?.close();
    await scanner?.close();
    await idPair?.stop();
    await scanPair?.stop();
    await cleanup?.();
  });

  it('a card read on agent 1 reaches desk 1’s WebSocket client and ends in MATCH', async () => {
    const desk = await deskClient(DESK1);
    const person = SEED.activeFingers;
    const session = (
      await api.post('/api/v1/identity/sessions', { desk: DESK1, visitId: 'V1', visitKind: 'outpatient' }).expect(201)
    ).body as { id: string };
    const qr = (
      (await request(insurer).post('/sandbox/qr-tokens').send({ certno: person.certno, kind: 'ecard' }).expect(201))
        .body as { token: string }
    ).token;
    await api.post(`/api/v1/identity/sessions/${session.id}/qr`, { text: qr }).expect(200);

    idCard.present(SANDBOX_PEOPLE.find('activeFingers')!.idCard());
    const read = await desk.waitFor((m) => m.type === 'id-card' && m.deviceId === 'gh1-idcard', 'the ID-card read');
    expect(read).toMatchObject({ desk: DESK1, identity: expect.objectContaining({ idNumber: person.certno }) });
    const verdict = await desk.waitFor(
      (m) => m.type === 'verdict' && m.sessionId === session.id && m.verdict === 'MATCH',
      'MATCH pushed to desk 1',
    );
    expect(verdict.token).toMatch(/^gvt1\./);
    idCard.remove();
  });

  it('a test read started at the centre runs on agent 1; the agent shows its devices', async () => {
    const reading = api.post('/api/v1/devices/gh1-idcard/test-read', { waitSeconds: 10 });
    const answer = reading.then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    idCard.present(SANDBOX_PEOPLE.find('oldInjury')!.idCard());
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(body).toMatchObject({
      deviceId: 'gh1-idcard',
      host: 'agent',
      read: { type: 'id-card', deviceId: 'gh1-idcard', identity: { idNumber: SEED.oldInjury.certno } },
    });
    idCard.remove();
    expect(agent1.status()?.devices).toEqual([
      expect.objectContaining({ id: 'gh1-idcard', kind: 'id-card', path: idPair.hostPath }),
    ]);
    expect(agent1.status()).toMatchObject({ desk: DESK1, link: { state: 'online', attempts: 0 } });
  });

  it('a scan on agent 2 is captured for the pharmacy’s active line', async () => {
    await api
      .put('/api/v1/trace-codes/visits/RX1/lines', {
        lines: [{ lineNo: '1', quantity: 600, medListCode: MED, drugName: '阿莫西林胶囊' }],
      })
      .expect(200);
    await api
      .put(`/api/v1/trace-codes/desks/${encodeURIComponent(DESK2)}/active-line`, { visitId: 'RX1', lineNo: '1' })
      .expect(200);
    const desk = await deskClient(DESK2);
    await scan(code(1));
    const captured = await desk.waitFor((m) => m.type === 'trace-code' && m.code === code(1), 'the capture');
    expect(captured).toMatchObject({ outcome: 'accepted', deviceId: 'rx2-scanner', desk: DESK2, line: { held: 1 } });
    expect(await centreEvents(agent2Id)).toEqual([
      expect.objectContaining({ seq: 1, text: code(1), kind: 'trace-code', replayed: false }),
    ]);
  });

  it('500 scans while the link is cut arrive exactly once, in order, with their scan times; an ID read made during the cut is not replayed', async () => {
    const desk = await deskClient(DESK2);
    await proxy.cut();
    await eventually(() => agent2.status()?.link.state === 'offline', 'agent 2 offline', 10_000, 20);
    await eventually(async () => (await deviceState('rx2-scanner')) === 'disconnected', 'the centre saw agent 2 go');
    const cutAt = Date.now();
    // A worker's ID number scanned during the cut: a live fact, held in memory only.
    await scan(SEED.activeFingers.certno);
    for (let n = 2; n <= 501; n++) {
      await scan(code(n));
      if (n % 50 === 0) {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await eventually(() => agent2.status()?.offline.bufferedScans === 500, '500 scans buffered on agent 2', 20_000, 50);
    expect(agent2.status()?.offline).toMatchObject({ online: false, heldReads: 1 });
    expect(agent2.status()?.offline.notice).toContain('缓存 500 条');
    // The ID read grows older than maxReadAgeMs (1.5 s) before the link is back.
    await new Promise((r) => setTimeout(r, 1_600));
    await proxy.start();

    await eventually(async () => (await centreEvents(agent2Id)).length === 501, 'all 501 at the centre', 30_000, 100);
    const events = await centreEvents(agent2Id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 501 }, (_, i) => i + 1));
    expect(events.map((e) => e.text)).toEqual(Array.from({ length: 501 }, (_, i) => code(i + 1)));
    const offline = events.slice(1);
    expect(offline.every((e) => e.replayed)).toBe(true);
    const scanTimes = offline.map((e) => Date.parse(e.scannedAt));
    expect(scanTimes.every((s, i) => s >= cutAt && (i === 0 || s >= scanTimes[i - 1]))).toBe(true);
    // Scanned while cut, received after: the scan time is the desk's, not the arrival's.
    expect(offline.every((e) => Date.parse(e.scannedAt) < Date.parse(e.receivedAt))).toBe(true);
    expect(Math.max(...scanTimes)).toBeLessThan(Math.min(...offline.map((e) => Date.parse(e.receivedAt))));

    await eventually(
      () => desk.messages.filter((m) => m.type === 'trace-code' && m.outcome === 'accepted').length === 500,
      'all 500 captured on the line',
      30_000,
      100,
    );
    const { lines } = (await api.get('/api/v1/trace-codes/visits/RX1/completeness').expect(200)).body as {
      lines: { lineNo: string; held: number }[];
    };
    expect(lines).toEqual([expect.objectContaining({ lineNo: '1', held: 501 })]);
    // The ID number read during the cut never reached the desk.
    expect(desk.messages.some((m) => m.type === 'scan' && m.text === SEED.activeFingers.certno)).toBe(false);
    await eventually(() => agent2.status()?.offline.bufferedScans === 0 && online(agent2), 'agent 2 caught up');
    expect(agent2.status()?.offline).toMatchObject({ droppedReads: 1, heldReads: 0, notice: null });
    // Once back, the centre shows the outage as the agent reported it.
    await eventually(
      async () =>
        ((await api.get(`/api/v1/agents/${agent2Id}`).expect(200)).body as { status: { bufferedScans: number } | null })
          .status?.bufferedScans === 0,
      'the centre has the agent’s figures',
    );
    const { body } = await api.get(`/api/v1/agents/${agent2Id}`).expect(200);
    expect(body).toMatchObject({ connected: true, status: { lastOutage: { replayedReads: 0, droppedReads: 1 } } });
  });

  it('an agent SIGKILLed with buffered scans delivers them once after its restart', async () => {
    await proxy.cut();
    await eventually(() => agent2.status()?.link.state === 'offline', 'agent 2 offline', 10_000, 20);
    for (let n = 502; n <= 521; n++) {
      await scan(code(n));
    }
    await eventually(() => agent2.status()?.offline.bufferedScans === 20, '20 scans buffered', 10_000, 20);
    await agent2.kill();
    await proxy.start();
    agent2 = startAgentProcess([], agent2.dataDir);
    await eventually(async () => (await centreEvents(agent2Id)).length === 521, 'the 20 delivered', 30_000, 100);
    const events = await centreEvents(agent2Id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 521 }, (_, i) => i + 1));
    expect(events.slice(501).map((e) => e.text)).toEqual(Array.from({ length: 20 }, (_, i) => code(502 + i)));
  });

  it('the central gateway restarts: the agents reconnect by themselves and status shows it', async () => {
    await t.close();
    await eventually(() => !online(agent1) && !online(agent2), 'both agents offline', 10_000, 20);
    await startCentre(port);
    await eventually(
      async () => online(agent1) && online(agent2) && (await agents()).every((a) => a.connected),
      'both agents back',
      30_000,
      50,
    );
    expect(agent1.status()?.link.attempts).toBe(0);
    await eventually(async () => (await deviceState('gh1-idcard')) !== 'disconnected', 'agent 1’s reader back');
  });

  it('a revoked agent is refused at once; an enrolment code works once', async () => {
    const id1 = (await agents()).find((a) => a.desk === DESK1)?.id as string;
    await api.post(`/api/v1/agents/${id1}/revoke`, { reason: 'desk PC replaced' }).expect(200);
    await eventually(() => agent1.status()?.link.state === 'refused', 'agent 1 refused', 10_000, 20).catch(
      (e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(agent1.status()?.link)}\n${agent1.out().slice(-3000)}`);
      },
    );
    expect(agent1.status()?.link.refusedCode).toBe('AGENT_REVOKED');
    expect(await deviceState('gh1-idcard')).toBe('disconnected');

    const code3 = await enrolmentCode(DESK1);
    const first = startAgentProcess(['--central', `ws://127.0.0.1:${port}`, '--enrol', code3], agentDir('agent3'));
    await eventually(() => online(first), 'agent 3 online', 20_000, 50);
    await first.stop();
    const again = startAgentProcess(['--central', `ws://127.0.0.1:${port}`, '--enrol', code3], agentDir('agent4'));
    expect(await again.exit).toBe(1);
    expect(again.err()).toContain('AGENT_ENROLMENT_USED');
  });
});
