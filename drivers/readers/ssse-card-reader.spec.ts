import { NINGXIA_CARD } from '../protocols/ssse-card.fixtures';
import { buildCardImage, CardEmulator } from '../protocols/ssse-card-image';
import { FakePcscSystem } from '../transports/fake-pcsc-transport';
import { fakePcscWorld } from '../transports/pcsc-transport.contract';
import { eventually } from '../testing/eventually';
import type { DeviceStatus } from './device-status';
import { SSSE_READER_MESSAGES, SsseCardReader, SsseCardReadEvent } from './ssse-card-reader';
import { ssseCardReaderScenario } from './ssse-card-reader.contract';

const READER = 'Virtual PCD 00 00';

ssseCardReaderScenario('in-memory PC/SC', async () => fakePcscWorld(new FakePcscSystem()));

describe(SsseCardReader.name, () => {
  const ningxia = (): CardEmulator => new CardEmulator(buildCardImage(NINGXIA_CARD, { generation: 2 }));

  it('reads a card that is already in the reader when it starts', async () => {
    const system = new FakePcscSystem();
    system.plugReader(READER).insert(ningxia());
    const reader = new SsseCardReader(system.transport(READER), { reconnectBaseMs: 10, reconnectMaxMs: 50 });
    const reads: SsseCardReadEvent[] = [];
    reader.on('card', (r) => reads.push(r));
    reader.start();
    try {
      await eventually(() => reads.length === 1, 'the read');
      expect(reads[0].result).toEqual({ kind: 'complete', card: NINGXIA_CARD });
    } finally {
      await reader.stop();
    }
  });

  it('waits in error while pcscd or the reader is missing, naming what to do, and starts reading once they are there', async () => {
    const system = new FakePcscSystem();
    system.stopService();
    const reader = new SsseCardReader(system.transport(READER), { reconnectBaseMs: 10, reconnectMaxMs: 50 });
    const statuses: DeviceStatus[] = [];
    reader.on('status', (s) => statuses.push(s));
    reader.start();
    try {
      await eventually(() => reader.status.state === 'error', 'the error status');
      expect(reader.status.message).toContain('pcscd');
      system.startService();
      await eventually(() => reader.status.message.includes('找不到读卡器'), 'the missing reader');
      expect(reader.status.state).toBe('error');
      system.plugReader(READER);
      await eventually(
        () => reader.status.message === SSSE_READER_MESSAGES.insertCard,
        'the reader to wait for a card',
      );
      system.reader(READER)?.insert(ningxia());
      await eventually(() => reader.status.message === SSSE_READER_MESSAGES.done, 'the read');
    } finally {
      await reader.stop();
    }
  });

  it('goes disconnected when pcscd stops and comes back with it', async () => {
    const system = new FakePcscSystem();
    system.plugReader(READER);
    const reader = new SsseCardReader(system.transport(READER), { reconnectBaseMs: 10, reconnectMaxMs: 50 });
    reader.start();
    try {
      await eventually(() => reader.status.state === 'waiting', 'the reader to wait');
      system.stopService();
      await eventually(() => reader.status.state === 'disconnected', 'the disconnect');
      expect(reader.status.message).toContain('pcscd');
      system.startService();
      await eventually(() => reader.status.state === 'waiting', 'the reconnect');
    } finally {
      await reader.stop();
    }
  });

  it('ends a read in progress when stopped, without a failure message, once the stuck card lets go', async () => {
    const system = new FakePcscSystem();
    let received = 0;
    const slot = system.plugReader(READER);
    slot.insert({
      transmit: () => (received++ === 0 ? new Promise<Buffer>(() => undefined) : Buffer.from('9000', 'hex')),
    });
    const reader = new SsseCardReader(system.transport(READER), { reconnectBaseMs: 10, reconnectMaxMs: 50 });
    const statuses: DeviceStatus[] = [];
    reader.on('status', (s) => statuses.push(s));
    reader.start();
    await eventually(() => received === 1 && reader.status.state === 'reading', 'the stuck command');
    const stopped = reader.stop();
    expect(reader.isRunning).toBe(false);
    slot.remove(); // PC/SC cannot abort a command: stopping waits until the card answers or is gone
    await stopped;
    expect(statuses[statuses.length - 1].state).toBe('reading'); // no failure message for a read we ended ourselves
  });
});
