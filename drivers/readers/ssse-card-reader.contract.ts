import { CardAuthenticator, SsseCard } from '../protocols/ssse-card';
import { NINGXIA_CARD, UYGHUR_CARD } from '../protocols/ssse-card.fixtures';
import { buildCardImage, CardEmulator, CardEmulatorOptions } from '../protocols/ssse-card-image';
import { sandboxHsmCardKey, SimulatedPsam } from '../protocols/ssse-card-sim-auth';
import type { PcscWorld } from '../transports/pcsc-transport.contract';
import { StallingCard } from '../transports/pcsc-transport.contract';
import type { DeviceStatus } from './device-status';
import { SSSE_READER_MESSAGES, SsseCardReader, SsseCardReaderOptions, SsseCardReadEvent } from './ssse-card-reader';
import { eventually } from '../testing/eventually';

const THIRD_GENERATION: SsseCard = { ...UYGHUR_CARD, specVersion: '3.00' };
/** The sandbox insurer's HSM secret ("SANDBOX-HSM-KEY1", public on purpose; see src/sandbox/transactions/card-hsm-auth.ts). */
const SANDBOX_HSM_SECRET = '53414e44424f582d48534d2d4b455931';

function card(data: SsseCard, generation: 2 | 3, options: CardEmulatorOptions = {}): CardEmulator {
  return new CardEmulator(buildCardImage(data, { generation }), options);
}

/** The insurer's HSM as the gateway calls it (transaction 1165), answered the sandbox's way. */
const sandboxHsm: CardAuthenticator = {
  authenticate: async (cardSn, challenge, cardData) =>
    Buffer.from(
      sandboxHsmCardKey(SANDBOX_HSM_SECRET, cardSn, challenge.toString('hex'), cardData.toString('hex')),
      'hex',
    ),
};

/**
 * The social-security card reader end to end through a PcscTransport: over the in-memory fake
 * (unit tier) and over pcscd with vpcd and a VpcdCard (integration tier).
 */
