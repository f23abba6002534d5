import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { classifyCode } from '../../drivers/protocols/code-classifier';
import { decodeDeviceEvent, encodeDeviceEvent } from '../../src/agents/link/event-codec';
import { DeviceRegistry } from '../../src/devices/device-registry';
import type { DeviceEvent } from '../../src/devices/device-events';
import { toWireEvent } from '../../src/devices/device-event-wire';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { connectEvents } from '../support/ws-client';

jest.setTimeout(60_000);

const PHARMACY = '西药房2';
const REGISTRATION = '门诊挂号3';
const MED = 'XJ01CAA040A001010100001';
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;

/**
 * Issue 15, the centre's half of agent-hosted devices: a device declared `host: agent` is not opened by
 * the gateway but listed with its desk, waiting for the desk's agent; an event its agent sends (over
 * the link, as event-codec carries it) reaches the desk's WebSocket exactly as a local device's would,
 * and a scan is captured for the pharmacy's active line; an agent speaks only for its own desk; when
 * the agent goes, its devices are disconnected and the desk is told.
 */
describe.each(availableDatabases())('devices on desk agents, at the centre, on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let key: string;
  let registry: DeviceRegistry;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-agent-devices-')));
    cleanup = db.cleanup;
    t = await startTestApp({
      database: db.database,
      devices: [
        { id: 'rx2-scanner', kind: 'scanner', desk: PHARMACY, host: 'agent', path: 'COM3', terminator: 'CR' },
        { id: 'gh3-idcard', kind: 'id-card', desk: REGISTRATION, host: 'agent', path: 'COM4' },
        { id: 'local-scanner', kind: 'scanner', transport: 'simulated', desk: '西药房1' },
      ],
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    key = await t.token(['trace-codes', 'identity', 'admin']);
    registry = t.app.get(DeviceRegistry);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const api = (method: 'get' | 'put', path: string) =>
    request(base)[method](path).set('authorization', `Bearer ${key}`);
  /** What an agent at `desk` sends for this event, as the centre reads it off the link. */
  const viaLink = (event: DeviceEvent, desk: string): DeviceEvent =>
    decodeDeviceEvent(JSON.parse(JSON.stringify(encodeDeviceEvent(event))) as unknown, desk);

  it('lists agent-hosted devices with their desk, waiting for the agent, beside local ones', async () => {
    const { body } = await api('get', '/api/v1/devices').expect(200);
    expect(body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'rx2-scanner',
          host: 'agent',
          desk: PHARMACY,
          path: 'COM3',
          state: 'disconnected',
        }),
        expect.objectContaining({ id: 'local-scanner', host: 'gateway' }),
      ]),
    );
    const waiting = (body as { id: string; message: string }[]).find((d) => d.id === 'rx2-scanner');
    expect(waiting?.message).toContain(`等待工作站「${PHARMACY}」的桌面代理连接`);
    expect(registry.agentDevices(PHARMACY).map((d) => d.id)).toEqual(['rx2-scanner']);
  });

  it('a scan on the pharmacy’s agent reaches the desk as a local one would and is captured for the active line', async () => {
    await api('put', '/api/v1/trace-codes/visits/A1/lines')
      .send({ lines: [{ lineNo: '1', quantity: 1, medListCode: MED, drugName: '阿莫西林胶囊' }] })
      .expect(200);
    await api('put', `/api/v1/trace-codes/desks/${encodeURIComponent(PHARMACY)}/active-line`)
      .send({ visitId: 'A1', lineNo: '1' })
      .expect(200);
    const ws = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(PHARMACY)}`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    try {
      const connected: DeviceEvent = {
        type: 'status',
        deviceId: 'rx2-scanner',
        desk: PHARMACY,
        status: { state: 'waiting', message: '扫码枪已就绪', at: new Date('2026-12-03T02:00:00Z') },
      };
      registry.fromAgent(PHARMACY, viaLink(connected, PHARMACY));
      const scan: DeviceEvent = {
        type: 'scan',
        deviceId: 'rx2-scanner',
        desk: PHARMACY,
        source: 'device',
        scan: { text: code(77), classification: classifyCode(code(77)), at: new Date('2026-12-03T02:00:05Z') },
      };
      registry.fromAgent(PHARMACY, viaLink(scan, PHARMACY));
      const seen = await ws.waitFor((m) => m.type === 'scan' && m.deviceId === 'rx2-scanner', 'the scan event');
      expect(seen).toEqual(JSON.parse(JSON.stringify(toWireEvent(scan))));
      const captured = await ws.waitFor((m) => m.type === 'trace-code' && m.code === code(77), 'the capture');
      expect(captured).toMatchObject({
        outcome: 'accepted',
        deviceId: 'rx2-scanner',
        desk: PHARMACY,
        line: { visitId: 'A1', lineNo: '1', held: 1, needed: 1, status: 'complete' },
      });
    } finally {
      await ws.close();
    }
    const { body } = await api('get', '/api/v1/devices/rx2-scanner').expect(200);
    expect(body).toMatchObject({ state: 'waiting', message: '扫码枪已就绪' });
  });

  it('an agent speaks only for its own desk’s agent-hosted devices', () => {
    const scan: DeviceEvent = {
      type: 'scan',
      deviceId: 'rx2-scanner',
      desk: REGISTRATION,
      source: 'device',
      scan: { text: code(78), classification: classifyCode(code(78)), at: new Date() },
    };
    expect(() => registry.fromAgent(REGISTRATION, scan)).toThrow(
      expect.objectContaining({ code: 'DEVICE_NOT_ON_AGENT' }),
    );
    const local = { ...scan, deviceId: 'local-scanner', desk: '西药房1' };
    expect(() => registry.fromAgent('西药房1', local)).toThrow(
      expect.objectContaining({ code: 'DEVICE_NOT_ON_AGENT' }),
    );
  });

  it('when the agent goes, its devices are disconnected and the desk is told', async () => {
    const ws = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(PHARMACY)}`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    try {
      registry.agentGone(PHARMACY, new Date('2026-12-03T02:10:00Z'), '连接超时');
      const status = await ws.waitFor(
        (m) => m.type === 'status' && m.deviceId === 'rx2-scanner' && m.state === 'disconnected',
        'the disconnected status',
      );
      expect(status.message).toContain('桌面代理已断开（连接超时）');
    } finally {
      await ws.close();
    }
    const { body } = await api('get', '/api/v1/devices/gh3-idcard').expect(200);
    expect(body).toMatchObject({ host: 'agent', state: 'disconnected' });
  });
});
