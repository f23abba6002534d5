import { parseAimIdentifier } from '../../../drivers/protocols/aim-symbology';
import { classifyCode } from '../../../drivers/protocols/code-classifier';
import type { DeviceEvent } from '../../devices/device-events';
import { decodeDeviceEvent, encodeDeviceEvent, LinkEventError } from './event-codec';

const AT = new Date('2026-12-03T01:02:03.456Z');

/** One of each kind a desk's readers produce, as the drivers produce them. */
const EVENTS: DeviceEvent[] = [
  { type: 'status', deviceId: 'card-1', desk: '门诊挂号3', status: { state: 'waiting', message: '请插卡', at: AT } },
  {
    type: 'id-card',
    deviceId: 'idc-1',
    desk: '门诊挂号3',
    read: {
      identity: {
        name: '马建国',
        sexCode: '1',
        sex: '男',
        nationCode: '03',
        nation: '回',
        birthDate: '1979-05-01',
        address: '宁夏银川市兴庆区解放西街1号',
        idNumber: '11010519491231002X',
        issuingAuthority: '银川市公安局兴庆分局',
        validFrom: '2016-05-01',
        validTo: '长期',
      },
      photo: Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256)),
      at: AT,
    },
  },
  {
    type: 'ssse-card',
    deviceId: 'card-1',
    desk: '门诊挂号3',
    read: {
      result: {
        kind: 'authentication-required',
        card: { cardSn: '640100D15600000506237B6A1F4E2C9A', cardType: '3', cardNo: 'G64075531' },
        reason: { code: 'HSM_UNAVAILABLE', message: '加密机不可用' },
      } as never,
      atr: Buffer.from('3B6D000080318065B0831101AC83009000', 'hex'),
      at: AT,
    },
  },
  {
    type: 'scan',
    deviceId: 'scan-1',
    desk: '门诊挂号3',
    source: 'device',
    scan: {
      text: '81234567890123456789',
      symbology: parseAimIdentifier(Buffer.from(']C0')),
      classification: classifyCode('81234567890123456789'),
      at: AT,
    },
  },
];

const overTheWire = (e: DeviceEvent): unknown => JSON.parse(JSON.stringify(encodeDeviceEvent(e))) as unknown;

describe('device events across the agent link', () => {
  it.each(EVENTS.map((e) => [e.type, e] as const))('a %s event arrives exactly as the reader produced it', (_, e) => {
    expect(decodeDeviceEvent(overTheWire(e), e.desk)).toEqual(e);
  });

  it('the desk is the centre’s record of the agent, never what the agent sends', () => {
    const sent = { ...(overTheWire(EVENTS[0]) as object), desk: '药房1' };
    expect(decodeDeviceEvent(sent, '门诊挂号3').desk).toBe('门诊挂号3');
  });

  it.each([
    ['an unknown kind', { type: 'keystroke', deviceId: 'x' }, 'event.type'],
    ['no device id', { type: 'status', status: {} }, 'event.deviceId'],
    [
      'a status that is not a state',
      { type: 'status', deviceId: 'x', status: { state: 'happy', message: '', at: { $date: AT.toISOString() } } },
      'event.status.state',
    ],
    [
      'a date that is not one',
      { type: 'status', deviceId: 'x', status: { state: 'waiting', message: '', at: { $date: 'yesterday' } } },
      'not a date',
    ],
    [
      'a time given as a plain string',
      { type: 'status', deviceId: 'x', status: { state: 'waiting', message: '', at: AT.toISOString() } },
      'event.status.at',
    ],
    [
      'a photo that is not base64',
      {
        type: 'id-card',
        deviceId: 'x',
        read: { identity: {}, photo: { $bytes: '***' }, at: { $date: AT.toISOString() } },
      },
      'base64',
    ],
    [
      'a scan from nowhere',
      {
        type: 'scan',
        deviceId: 'x',
        source: 'telepathy',
        scan: { text: '1', classification: { kind: 'unknown' }, at: { $date: AT.toISOString() } },
      },
      'event.source',
    ],
    [
      'a scan longer than any code',
      {
        type: 'scan',
        deviceId: 'x',
        source: 'device',
        scan: { text: '9'.repeat(5000), classification: { kind: 'unknown' }, at: { $date: AT.toISOString() } },
      },
      'longer than',
    ],
  ])('refuses %s, naming it', (_, sent, problem) => {
    expect(() => decodeDeviceEvent(sent, 'd')).toThrow(LinkEventError);
    expect(() => decodeDeviceEvent(sent, 'd')).toThrow(problem);
  });

  it('refuses to encode what JSON cannot carry back', () => {
    const bad = { ...EVENTS[0], status: { state: 'waiting', message: '', at: AT, extra: () => 1 } } as never;
    expect(() => encodeDeviceEvent(bad)).toThrow(LinkEventError);
  });
});