export function ssseCardReaderScenario(name: string, makeWorld: () => Promise<PcscWorld>): void {
  describe(`${SsseCardReader.name} end to end: ${name}`, () => {
    let world: PcscWorld;
    let reader: SsseCardReader | undefined;
    let reads: SsseCardReadEvent[];
    let statuses: DeviceStatus[];

    const start = async (options: Partial<SsseCardReaderOptions> = {}): Promise<SsseCardReader> => {
      const r = new SsseCardReader(world.transport(), { reconnectBaseMs: 50, reconnectMaxMs: 200, ...options });
      reader = r;
      r.on('card', (read) => reads.push(read));
      r.on('status', (status) => statuses.push(status));
      r.start();
      await eventually(() => r.status.state === 'waiting', 'the reader to wait for a card');
      return r;
    };
    const saw = (state: DeviceStatus['state'], message?: string): boolean =>
      statuses.some((s) => s.state === state && (message === undefined || s.message.includes(message)));

    beforeEach(async () => {
      world = await makeWorld();
      reader = undefined;
      reads = [];
      statuses = [];
    });
    afterEach(async () => {
      await reader?.stop();
      await world.dispose();
    });

    it('reads a 2nd-generation card once per insertion, and again after it is taken out and put back', async () => {
      const r = await start();
      expect(r.status).toMatchObject({ state: 'waiting', message: SSSE_READER_MESSAGES.insertCard });
      const first = card(NINGXIA_CARD, 2);
      await world.insert(first);
      await eventually(() => reads.length === 1, 'the read');
      expect(reads[0].result).toEqual({ kind: 'complete', card: NINGXIA_CARD });
      expect(reads[0].atr).toEqual(first.atr);
      expect(reads[0].at).toBeInstanceOf(Date);
      await eventually(() => r.status.message === SSSE_READER_MESSAGES.done, 'the done message');
      expect(r.status.state).toBe('waiting');
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'waiting', 'reading', 'waiting']);

      await world.remove();
      await eventually(() => r.status.message === SSSE_READER_MESSAGES.insertCard, 'the reader to ask for a card');
      expect(reads).toHaveLength(1); // one read for one insertion

      await world.insert(card(UYGHUR_CARD, 2));
      await eventually(() => reads.length === 2, 'the second read');
      expect(reads[1].result).toEqual({ kind: 'complete', card: UYGHUR_CARD });
    });

    it('reads a 3rd-generation card completely through a PSAM', async () => {
      await start({ authenticator: new SimulatedPsam() });
      await world.insert(card(THIRD_GENERATION, 3));
      await eventually(() => reads.length === 1, 'the read');
      expect(reads[0].result).toEqual({ kind: 'complete', card: THIRD_GENERATION });
      expect(saw('authentication-required')).toBe(false);
    });

    it('reads a 3rd-generation card completely through the (sandbox) insurer HSM', async () => {
      await start({ authenticator: sandboxHsm });
      await world.insert(card(THIRD_GENERATION, 3, { hsmSecret: SANDBOX_HSM_SECRET }));
      await eventually(() => reads.length === 1, 'the read');
      expect(reads[0].result).toEqual({ kind: 'complete', card: THIRD_GENERATION });
    });

    it('stops a 3rd-generation card without an authenticator at authentication-required, with its public fields only', async () => {
      const r = await start();
      await world.insert(card(THIRD_GENERATION, 3));
      await eventually(() => reads.length === 1, 'the partial read');
      const { result } = reads[0];
      expect(result.kind).toBe('authentication-required');
      expect(result).toMatchObject({
        reason: { code: 'NO_AUTHENTICATOR' },
        card: { cardSn: THIRD_GENERATION.cardSn, specVersion: '3.00' },
      });
      for (const key of ['name', 'ssn', 'cardNo', 'sex', 'nation', 'birthDate', 'birthPlace']) {
        expect(result.card).not.toHaveProperty(key);
      }
      await eventually(() => r.status.state === 'authentication-required', 'the authentication-required status');
      expect(r.status.message).toContain('第三代社保卡须经PSAM卡或加密机认证');

      await world.remove();
      await eventually(() => r.status.state === 'waiting', 'the reader to wait again');
      expect(r.status.message).toBe(SSSE_READER_MESSAGES.insertCard);
    });

    it('says when the card refused the authentication, and never passes the protected fields on', async () => {
      const r = await start({ authenticator: sandboxHsm });
      // A card personalised for another HSM secret: it refuses the sandbox key.
      const other = card(THIRD_GENERATION, 3, { hsmSecret: '00112233445566778899AABBCCDDEEFF' });
      await world.insert(other);
      await eventually(() => reads.length === 1, 'the partial read');
      expect(reads[0].result).toMatchObject({
        kind: 'authentication-required',
        reason: { code: 'CARD_REJECTED', sw: 0x63c2 },
      });
      expect(reads[0].result.card).not.toHaveProperty('name');
      await eventually(() => r.status.state === 'authentication-required', 'the status');
      expect(r.status.message).toContain('卡片拒绝外部认证');
      expect(other.remainingAuthAttempts).toBe(2);
    });

    it('turns a card it cannot read into a message, and reads the next card', async () => {
      const r = await start();
      // A bank card, say: no SSSE application.
      await world.insert({ transmit: () => Buffer.from('6A82', 'hex') });
      await eventually(() => saw('waiting', '读卡失败'), 'the failure message');
      expect(r.status.message).toContain('选择社保应用失败');
      expect(reads).toHaveLength(0);
      await world.remove();
      await world.insert(card(NINGXIA_CARD, 2));
      await eventually(() => reads.length === 1, 'the read of the next card');
      expect(r.isRunning).toBe(true);
    });

    it('says the card was pulled out during the read, then reads the next one', async () => {
      const r = await start();
      const stalling = new StallingCard(card(NINGXIA_CARD, 2), (apdu) => apdu[1] === 0xb2 && apdu[2] === 0x08); // 社会保障号码
      await world.insert(stalling);
      await eventually(() => stalling.stalled, 'the read to reach EF06');
      await world.remove();
      stalling.unstall();
      await eventually(() => saw('waiting', '读卡过程中社保卡被取出'), 'the removal message');
      await eventually(() => r.status.message === SSSE_READER_MESSAGES.insertCard, 'the reader to ask for a card');
      expect(reads).toHaveLength(0);

      await world.insert(card(NINGXIA_CARD, 2));
      await eventually(() => reads.length === 1, 'the next read');
      expect(reads[0].result.kind).toBe('complete');
    });

    it('goes disconnected when the reader is unplugged, and reads again once it is back', async () => {
      if (!world.unplugReader || !world.replugReader) {
        return; // vpcd's readers cannot be unplugged; the fake covers this
      }
      const r = await start();
      await world.unplugReader();
      await eventually(() => r.status.state === 'disconnected', 'the disconnect');
      expect(r.status.message).toContain(world.readerName);
      await world.replugReader();
      await eventually(() => r.status.state === 'waiting', 'the reconnect');
      await world.insert(card(NINGXIA_CARD, 2));
      await eventually(() => reads.length === 1, 'a read after the reconnect');
      expect(reads[0].result.kind).toBe('complete');
    });
  });
}
