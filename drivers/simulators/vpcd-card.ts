import { Socket, connect as connectTcp } from 'node:net';
import { SIMULATED_SSSE_ATR } from '../protocols/ssse-card-image';
import type { SimulatedCard } from '../transports/fake-pcsc-transport';
import { TransportError } from '../transports/transport-errors';

export { SIMULATED_SSSE_ATR };
export type { SimulatedCard };

/**
 * A virtual card for vsmartcard's vpcd, the PC/SC reader driver that makes pcscd believe in a
 * card while a TCP client is connected to it: the whole real PC/SC stack (pcscd, pcsc-lite,
 * @pokusew/pcsclite, PcscliteTransport) then talks to a CardEmulator, as with a real reader.
 *
 * The vpcd protocol: every message, both ways, is a 2-byte big-endian length and a payload.
 * From vpcd a 1-byte payload is a control code (00 power off, 01 power on, 02 reset, 04 "send
 * your ATR"; only 04 is answered); a longer one is a command APDU, answered with the response
 * APDU. vpcd asks one thing at a time. Closing the connection is taking the card out.
 */

export const VPCD_DEFAULT_HOST = '127.0.0.1';
/** vpcd's first reader ("Virtual PCD 00 00"); the second ("… 00 01") is on 35964. */
export const VPCD_DEFAULT_PORT = 35963;

export const VPCD_CONTROL = { powerOff: 0x00, powerOn: 0x01, reset: 0x02, getAtr: 0x04 } as const;

/** A message to or from vpcd: length prefix and payload. */
export function encodeVpcdMessage(payload: Buffer): Buffer {
  if (payload.length > 0xffff) {
    throw new RangeError(`a vpcd message holds at most 65535 bytes, not ${payload.length}`);
  }
  const header = Buffer.alloc(2);
  header.writeUInt16BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/** Cuts a TCP byte stream into vpcd messages, whatever the chunking. */
export class VpcdMessageParser {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.buffered.length >= 2) {
      const length = this.buffered.readUInt16BE(0);
      if (this.buffered.length < 2 + length) {
        break;
      }
      messages.push(Buffer.from(this.buffered.subarray(2, 2 + length)));
      this.buffered = this.buffered.subarray(2 + length);
    }
    return messages;
  }

  /** Bytes of an incomplete message still waiting for the rest. */
  get pending(): number {
    return this.buffered.length;
  }

  reset(): void {
    this.buffered = Buffer.alloc(0);
  }
}

export interface VpcdCardOptions {
  /** vpcd's address; default 127.0.0.1. */
  readonly host?: string;
  /** vpcd's port; default 35963 (reader "Virtual PCD 00 00"). */
  readonly port?: number;
  /** Overrides the card's ATR; default the card's own, else SIMULATED_SSSE_ATR. */
  readonly atr?: Buffer;
}

/**
 * Puts `card` into vpcd's reader: `insert()` connects, `remove()` disconnects. Commands are
 * answered by the card, one at a time in the order they came; the card is reset on power off,
 * power on and reset, and when it is taken out. A card that throws answers 6F 00, as a card
 * with an internal fault does.
 */
export class VpcdCard {
  private socket: Socket | undefined;
  private readonly parser = new VpcdMessageParser();
  private work: Promise<void> = Promise.resolve();
  private powered = false;
  /** Commands and control codes received in this insertion (control codes as 1-byte buffers), for tests. */
  readonly received: Buffer[] = [];

  constructor(
    private readonly card: SimulatedCard,
    private readonly options: VpcdCardOptions = {},
  ) {}

  get host(): string {
    return this.options.host ?? VPCD_DEFAULT_HOST;
  }

  get port(): number {
    return this.options.port ?? VPCD_DEFAULT_PORT;
  }

  get atr(): Buffer {
    return Buffer.from(this.options.atr ?? this.card.atr ?? SIMULATED_SSSE_ATR);
  }

  get isInserted(): boolean {
    return this.socket !== undefined;
  }

  get isPowered(): boolean {
    return this.powered;
  }

  /** Connects to vpcd; resolves once connected (pcscd then sees a card). Inserting an inserted card does nothing. */
  async insert(): Promise<void> {
    if (this.socket) {
      return;
    }
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connectTcp({ host: this.host, port: this.port });
      const failed = (err: NodeJS.ErrnoException): void => {
        s.destroy();
        reject(
          new TransportError(
            err.code === 'ECONNREFUSED' ? 'NOT_FOUND' : 'IO',
            `无法连接虚拟读卡器 vpcd（${this.host}:${this.port}）：请安装 vsmartcard-vpcd 并启动 pcscd (${err.message})`,
            err,
          ),
        );
      };
      s.once('error', failed);
      s.once('connect', () => {
        s.off('error', failed);
        resolve(s);
      });
    });
    socket.setNoDelay(true);
    this.socket = socket;
    this.parser.reset();
    this.work = Promise.resolve(); // a command a stalled card never answered stays with the old insertion
    this.received.length = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const message of this.parser.push(chunk)) {
        this.work = this.work.then(() => this.handle(socket, message));
      }
    });
    // vpcd went away (pcscd stopped) or we pulled the card: either way it is out.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = undefined;
        this.cardOut();
      }
    });
  }

  /** Takes the card out: closes the connection; resolves once it is closed. */
  async remove(): Promise<void> {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    this.socket = undefined;
    this.cardOut();
    await new Promise<void>((resolve) => {
      if (socket.closed) {
        resolve();
        return;
      }
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private cardOut(): void {
    this.powered = false;
    this.parser.reset();
    this.card.reset?.();
  }

  private async handle(socket: Socket, message: Buffer): Promise<void> {
    this.received.push(message);
    if (message.length === 0) {
      return; // vpcd never sends this; vicc ignores it too
    }
    if (message.length === 1) {
      this.control(socket, message[0]);
      return;
    }
    let answer: Buffer;
    try {
      answer = Buffer.from(await this.card.transmit(Buffer.from(message)));
    } catch {
      answer = Buffer.from([0x6f, 0x00]);
    }
    this.send(socket, answer);
  }

  private control(socket: Socket, code: number): void {
    switch (code) {
      case VPCD_CONTROL.powerOff:
        this.powered = false;
        this.card.reset?.();
        return;
      case VPCD_CONTROL.powerOn:
      case VPCD_CONTROL.reset:
        this.powered = true;
        this.card.reset?.();
        return;
      case VPCD_CONTROL.getAtr:
        this.send(socket, this.atr);
        return;
      default:
        return; // unknown control codes are ignored, as vicc does
    }
  }

  private send(socket: Socket, payload: Buffer): void {
    if (this.socket === socket && !socket.destroyed) {
      socket.write(encodeVpcdMessage(payload));
    }
  }
}
