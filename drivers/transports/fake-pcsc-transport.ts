import { SIMULATED_SSSE_ATR } from '../protocols/ssse-card-image';
import { Listeners } from './listeners';
import { CardPresence, matchReader, pcscErrors, PcscTransport } from './pcsc-transport';
import { DisconnectedError, TransportError } from './transport-errors';

/**
 * A card as a simulated reader holds it: anything that answers command APDUs (a CardEmulator,
 * a test double). `reset()` is called on every power cycle, like a real card losing its
 * selected application and security state.
 */
export interface SimulatedCard {
  /** Answer to reset; default SIMULATED_SSSE_ATR (ssse-card-image.ts). An empty ATR is a card that does not answer. */
  readonly atr?: Buffer;
  transmit(apdu: Buffer): Buffer | Promise<Buffer>;
  reset?(): void;
}

/** One insertion of a card: a new object each time, so a session knows whether "its" card is still there. */
class Insertion {
  readonly atr: Buffer;
  /** Settles when the card is taken out or PC/SC loses the reader: a command it was executing is over. */
  readonly over: Promise<void>;
  private end: () => void = () => undefined;

  constructor(readonly card: SimulatedCard) {
    this.atr = Buffer.from(card.atr ?? SIMULATED_SSSE_ATR);
    this.over = new Promise<void>((resolve) => {
      this.end = resolve;
    });
  }

  finish(): void {
    this.end();
  }
}

/**
 * An in-memory PC/SC system (pcscd with readers and cards) for tests and the sandbox: readers
 * are plugged and unplugged, cards inserted and removed, and FakePcscTransport talks to it
 * exactly as PcscliteTransport talks to pcscd (asynchronous events, the same errors and
 * messages, see pcsc-transport.ts for the contract).
 */
export class FakePcscSystem {
  private readonly readers = new Map<string, FakePcscReader>();
  private running = true;
  /** Shown in the "pcscd not running" message, like the real one. */
  readonly socketPath = '/run/pcscd/pcscd.comm';

  plugReader(name: string): FakePcscReader {
    if (this.readers.has(name)) {
      throw new Error(`reader ${name} is already plugged in`);
    }
    const reader = new FakePcscReader(name);
    this.readers.set(name, reader);
    return reader;
  }

  /** Pull the reader's USB cable: open transports on it see a disconnect. */
  unplugReader(name: string): void {
    const reader = this.readers.get(name);
    if (!reader) {
      throw new Error(`no reader ${name}`);
    }
    this.readers.delete(name);
    reader.unplugged(pcscErrors.readerRemoved(name));
  }

  reader(name: string): FakePcscReader | undefined {
    return this.readers.get(name);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Stop pcscd: every open transport sees a disconnect; opening fails until it is started again. */
  stopService(): void {
    this.running = false;
    for (const reader of this.readers.values()) {
      reader.unplugged(pcscErrors.serviceStopped());
    }
  }

  startService(): void {
    this.running = true;
  }

  /** The reader names pcscd would list, in plug-in order. */
  async listReaders(): Promise<string[]> {
    await Promise.resolve();
    this.ensureRunning();
    return [...this.readers.keys()];
  }

  transport(name: string): FakePcscTransport {
    return new FakePcscTransport(name, this);
  }

  /** For FakePcscTransport.open(): the reader a configured name designates. */
  find(configured: string): FakePcscReader {
    this.ensureRunning();
    const name = matchReader(configured, [...this.readers.keys()]);
    return this.readers.get(name) as FakePcscReader;
  }

  private ensureRunning(): void {
    if (!this.running) {
      throw pcscErrors.serviceMissing(this.socketPath);
    }
  }
}

/** A reader slot of the fake system. */
export class FakePcscReader {
  private insertion: Insertion | undefined;
  private readonly attached = new Set<FakePcscTransport>();
  /** How many transports hold the current card connected (it is powered while > 0). */
  private holders = 0;

  constructor(readonly name: string) {}

  get card(): SimulatedCard | undefined {
    return this.insertion?.card;
  }

  /** Put a card in; attached transports hear of it asynchronously. */
  insert(card: SimulatedCard): void {
    if (this.insertion) {
      throw new Error(`reader ${this.name} already holds a card`);
    }
    const insertion = new Insertion(card);
    this.insertion = insertion;
    this.holders = 0;
    card.reset?.();
    this.notify({ present: true, atr: Buffer.from(insertion.atr) });
  }

  /** Take the card out; a transmit in progress fails with CARD_REMOVED. */
  remove(): void {
    if (!this.insertion) {
      return;
    }
    this.insertion.card.reset?.();
    this.insertion.finish();
    this.insertion = undefined;
    this.holders = 0;
    this.notify({ present: false });
  }

  presence(): CardPresence {
    return this.insertion ? { present: true, atr: Buffer.from(this.insertion.atr) } : { present: false };
  }

  current(): Insertion | undefined {
    return this.insertion;
  }

  attach(transport: FakePcscTransport): void {
    this.attached.add(transport);
  }

  detach(transport: FakePcscTransport): void {
    this.attached.delete(transport);
  }

  /** A transport connects the card: the first holder powers it up (a fresh card state). */
  hold(insertion: Insertion): void {
    if (this.insertion === insertion) {
      if (this.holders === 0) {
        insertion.card.reset?.();
      }
      this.holders++;
    }
  }

