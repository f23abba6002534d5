import { selectSsseApp } from '../protocols/ssse-card';
import { SIMULATED_SSSE_ATR } from '../protocols/ssse-card-image';
import { eventually } from '../testing/eventually';
import { FakePcscSystem, SimulatedCard } from './fake-pcsc-transport';
import { CardPresence, matchReader } from './pcsc-transport';
import { fakePcscWorld, pcscTransportContract, sampleCard } from './pcsc-transport.contract';
import { TransportError } from './transport-errors';

const READER = 'Virtual PCD 00 00';

pcscTransportContract('in-memory fake', async () => fakePcscWorld());

describe('FakePcscSystem', () => {
  it('lists readers in plug-in order and opens a reader by the beginning of its name', async () => {
    const system = new FakePcscSystem();
    system.plugReader('ACS ACR39U ICC Reader 00 00');
    system.plugReader('Virtual PCD 00 00');
    await expect(system.listReaders()).resolves.toEqual(['ACS ACR39U ICC Reader 00 00', 'Virtual PCD 00 00']);
    const t = system.transport('ACS ACR39U');
    await t.open();
    expect(t.readerName).toBe('ACS ACR39U ICC Reader 00 00');
    await t.close();
    expect(t.readerName).toBeUndefined();
  });

  it('stops like pcscd: open transports see a disconnect, opening says how to start pcscd, and it works once started', async () => {
    const system = new FakePcscSystem();
    system.plugReader(READER);
    const t = system.transport(READER);
    const lost: TransportError[] = [];
    t.onDisconnect((e) => lost.push(e));
    await t.open();
    system.stopService();
    await eventually(() => lost.length > 0, 'the disconnect');
    expect(lost[0]).toMatchObject({ disconnected: true, message: expect.stringContaining('pcscd') });
    expect(t.isOpen).toBe(false);

    const refused = await t.open().catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'MISSING_LIBRARY',
      message: expect.stringContaining('apt-get install pcscd'),
    });
    await expect(system.listReaders()).rejects.toMatchObject({ code: 'MISSING_LIBRARY' });

    system.startService();
    await t.open();
    expect(t.isOpen).toBe(true);
    await t.close();
    expect(lost).toHaveLength(1);
  });

  it('says a card without an ATR does not answer, and a card that throws is unresponsive', async () => {
    const system = new FakePcscSystem();
    const reader = system.plugReader(READER);
    const t = system.transport(READER);
    const events: CardPresence[] = [];
    t.onCard((e) => events.push(e));
    await t.open();
    reader.insert({ atr: Buffer.alloc(0), transmit: () => Buffer.from('9000', 'hex') });
    await eventually(() => events.length >= 2, 'the insertion');
    await expect(t.connectCard()).rejects.toMatchObject({ code: 'CARD_UNRESPONSIVE' });
    reader.remove();

    const broken: SimulatedCard = {
      transmit: () => {
        throw new Error('chip fault');
      },
    };
    reader.insert(broken);
    await expect(t.connectCard()).resolves.toEqual(SIMULATED_SSSE_ATR);
    await expect(t.transmit(selectSsseApp())).rejects.toMatchObject({ code: 'CARD_UNRESPONSIVE' });
    await t.close();
  });

  it('resets the card when a transport connects and disconnects it, as pcscd powers it', async () => {
    const system = new FakePcscSystem();
    const reader = system.plugReader(READER);
    const card = sampleCard();
    const resets = jest.spyOn(card, 'reset');
    reader.insert(card);
    const t = system.transport(READER);
    await t.open();
    const afterInsert = resets.mock.calls.length;
    await t.connectCard();
    expect(resets.mock.calls.length).toBe(afterInsert + 1);
    await t.disconnectCard();
    expect(resets.mock.calls.length).toBe(afterInsert + 2);
    await t.close();
  });

  it('refuses to put a second card into a reader or to plug a reader twice', () => {
    const system = new FakePcscSystem();
    const reader = system.plugReader(READER);
    reader.insert(sampleCard());
    expect(() => reader.insert(sampleCard())).toThrow();
    expect(() => system.plugReader(READER)).toThrow();
  });
});

describe(matchReader.name, () => {
  const readers = ['Virtual PCD 00 00', 'Virtual PCD 00 01', 'ACS ACR39U ICC Reader 00 00'];

  it('prefers the exact name, then the only reader the beginning fits', () => {
    expect(matchReader('Virtual PCD 00 01', readers)).toBe('Virtual PCD 00 01');
    expect(matchReader('ACS', readers)).toBe('ACS ACR39U ICC Reader 00 00');
    expect(matchReader('Virtual PCD 00 0', ['Virtual PCD 00 0', 'Virtual PCD 00 01'])).toBe('Virtual PCD 00 0');
  });

  it('refuses a missing, empty or ambiguous name with NOT_FOUND', () => {
    expect(() => matchReader('Longwei', readers)).toThrow(
      expect.objectContaining({
        code: 'NOT_FOUND',
        message: expect.stringContaining('「ACS ACR39U ICC Reader 00 00」'),
      }),
    );
    expect(() => matchReader('', readers)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => matchReader('Virtual', readers)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('同时匹配多个读卡器') }),
    );
    expect(() => matchReader('ACS', [])).toThrow(
      expect.objectContaining({ message: expect.stringContaining('当前没有任何读卡器') }),
    );
  });
});
