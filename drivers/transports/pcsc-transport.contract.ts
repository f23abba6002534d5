import { readSsseCard, selectSsseApp } from '../protocols/ssse-card';
import { NINGXIA_CARD } from '../protocols/ssse-card.fixtures';
import { buildCardImage, CardEmulator } from '../protocols/ssse-card-image';
import { FakePcscSystem, type SimulatedCard } from './fake-pcsc-transport';
import { CardPresence, PcscTransport } from './pcsc-transport';
import { TransportError } from './transport-errors';
import { eventually } from '../testing/eventually';

/** What a contract run needs: a PC/SC system with one reader slot the test can put cards into. */
export interface PcscWorld {
  /** The full name of the reader the world's cards go into. */
  readonly readerName: string;
  /** Every reader the system lists (NOT_FOUND must name them). */
  readonly presentReaders: readonly string[];
  /** A beginning of reader names that fits more than one of them. */
  readonly ambiguousPrefix: string;
  /** A transport for `name` (default: the world's reader), not yet open. */
  transport(name?: string): PcscTransport;
  /** Puts a card into the reader; resolves once PC/SC reports it. */
  insert(card: SimulatedCard): Promise<void>;
  /** Takes it out; resolves once PC/SC reports the slot empty. */
  remove(): Promise<void>;
  /** Unplug the reader and plug it back (only where a reader can go away: not with vpcd). */
  unplugReader?(): Promise<void>;
  replugReader?(): Promise<void>;
  dispose(): Promise<void>;
}

/** A CardEmulator that leaves one command unanswered (a card stuck mid-command) until released. */
export class StallingCard implements SimulatedCard {
  private release: (() => void) | undefined;
  stalled = false;

  constructor(
    private readonly card: CardEmulator,
    private readonly stallOn: (apdu: Buffer) => boolean,
  ) {}

  get atr(): Buffer {
    return this.card.atr;
  }

  reset(): void {
    this.card.reset();
  }

  async transmit(apdu: Buffer): Promise<Buffer> {
    if (this.stallOn(apdu)) {
      this.stalled = true;
      await new Promise<void>((resolve) => {
        this.release = resolve;
      });
    }
    return this.card.transmit(apdu);
  }

  /** Lets the stuck command finish (so nothing is left pending when a test ends). */
  unstall(): void {
    this.release?.();
  }
}

export function sampleCard(): CardEmulator {
  return new CardEmulator(buildCardImage(NINGXIA_CARD, { generation: 2 }));
}

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

/**
 * The PcscTransport contract (pcsc-transport.ts), run against the in-memory fake (unit tier)
 * and against pcscd with vpcd and a VpcdCard (integration tier), so the fake cannot drift from
 * the real thing.
 */