  /** A transport disconnects the card with a reset, as PcscliteTransport does. */
  release(insertion: Insertion): void {
    if (this.insertion === insertion) {
      this.holders = Math.max(0, this.holders - 1);
      insertion.card.reset?.();
    }
  }

  unplugged(error: DisconnectedError): void {
    this.insertion?.finish();
    const attached = [...this.attached];
    this.attached.clear();
    for (const transport of attached) {
      setImmediate(() => transport.lost(error));
    }
  }

  private notify(event: CardPresence): void {
    for (const transport of this.attached) {
      setImmediate(() => transport.cardChanged(event));
    }
  }
}

interface Pending {
  readonly reject: (error: TransportError) => void;
}

export class FakePcscTransport implements PcscTransport {
  private reader: FakePcscReader | undefined;
  private readonly listeners = new Listeners<{ card: CardPresence; disconnect: TransportError }>();
  private connected: Insertion | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The command the card is executing, over when it answers or the card is gone. */
  private executing: Promise<void> = Promise.resolve();
  private opening = false;

  constructor(
    readonly path: string,
    private readonly system: FakePcscSystem,
  ) {}

  get readerName(): string | undefined {
    return this.reader?.name;
  }

  get isOpen(): boolean {
    return this.reader !== undefined;
  }

  async open(): Promise<void> {
    if (this.reader || this.opening) {
      throw pcscErrors.alreadyOpen(this.path);
    }
    this.opening = true;
    try {
      await Promise.resolve();
      const reader = this.system.find(this.path);
      reader.attach(this);
      this.reader = reader;
      const initial = reader.presence();
      setImmediate(() => {
        if (this.reader === reader) {
          this.listeners.emit('card', initial);
        }
      });
    } finally {
      this.opening = false;
    }
  }

  async close(): Promise<void> {
    await Promise.resolve();
    const reader = this.reader;
    if (!reader) {
      return;
    }
    this.reader = undefined;
    reader.detach(this);
    this.failPending(pcscErrors.notOpen(reader.name));
    // Like PC/SC, which cannot abort a command: wait until the card answers or is gone.
    await this.executing;
    if (this.connected) {
      reader.release(this.connected);
      this.connected = undefined;
    }
  }

  onDisconnect(listener: (error: TransportError) => void): () => void {
    return this.listeners.on('disconnect', listener);
  }

  onCard(listener: (event: CardPresence) => void): () => void {
    return this.listeners.on('card', listener);
  }

  async connectCard(): Promise<Buffer> {
    await Promise.resolve();
    const reader = this.openReader();
    const insertion = reader.current();
    if (!insertion) {
      throw pcscErrors.noCard(reader.name);
    }
    if (insertion.atr.length === 0) {
      throw pcscErrors.cardUnresponsive(reader.name);
    }
    if (this.connected !== insertion) {
      if (this.connected) {
        reader.release(this.connected);
      }
      reader.hold(insertion);
      this.connected = insertion;
    }
    return Buffer.from(insertion.atr);
  }

  transmit(apdu: Buffer): Promise<Buffer> {
    const result = this.queue.then(() => this.exchange(Buffer.from(apdu)));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async disconnectCard(): Promise<void> {
    await this.queue;
    const reader = this.reader;
    if (reader && this.connected) {
      reader.release(this.connected);
    }
    this.connected = undefined;
  }

  /** The fake reader tells us the card came or went. */
  cardChanged(event: CardPresence): void {
    const reader = this.reader;
    if (!reader) {
      return;
    }
    // Events arrive after the fact: only a card that is really gone fails the command.
    if (!event.present && this.connected && reader.current() !== this.connected) {
      this.failPending(pcscErrors.cardRemoved(reader.name));
    }
    this.listeners.emit('card', event);
  }

  /** The reader was unplugged or the service stopped. */
  lost(error: DisconnectedError): void {
    if (!this.reader) {
      return;
    }
    this.reader = undefined;
    this.connected = undefined;
    this.failPending(error);
    this.listeners.emit('disconnect', error);
  }

  private openReader(): FakePcscReader {
    if (!this.reader) {
      throw pcscErrors.notOpen(this.path);
    }
    return this.reader;
  }

  private async exchange(apdu: Buffer): Promise<Buffer> {
    const reader = this.openReader();
    const insertion = this.connected;
    if (!insertion) {
      throw pcscErrors.notConnected(reader.name);
    }
    if (reader.current() !== insertion) {
      throw pcscErrors.cardRemoved(reader.name);
    }
    return new Promise<Buffer>((resolve, reject) => {
      const pending: Pending = { reject };
      this.pending = pending;
      let answered: () => void = () => undefined;
      this.executing = Promise.race([new Promise<void>((done) => (answered = done)), insertion.over]);
      setImmediate(() => {
        Promise.resolve()
          .then(() => insertion.card.transmit(Buffer.from(apdu)))
          .finally(() => answered())
          .then(
            (answer) => {
              if (this.pending !== pending) {
                return; // already failed: removed, closed or lost
              }
              this.pending = undefined;
              if (reader.current() !== insertion || this.reader !== reader) {
                reject(pcscErrors.cardRemoved(reader.name));
              } else if (answer.length < 2) {
                reject(pcscErrors.cardRemoved(reader.name, undefined, true));
              } else {
                resolve(Buffer.from(answer));
              }
            },
            (error: unknown) => {
              if (this.pending === pending) {
                this.pending = undefined;
                reject(pcscErrors.cardUnresponsive(reader.name, error));
              }
            },
          );
      });
    });
  }

  private failPending(error: TransportError): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}
