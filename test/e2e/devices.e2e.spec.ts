import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { transportLine } from '../../drivers/simulators/fake-device-line';
import { ScannerSimulator } from '../../drivers/simulators/scanner-simulator';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import { DeviceEvent, DeviceEvents } from '../../src/devices/device-events';
import { startTestApp, TestApp } from '../support/e2e-app';
import { PtyPair, socatAvailable, startPtyPair } from '../support/socat';
import { eventually } from '../support/eventually';

describe('devices', () => {
  const hasSocat = socatAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'gw-devices-'));
  let pair: PtyPair | undefined;
  let t: TestApp;
  let admin: string;
  const events: DeviceEvent[] = [];

  beforeAll(async () => {
    pair = hasSocat ? await startPtyPair(dir, 'scanner') : undefined;
    t = await startTestApp({
      devices: [
        { id: 'desk1-idcard', kind: 'id-card', desk: '门诊挂号1', path: join(dir, 'no-such-port') },
        ...(pair ? [{ id: 'desk1-scanner', kind: 'scanner', desk: '门诊挂号1', path: pair.hostPath }] : []),
      ],
    });
    t.app.get(DeviceEvents).on('event', (e) => events.push(e));
    admin = await t.token(['admin', 'trace-codes']);
  });
  afterAll(async () => {
    await t.close();
    await pair?.stop();
  });

  it('starts with a missing port in error status saying what to check, while the other device works', async () => {
    await eventually(async () => {
      const res = await request(t.app.getHttpServer()).get('/api/v1/devices').set('authorization', `Bearer ${admin}`);
      return res.body.find((d: { id: string; state: string }) => d.id === 'desk1-idcard')?.state === 'error';
    }, 'the error status');
    const res = await request(t.app.getHttpServer())
      .get('/api/v1/devices')
      .set('authorization', `Bearer ${admin}`)
      .expect(200);
    const idCard = res.body.find((d: { id: string }) => d.id === 'desk1-idcard');
    expect(idCard.message).toContain('不存在');
    expect(idCard.message).toContain('no-such-port');
    const health = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(health.body.components.devices).toMatchObject({
      status: 'degraded',
      devices: { 'desk1-idcard': { state: 'error' } },
    });
    if (pair) {
      await eventually(async () => {
        const r = await request(t.app.getHttpServer()).get('/api/v1/devices').set('authorization', `Bearer ${admin}`);
        return r.body.find((d: { id: string; state: string }) => d.id === 'desk1-scanner')?.state === 'waiting';
      }, 'the scanner to be ready');
    }
  });

  (hasSocat ? it : it.skip)(
    'turns a scan on a real serial line into a classified event for its desk (needs socat)',
    async () => {
      const device = new NodeSerialTransport({ path: (pair as PtyPair).devicePath, baudRate: 115200 });
      await device.open();
      try {
        await new ScannerSimulator(transportLine(device)).scan('81234567890123456789');
        await eventually(() => events.some((e) => e.type === 'scan' && e.source === 'device'), 'the scan event');
        const scan = events.find((e) => e.type === 'scan' && e.source === 'device');
        expect(scan).toMatchObject({
          deviceId: 'desk1-scanner',
          desk: '门诊挂号1',
          scan: { text: '81234567890123456789', classification: { kind: 'trace-code' } },
        });
      } finally {
        await device.close();
      }
    },
  );

  it('accepts keyboard-wedge scans from the browser and says what they are', async () => {
    const ok = await request(t.app.getHttpServer())
      .post('/api/v1/devices/scans')
      .set('authorization', `Bearer ${admin}`)
      .send({ desk: '门诊挂号1', text: '81234567890123456789' })
      .expect(200);
    expect(ok.body).toEqual({ kind: 'trace-code' });
    const refused = await request(t.app.getHttpServer())
      .post('/api/v1/devices/scans')
      .set('authorization', `Bearer ${admin}`)
      .send({ desk: '门诊挂号1', text: '8123456789012345678' })
      .expect(200);
    expect(refused.body).toMatchObject({
      kind: 'refused',
      code: 'TRACE_CODE_LENGTH',
      message: expect.stringMatching(/[\u4e00-\u9fff]/),
    });
    expect(events.some((e) => e.type === 'scan' && e.source === 'keyboard' && e.desk === '门诊挂号1')).toBe(true);
  });
});
