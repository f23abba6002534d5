import fc from 'fast-check';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { readSsseCard, selectSsseApp } from '../protocols/ssse-card';
import { NINGXIA_CARD } from '../protocols/ssse-card.fixtures';
import { buildCardImage, CardEmulator, SIMULATED_SSSE_ATR } from '../protocols/ssse-card-image';
import { SimulatedPsam } from '../protocols/ssse-card-sim-auth';
import { TransportError } from '../transports/transport-errors';
import { eventually } from '../testing/eventually';
import { encodeVpcdMessage, SimulatedCard, VPCD_CONTROL, VpcdCard, VpcdMessageParser } from './vpcd-card';

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();

/** The vpcd side of the protocol on a local port: accepts the card and asks it things. */
class FakeVpcd {
  private socket: Socket | undefined;
  private readonly parser = new VpcdMessageParser();
  private readonly answers: Buffer[] = [];
  connections = 0;
  closed = 0;

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.connections++;
      this.socket = socket;
      this.parser.reset();
      socket.on('data', (chunk: Buffer) => this.answers.push(...this.parser.push(chunk)));
      socket.on('close', () => {
        this.closed++;
        if (this.socket === socket) {
          this.socket = undefined;
        }
      });
    });
  }

  static async start(): Promise<FakeVpcd> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeVpcd(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get cardConnected(): boolean {
    return this.socket !== undefined;
  }

  /** Sends raw bytes (already framed), as one write. */
  writeRaw(bytes: Buffer): void {
    this.socket?.write(bytes);
  }

  async control(code: number): Promise<void> {
    this.writeRaw(encodeVpcdMessage(Buffer.from([code])));
  }

  async atr(): Promise<Buffer> {
    await this.control(VPCD_CONTROL.getAtr);
    return this.next();
  }

  async transmit(apdu: Buffer): Promise<Buffer> {
    this.writeRaw(encodeVpcdMessage(apdu));
    return this.next();
  }

  /** The card's next answer. */
  async next(): Promise<Buffer> {
    await eventually(() => this.answers.length > 0, 'an answer from the card');
    return this.answers.shift() as Buffer;
  }

  async collect(count: number): Promise<Buffer[]> {
    await eventually(() => this.answers.length >= count, `${count} answers from the card`);
    return this.answers.splice(0, count);
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function emulator(generation: 2 | 3 = 2, options = {}): CardEmulator {
  return new CardEmulator(
    buildCardImage({ ...NINGXIA_CARD, specVersion: generation === 3 ? '3.00' : '2.00' }, { generation }),
    options,
  );
}

describe(VpcdMessageParser.name, () => {
  it('cuts a stream into messages however TCP splits or merges it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => encodeVpcdMessage(Buffer.from(p))));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const at of [...points, stream.length]) {
            chunks.push(stream.subarray(from, at));
            from = at;
          }
          const parser = new VpcdMessageParser();
          const messages = chunks.flatMap((chunk) => parser.push(chunk));
          expect(messages.map(hex)).toEqual(payloads.map((p) => hex(Buffer.from(p))));
          expect(parser.pending).toBe(0);
        },
      ),
    );
  });

  it('keeps an incomplete message until the rest arrives', () => {
    const parser = new VpcdMessageParser();
    expect(parser.push(Buffer.from('0005', 'hex'))).toEqual([]);
    expect(parser.push(Buffer.from('00A404', 'hex'))).toEqual([]);
    expect(parser.pending).toBe(5);
    expect(parser.push(Buffer.from('0000000104', 'hex')).map(hex)).toEqual(['00A4040000', '04']);
    expect(parser.pending).toBe(0);
  });

  it('frames with a 2-byte big-endian length and refuses what does not fit', () => {
    expect(hex(encodeVpcdMessage(Buffer.from([0x04])))).toBe('000104');
    expect(hex(encodeVpcdMessage(Buffer.alloc(0x1234)).subarray(0, 2))).toBe('1234');
    expect(() => encodeVpcdMessage(Buffer.alloc(0x10000))).toThrow(RangeError);
  });
});

