import { applyDeviceMessage, type LiveDevice } from './device-live';

interface Row extends LiveDevice {
  desk: string;
}

const rows: Row[] = [
  { id: 'a', desk: 'd1', state: 'waiting', message: '请扫码', since: '2026-12-03T01:00:00.000Z' },
  { id: 'b', desk: 'd2', state: 'connecting', message: '正在连接', since: '2026-12-03T01:00:00.000Z' },
];

describe(applyDeviceMessage.name, () => {
  it('changes one device on its status event, keeping the other fields', () => {
    const next = applyDeviceMessage(rows, {
      type: 'status',
      deviceId: 'a',
      desk: 'd1',
      at: '2026-12-03T02:00:00.000Z',
      state: 'disconnected',
      message: '串口 COM3 已断开',
    });
    expect(next).toEqual([
      { id: 'a', desk: 'd1', state: 'disconnected', message: '串口 COM3 已断开', since: '2026-12-03T02:00:00.000Z' },
      rows[1],
    ]);
    expect(rows[0].state).toBe('waiting'); // not changed in place
  });

  it('takes every state from a hello (after a reconnect) and ignores devices it does not list', () => {
    const next = applyDeviceMessage(rows, {
      type: 'hello',
      desk: null,
      devices: [
        {
          id: 'b',
          kind: 'scanner',
          desk: 'd2',
          state: 'waiting',
          message: '请扫码',
          since: '2026-12-03T03:00:00.000Z',
        },
        { id: 'zz', kind: 'scanner', desk: 'd9', state: 'error', message: 'x', since: '2026-12-03T03:00:00.000Z' },
      ],
    });
    expect(next.map((d) => [d.id, d.state])).toEqual([
      ['a', 'waiting'],
      ['b', 'waiting'],
    ]);
  });

  it('leaves the list alone for reads, other desks’ unknown devices and what is not an event', () => {
    expect(applyDeviceMessage(rows, { type: 'scan', deviceId: 'a', text: 'x' })).toBe(rows);
    expect(applyDeviceMessage(rows, { type: 'status', deviceId: 'nope', state: 'error' })).toBe(rows);
    expect(applyDeviceMessage(rows, null)).toBe(rows);
    expect(applyDeviceMessage(rows, 'hello')).toBe(rows);
  });
});