export function pcscTransportContract(name: string, makeWorld: () => Promise<PcscWorld>): void {
  describe(`PcscTransport contract: ${name}`, () => {
    let world: PcscWorld;
    const opened: PcscTransport[] = [];
    const open = async (t: PcscTransport = world.transport()): Promise<PcscTransport> => {
      opened.push(t);
      await t.open();
      return t;
    };
    /** A transport that records every card event; resolves once the initial state is in. */
    const watch = async (
      t: PcscTransport = world.transport(),
    ): Promise<{ t: PcscTransport; events: CardPresence[] }> => {
      const events: CardPresence[] = [];
      t.onCard((e) => events.push(e));
      await open(t);
      await eventually(() => events.length > 0, 'the initial card state');
      return { t, events };
    };

    beforeEach(async () => {
      world = await makeWorld();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((t) => t.close()));
      await world.dispose();
    });

    it('refuses a reader that is not there with NOT_FOUND, naming the readers that are', async () => {
      const t = world.transport('No Such Reader 00 00');
      const error = await failure(t.open());
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('No Such Reader 00 00');
      for (const present of world.presentReaders) {
        expect(error.message).toContain(present);
      }
      expect(t.isOpen).toBe(false);
      expect(t.readerName).toBeUndefined();
    });

    it('refuses a name beginning that fits several readers, naming them', async () => {
      const error = await failure(world.transport(world.ambiguousPrefix).open());
      expect(error.code).toBe('NOT_FOUND');
      const fitting = world.presentReaders.filter((r) => r.startsWith(world.ambiguousPrefix));
      expect(fitting.length).toBeGreaterThan(1);
      for (const reader of fitting) {
        expect(error.message).toContain(reader);
      }
    });

    it('reports the empty slot after open, then every insertion with its ATR and every removal, in order', async () => {
      const { t, events } = await watch();
      expect(t.isOpen).toBe(true);
      expect(t.readerName).toBe(world.readerName);
      expect(events).toEqual([{ present: false }]);

      const card = sampleCard();
      await world.insert(card);
      await eventually(() => events.length >= 2, 'the insertion');
      await world.remove();
      await eventually(() => events.length >= 3, 'the removal');
      await world.insert(card);
      await eventually(() => events.length >= 4, 'the second insertion');
      expect(events).toEqual([
        { present: false },
        { present: true, atr: card.atr },
        { present: false },
        { present: true, atr: card.atr },
      ]);
    });

    it('reports a card that is already in the reader when opened', async () => {
      const card = sampleCard();
      await world.insert(card);
      const { events } = await watch();
      expect(events).toEqual([{ present: true, atr: card.atr }]);
    });

    it('connects the card and carries APDUs both ways: a whole social-security card read', async () => {
      const card = sampleCard();
      await world.insert(card);
      const { t } = await watch();
      const atr = await t.connectCard();
      expect(hex(atr)).toBe(hex(card.atr));
      expect(hex(await t.connectCard())).toBe(hex(card.atr)); // connecting again: same card, same ATR

      expect(hex(await t.transmit(selectSsseApp()))).toBe('9000');
      const read = await readSsseCard((apdu) => t.transmit(apdu));
      expect(read).toEqual({ kind: 'complete', card: NINGXIA_CARD });
      // The exact commands reached the card, in order.
      expect(card.received.map(hex)).toContain('00B2090020');
      expect(hex(card.received[card.received.length - 1])).toBe('00B20D0006');
      await t.disconnectCard();
      await t.disconnectCard(); // idempotent
    });

    it('sends concurrent commands one at a time, in call order', async () => {
      const card = sampleCard();
      await world.insert(card);
      const { t } = await watch();
      await t.connectCard();
      const answers = await Promise.all([
        t.transmit(selectSsseApp()),
        t.transmit(Buffer.from('00A4020002EF05', 'hex')),
        t.transmit(Buffer.from('00B2030006', 'hex')),
      ]);
      expect(answers.map(hex)).toEqual(['9000', '9000', '0304322E30309000']); // 规范版本 "2.00"
    });

    it('refuses card operations without a card, a connection or an open transport', async () => {
      const { t } = await watch();
      expect((await failure(t.connectCard())).code).toBe('NO_CARD');
      expect((await failure(t.transmit(selectSsseApp()))).code).toBe('NOT_OPEN');
      await world.insert(sampleCard());
      expect((await failure(t.transmit(selectSsseApp()))).code).toBe('NOT_OPEN'); // not connected yet

      const closed = world.transport();
      expect((await failure(closed.connectCard())).code).toBe('NOT_OPEN');
      expect((await failure(closed.transmit(selectSsseApp()))).code).toBe('NOT_OPEN');
      await closed.disconnectCard(); // nothing to do
    });

    it('refuses a second open with BUSY', async () => {
      const t = await open();
      expect((await failure(t.open())).code).toBe('BUSY');
      expect(t.isOpen).toBe(true);
    });

    it('fails the next command with CARD_REMOVED once the card is out, until a new card is connected', async () => {
      await world.insert(sampleCard());
      const { t, events } = await watch();
      await t.connectCard();
      expect(hex(await t.transmit(selectSsseApp()))).toBe('9000');
      await world.remove();
      await eventually(() => events.some((e) => !e.present), 'the removal');
      expect((await failure(t.transmit(selectSsseApp()))).code).toBe('CARD_REMOVED');
      expect((await failure(t.transmit(selectSsseApp()))).code).toBe('CARD_REMOVED');

      const next = sampleCard();
      await world.insert(next);
      await eventually(() => events.length >= 3, 'the new card');
      await t.connectCard();
      expect(hex(await t.transmit(selectSsseApp()))).toBe('9000');
    });

    it('fails a command in progress with CARD_REMOVED when the card is pulled out, instead of hanging', async () => {
      const stalling = new StallingCard(sampleCard(), (apdu) => apdu[1] === 0xb2);
      await world.insert(stalling);
      const { t, events } = await watch();
      await t.connectCard();
      expect(hex(await t.transmit(selectSsseApp()))).toBe('9000');
      expect(hex(await t.transmit(Buffer.from('00A4020002EF05', 'hex')))).toBe('9000');
      const stuck = failure(t.transmit(Buffer.from('00B2010012', 'hex')));
      await eventually(() => stalling.stalled, 'the card to get the command');
      await world.remove();
      const error = await stuck;
      stalling.unstall();
      expect(error.code).toBe('CARD_REMOVED');
      expect(error.message).toContain('社保卡');

      // The reader is fine: the next card reads (once this transport, not just the world's observer, has seen it).
      await world.insert(sampleCard());
      await eventually(() => {
        const out = events.findLastIndex((e) => !e.present);
        return out >= 0 && events.slice(out + 1).some((e) => e.present);
      }, 'the transport to see the card go and the next one come');
      await t.connectCard();
      await expect(readSsseCard((apdu) => t.transmit(apdu))).resolves.toEqual({ kind: 'complete', card: NINGXIA_CARD });
    });

    it('close is idempotent and silences every listener; a pending command fails with NOT_OPEN', async () => {
      const stalling = new StallingCard(sampleCard(), (apdu) => apdu[1] === 0xa4);
      await world.insert(stalling);
      const lost: TransportError[] = [];
      const { t, events } = await watch();
      t.onDisconnect((e) => lost.push(e));
      await t.connectCard();
      const pending = failure(t.transmit(selectSsseApp()));
      await eventually(() => stalling.stalled, 'the card to get the command');
      const closing = t.close();
      expect((await pending).code).toBe('NOT_OPEN'); // at once, though the card is still busy
      expect(t.isOpen).toBe(false);
      stalling.unstall(); // PC/SC cannot abort a running command: close() waits for it to return
      await closing;
      await t.close();

      // Another transport on the same reader sees the card go and come; the closed one hears nothing.
      const observer = await watch();
      const seen = events.length;
      await world.remove();
      await world.insert(sampleCard());
      await eventually(() => observer.events.length >= 3, 'the observer to see the card go and come');
      expect(events).toHaveLength(seen);
      expect(lost).toHaveLength(0);
    });

    it('can be closed from inside its own card listener', async () => {
      const t = world.transport();
      const events: CardPresence[] = [];
      let closed: Promise<void> | undefined;
      t.onCard((e) => {
        events.push(e);
        if (e.present && closed === undefined) {
          closed = t.close(); // e.g. a reader giving up on the card: must not deadlock the native side
        }
      });
      await open(t);
      await eventually(() => events.length === 1, 'the initial state');
      await world.insert(sampleCard());
      await eventually(() => closed !== undefined, 'the insertion');
      await closed;
      expect(t.isOpen).toBe(false);
      await open(t);
      await eventually(() => events.length === 3, 'the state after reopening');
      expect(events.map((e) => e.present)).toEqual([false, true, true]);
    });

    it('opens again after close and works as before', async () => {
      const first = await watch();
      await first.t.close();
      const card = sampleCard();
      await world.insert(card);
      const events: CardPresence[] = [];
      first.t.onCard((e) => events.push(e));
      await first.t.open();
      await eventually(() => events.length > 0, 'the state after reopening');
      expect(events).toEqual([{ present: true, atr: card.atr }]);
      await first.t.connectCard();
      expect(hex(await first.t.transmit(selectSsseApp()))).toBe('9000');
    });

    it('reports an unplugged reader once as disconnected, fails a pending command, and opens again once it is back', async () => {
      if (!world.unplugReader || !world.replugReader) {
        return; // this world's readers cannot go away (vpcd); the fake covers it
      }
      const stalling = new StallingCard(sampleCard(), (apdu) => apdu[1] === 0xa4);
      await world.insert(stalling);
      const lost: TransportError[] = [];
      const { t } = await watch();
      t.onDisconnect((e) => lost.push(e));
      await t.connectCard();
      const pending = failure(t.transmit(selectSsseApp()));
      await eventually(() => stalling.stalled, 'the card to get the command');
      await world.unplugReader();
      await eventually(() => lost.length > 0, 'the disconnect');
      stalling.unstall();
      expect(lost).toHaveLength(1);
      expect(lost[0].disconnected).toBe(true);
      expect(lost[0].message).toContain(world.readerName);
      expect((await pending).disconnected).toBe(true);
      expect(t.isOpen).toBe(false);
      expect((await failure(t.open())).code).toBe('NOT_FOUND');

      await world.replugReader();
      const events: CardPresence[] = [];
      t.onCard((e) => events.push(e));
      await t.open();
      await eventually(() => events.length > 0, 'the state after the replug');
      await t.close();
      expect(lost).toHaveLength(1); // our own close is not a disconnect
    });
  });
}

/** The fake set up like pcscd with vpcd: two virtual readers, cards go into the first. */
export function fakePcscWorld(
  system = new FakePcscSystem(),
  reader = 'Virtual PCD 00 00',
  other = 'Virtual PCD 00 01',
): PcscWorld {
  system.plugReader(reader);
  system.plugReader(other);
  return {
    readerName: reader,
    presentReaders: [reader, other],
    ambiguousPrefix: 'Virtual PCD',
    transport: (name = reader) => system.transport(name),
    insert: async (card) => system.reader(reader)?.insert(card),
    remove: async () => system.reader(reader)?.remove(),
    unplugReader: async () => system.unplugReader(reader),
    replugReader: async () => void system.plugReader(reader),
    dispose: async () => undefined,
  };
}