describe(VpcdCard.name, () => {
  let vpcd: FakeVpcd;
  const cards: VpcdCard[] = [];
  const insert = async (card: SimulatedCard, options = {}): Promise<VpcdCard> => {
    const vicc = new VpcdCard(card, { port: vpcd.port, ...options });
    cards.push(vicc);
    await vicc.insert();
    await eventually(() => vpcd.cardConnected, 'vpcd to accept the card');
    return vicc;
  };

  beforeEach(async () => {
    vpcd = await FakeVpcd.start();
  });
  afterEach(async () => {
    await Promise.all(cards.splice(0).map((c) => c.remove()));
    await vpcd.stop();
  });

  it('answers "ATR?" with a plausible social-security card ATR, and the card\'s own when it has one', async () => {
    await insert(emulator());
    const atr = await vpcd.atr();
    expect(atr).toEqual(SIMULATED_SSSE_ATR);
    expect(atr[0]).toBe(0x3b); // direct convention
    expect(atr.length).toBe(4 + (atr[1] & 0x0f)); // TS T0 TB1 TC1 + the historical bytes T0 announces
    await cards[0].remove();

    const own = Buffer.from('3B6A00004A5353532D5445535431', 'hex');
    await insert(emulator(2, { atr: own }));
    expect(await vpcd.atr()).toEqual(own);
  });

  it('lets vpcd read a whole card over TCP, power-on first', async () => {
    const card = emulator(3);
    const vicc = await insert(card);
    await vpcd.control(VPCD_CONTROL.powerOn);
    await eventually(() => vicc.isPowered, 'the power-on');
    const read = await readSsseCard((apdu) => vpcd.transmit(apdu), new SimulatedPsam());
    expect(read).toEqual({ kind: 'complete', card: { ...NINGXIA_CARD, specVersion: '3.00' } });
    expect(card.received.length).toBeGreaterThan(15);
  });

  it("answers every message in order however vpcd's bytes are split or merged", async () => {
    const card = emulator();
    await insert(card);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
        card.reset();
        const messages = [
          Buffer.from([VPCD_CONTROL.powerOn]),
          Buffer.from([VPCD_CONTROL.getAtr]),
          selectSsseApp(),
          Buffer.from('00A4020002EF05', 'hex'),
          Buffer.from('00B2030006', 'hex'),
          Buffer.from([VPCD_CONTROL.getAtr]),
        ];
        const stream = Buffer.concat(messages.map(encodeVpcdMessage));
        const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
        let from = 0;
        for (const at of [...points, stream.length]) {
          vpcd.writeRaw(stream.subarray(from, at));
          from = at;
          await new Promise((r) => setImmediate(r));
        }
        const answers = await vpcd.collect(5);
        expect(answers.map(hex)).toEqual([
          hex(SIMULATED_SSSE_ATR),
          '9000',
          '9000',
          '0304322E30309000',
          hex(SIMULATED_SSSE_ATR),
        ]);
      }),
      { numRuns: 30 },
    );
  });

  it('resets the card on power off and reset, forgetting the selected application', async () => {
    const card = emulator();
    await insert(card);
    expect(hex(await vpcd.transmit(selectSsseApp()))).toBe('9000');
    expect(hex(await vpcd.transmit(Buffer.from('00A4020002EF05', 'hex')))).toBe('9000');
    await vpcd.control(VPCD_CONTROL.powerOff);
    expect(hex(await vpcd.transmit(Buffer.from('00A4020002EF05', 'hex')))).toBe('6A82'); // no application selected
    expect(hex(await vpcd.transmit(selectSsseApp()))).toBe('9000');
    await vpcd.control(VPCD_CONTROL.reset);
    expect(hex(await vpcd.transmit(Buffer.from('00B2010012', 'hex')))).toBe('6986'); // no EF selected
  });

  it('answers 6F 00 when the card throws, and ignores unknown control codes', async () => {
    await insert({
      transmit: () => {
        throw new Error('chip fault');
      },
    });
    await vpcd.control(0x7f);
    expect(hex(await vpcd.transmit(selectSsseApp()))).toBe('6F00');
  });

  it('is taken out by closing the connection and put back by a new one', async () => {
    const card = emulator();
    const resets = jest.spyOn(card, 'reset');
    const vicc = await insert(card);
    await vicc.insert(); // already in: nothing happens
    expect(vpcd.connections).toBe(1);
    await vicc.remove();
    await eventually(() => vpcd.closed === 1, 'vpcd to see the card go');
    expect(vicc.isInserted).toBe(false);
    expect(resets).toHaveBeenCalled();
    await vicc.remove(); // idempotent

    await vicc.insert();
    await eventually(() => vpcd.connections === 2 && vpcd.cardConnected, 'the second insertion');
    expect(hex(await vpcd.transmit(selectSsseApp()))).toBe('9000');
  });

  it('answers again after being pulled out in the middle of a command', async () => {
    let stall = true;
    const card = emulator();
    const vicc = await insert({
      atr: card.atr,
      reset: () => card.reset(),
      transmit: (apdu) => (stall ? new Promise<Buffer>(() => undefined) : card.transmit(apdu)),
    });
    vpcd.writeRaw(encodeVpcdMessage(selectSsseApp()));
    await eventually(() => vicc.received.length === 1, 'the command to arrive');
    await vicc.remove();
    stall = false;
    await vicc.insert();
    await eventually(() => vpcd.connections === 2 && vpcd.cardConnected, 'the second insertion');
    expect(hex(await vpcd.transmit(selectSsseApp()))).toBe('9000');
  });

  it('says where vpcd should be when nobody listens', async () => {
    const port = vpcd.port;
    await vpcd.stop();
    const error: unknown = await new VpcdCard(emulator(), { port }).insert().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(`127.0.0.1:${port}`) });
    vpcd = await FakeVpcd.start(); // for afterEach
  });
});
