import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { connect as connectSocket } from 'node:net';
import { dirname, join } from 'node:path';
import { Listeners } from './listeners';
import { CardPresence, matchReader, pcscErrors, PcscTransport } from './pcsc-transport';
import { DisconnectedError, TransportError } from './transport-errors';

/**
 * The real PC/SC transport, on `@pokusew/pcsclite` (pcsc-lite's client library talking to
 * pcscd). The library is loaded only when a PC/SC reader is opened or listed, so a gateway
 * without PC/SC readers runs without it. The build loaded is the gateway's patched copy when
 * `npm install` built it (see pcscliteBinding and drivers/native/pcsclite-patch.js): a reader's
 * status thread in 0.6.0 can end without telling the event loop to close its libuv handle when
 * it is closed right after an event, and Node then never exits; the patch fixes that in the
 * binding's C++, since no JavaScript can reach or unref that handle.
 *
 * What the library does that this file works around (version 0.6):
 * - Creating a context when pcscd is not running spins forever inside the constructor
 *   (SCardEstablishContext is retried while it answers "no service"), freezing Node. So pcscd's
 *   socket is tried first, and nothing is created when nobody answers on it.
 * - There is no "reader list ready" event (an empty list emits nothing), so the context's
 *   `start` is wrapped to learn when pcscd's first list has arrived.
 * - Every reader pcscd lists gets a status thread, and `close()` of the context does not stop
 *   them: each reader is closed, then the context. Closing a reader locks the mutex a running
 *   connect or transmit holds, blocking the event loop, so close waits for those first.
 * - Unpatched, closing a reader whose status thread has not yet entered its loop leaves the
 *   thread's libuv handle open for ever (the thread exits without saying so) and Node never
 *   exits: a reader is closed only after its first status came (its thread is in the loop). The
 *   same happens, rarely, to a reader closed just after a status (see above); only the patched
 *   build is free of both.
 * - A reader's 'status', 'error' and 'end' listeners run while the native side holds the
 *   reader's mutex, and microtasks run before it lets go: closing the reader from there (even
 *   after an `await`) deadlocks the event loop. Native closes always run from setImmediate.
 * - After a context is closed it still emits 'error' ("Command cancelled") and each reader
 *   'end': the listeners stay attached (an EventEmitter without an 'error' listener throws)
 *   and ignore them.
 * - Status `state` is a bit mask whose high 16 bits count insertions and removals: a card
 *   swapped between two looks shows only as a new count.
 * - `connect()` on a reader it believes connected (still so after the card was pulled) calls
 *   back at once without a protocol: a stale connection is dropped first.
 * - A transmit interrupted by a removal can succeed with an empty answer (vpcd does this): an
 *   answer shorter than SW1 SW2 is treated as a removal.
 * - Errors are plain Errors whose message ends in the PC/SC code, e.g. "(0x80100069)"; the code
 *   is what is mapped, the library's text is kept only as `cause`.
 */

export const DEFAULT_PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

/** Where pcscd listens: pcsc-lite's own rule (PCSCLITE_CSOCK_NAME, else /run/pcscd/pcscd.comm). */
export function pcscdSocketPath(): string {
  const fromEnv = process.env.PCSCLITE_CSOCK_NAME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_PCSCD_SOCKET;
}

export interface PcscliteOptions {
  /**
   * 'shared' (default): other programs may use the reader too (pcscd keeps commands apart);
   * 'exclusive': nobody else may connect to the card while we hold it.
   */
  readonly shareMode?: 'shared' | 'exclusive';
  /** The longest response APDU accepted, in bytes. Default 258: 256 data bytes and SW1 SW2. */
  readonly maxResponseLength?: number;
  /** How long open() waits for pcscd's reader list and the reader's first state. Default 5000 ms. */
  readonly openTimeoutMs?: number;
}

const DEFAULT_OPEN_TIMEOUT_MS = 5000;
/** How long close() waits for the readers' status threads to be running (normally a few ms). */
const READER_THREAD_START_MS = 2000;
const SHORT_APDU_RESPONSE = 258;

/** PC/SC return codes (pcsclite.h) that change what we tell staff. */
const SCARD = {
  E_INVALID_HANDLE: 0x80100003,
  E_INSUFFICIENT_BUFFER: 0x80100008,
  E_UNKNOWN_READER: 0x80100009,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_PROTO_MISMATCH: 0x8010000f,
  F_COMM_ERROR: 0x80100013,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  W_UNSUPPORTED_CARD: 0x80100065,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

// ---- The parts of @pokusew/pcsclite this file uses (its own typings export no names). ----

interface NativeStatus {
  readonly state: number;
  readonly atr?: Buffer;
}

interface NativeReader extends EventEmitter {
  readonly name: string;
  readonly connected: boolean;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_UNKNOWN: number;
  readonly SCARD_STATE_UNAVAILABLE: number;
  readonly SCARD_STATE_EMPTY: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  connect(options: { share_mode: number; protocol: number }, callback: (err: unknown, protocol?: number) => void): void;
  disconnect(disposition: number, callback: (err: unknown) => void): void;
  transmit(
    data: Buffer,
    maxResponseLength: number,
    protocol: number,
    callback: (err: unknown, response?: Buffer) => void,
  ): void;
  close(): void;
}

type ListCallback = (err: unknown, data?: Buffer) => void;

interface NativeContext extends EventEmitter {
  readonly readers: Record<string, NativeReader>;
  start: (callback: ListCallback) => void;
  close(): void;
}

type NativeFactory = () => NativeContext;

let library: NativeFactory | undefined;

export interface PcscliteBinding {
  /** True for the gateway's patched build (node_modules/.cache/gw-pcsclite, see drivers/native/pcsclite-patch.js). */
  readonly patched: boolean;
  /** What is required: the patched build's entry, or the package's name. */
  readonly entry: string;
}

/**
 * Which build of the binding is loaded: the patched copy that `npm install` builds in
 * node_modules/.cache/gw-pcsclite/ of the project (drivers/native/pcsclite-patch.js), else @pokusew/pcsclite as
 * installed (a process that used it may then not exit by itself, see the notes above).
 */
export function pcscliteBinding(): PcscliteBinding {
  // The project root is the first directory up with a package.json (from drivers/transports/
  // or, built, dist/drivers/transports/).
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) {
    dir = dirname(dir);
  }
  const patched = join(dir, 'node_modules', '.cache', 'gw-pcsclite');
  if (existsSync(join(patched, 'build', 'Release', 'pcsclite.node'))) {
    return { patched: true, entry: join(patched, 'lib', 'pcsclite.js') };
  }
  return { patched: false, entry: '@pokusew/pcsclite' };
}

/** Loads the binding on first use. */
function loadLibrary(): NativeFactory {
  if (library === undefined) {
    try {
      library = require(pcscliteBinding().entry) as NativeFactory;
    } catch (err) {
      throw new TransportError(
        'MISSING_LIBRARY',
        '无法加载PC/SC库（@pokusew/pcsclite）：请安装 pcscd 和 libpcsclite1（apt-get install pcscd libpcsclite1），再安装 libpcsclite-dev 后在网关目录运行 npm install（PC/SC 模块是可选依赖，缺少 libpcsclite-dev 时安装会跳过它）',
        err,
      );
    }
  }
  return library;
}

/** Tries pcscd's socket, so that the library is never asked to wait for a pcscd that is not there. */
async function checkPcscd(socketPath: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connectSocket({ path: socketPath });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err.code === 'ENOENT') {
        reject(pcscErrors.serviceMissing(socketPath, err));
      } else if (err.code === 'EACCES') {
        reject(
          new TransportError(
            'ACCESS_DENIED',
            `没有权限连接智能卡服务 pcscd（${socketPath}）：请检查 pcscd 的访问策略（polkit）`,
            err,
          ),
        );
      } else {
        reject(pcscErrors.serviceNotAnswering(socketPath, err));
      }
    });
  });
}

/** The library calls back with Errors; anything else is wrapped so that rejections are Errors. */
function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

/** The PC/SC code at the end of the library's message, e.g. "…(0x80100069)"; 0 when there is none. */
function pcscCode(err: unknown): number {
  const match = /\(0x([0-9a-f]{8})\)/i.exec(asError(err).message);
  return match ? Number.parseInt(match[1], 16) : 0;
}

function hex(code: number): string {
  return code === 0 ? '未知' : `0x${code.toString(16).toUpperCase().padStart(8, '0')}`;
}

function timeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

interface ContextEvents {
  status(reader: NativeReader, status: NativeStatus): void;
  readerGone(name: string, cause: unknown): void;
  failed(cause: unknown): void;
}

const IGNORE: ContextEvents = { status: () => undefined, readerGone: () => undefined, failed: () => undefined };

/**
 * One pcsc-lite context with the quirks handled: knows when the first reader list came, keeps
 * the last status of every reader, and closes completely.
 */
class Context {
  events: ContextEvents = IGNORE;
  private readonly native: NativeContext;
  private readonly listed: Promise<string[]>;
  private readonly statuses = new Map<string, NativeStatus>();
  private readonly readerErrors = new Map<string, unknown>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** One per reader: settles at its first status or its end. */
  private readonly started: Promise<void>[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(factory: NativeFactory) {
    const native = factory();
    this.native = native;
    native.on('error', (err: unknown) => {
      if (!this.closed) {
        this.events.failed(err);
      }
    });
    native.on('reader', (reader: NativeReader) => this.watch(reader));
    this.listed = new Promise<string[]>((resolve, reject) => {
      if (typeof native.start !== 'function') {
        reject(
          new TransportError(
            'MISSING_LIBRARY',
            '不支持此版本的PC/SC库 @pokusew/pcsclite：请安装网关 package.json 中指定的版本',
          ),
        );
        return;
      }
      // The library calls `start` on the next tick with a callback that emits 'reader' for
      // each new reader; wrapping it tells us when that first list has been handled.
      const start = native.start.bind(native);
      native.start = (callback: ListCallback) =>
        start((err, data) => {
          callback(err, data);
          if (err) {
            reject(asError(err));
          } else {
            resolve(Object.keys(native.readers));
          }
        });
    });
    this.listed.catch(() => undefined);
  }

  /** Checks pcscd, loads the library, and waits for pcscd's first reader list. */
  static async open(timeoutMs: number): Promise<Context> {
    const socketPath = pcscdSocketPath();
    await checkPcscd(socketPath);
    const context = new Context(loadLibrary());
    try {
      await timeout(context.listed, timeoutMs, () => pcscErrors.serviceNotAnswering(socketPath));
    } catch (err) {
      await context.close();
      throw err instanceof TransportError ? err : pcscErrors.serviceNotAnswering(socketPath, err);
    }
    return context;
  }

  readerNames(): string[] {
    return Object.keys(this.native.readers);
  }

  reader(name: string): NativeReader | undefined {
    return this.native.readers[name];
  }

  lastStatus(name: string): NativeStatus | undefined {
    return this.statuses.get(name);
  }

  /** Runs a native call, remembering it so that close() can wait for it. */
  call<T>(run: (done: (err: unknown, value: T) => void) => void): Promise<T> {
    const call = new Promise<T>((resolve, reject) => {
      run((err, value) => (err ? reject(asError(err)) : resolve(value)));
    });
    const tracked = call.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return call;
  }

  /** Stops every thread and handle of the context (waiting for connect/transmit calls to return first). */
  close(): Promise<void> {
    this.closed = true;
    this.events = IGNORE;
    this.closing ??= (async () => {
      await Promise.all([...this.inFlight]);
      await timeout(
        Promise.all(this.started),
        READER_THREAD_START_MS,
        () => new Error('reader status threads did not start'),
      ).catch(() => undefined);
      // From a fresh macrotask: never in the tick that created the context (the library's
      // `start` is still to come), never inside a native callback (a status callback holds the
      // reader's lock that close() takes: closing from it, even in a microtask, deadlocks).
      await new Promise((resolve) => setImmediate(resolve));
      for (const reader of Object.values(this.native.readers)) {
        reader.close();
      }
      this.native.close();
    })();
    return this.closing;
  }

  private watch(reader: NativeReader): void {
    const name = reader.name;
    this.started.push(
      new Promise<void>((resolve) => {
        reader.once('status', () => resolve());
        reader.once('end', () => resolve());
      }),
    );
    reader.on('error', (err: unknown) => {
      // The reader's status thread failed (pcscd stopped, reader gone); 'end' follows.
      this.readerErrors.set(name, err);
    });
    reader.on('end', () => {
      this.statuses.delete(name);
      if (!this.closed) {
        this.events.readerGone(name, this.readerErrors.get(name));
      }
    });
    reader.on('status', (status: NativeStatus) => {
      this.statuses.set(name, status);
      if (!this.closed) {
        this.events.status(reader, status);
      }
    });
  }
}

interface SlotState {
  readonly present: boolean;
  /** pcsc-lite's insertion/removal count (high 16 bits of the state). */
  readonly events: number;
  readonly atr?: Buffer;
}

function slotState(reader: NativeReader, status: NativeStatus): SlotState {
  const gone = reader.SCARD_STATE_EMPTY | reader.SCARD_STATE_UNKNOWN | reader.SCARD_STATE_UNAVAILABLE;
  const present = (status.state & reader.SCARD_STATE_PRESENT) !== 0 && (status.state & gone) === 0;
  return present
    ? { present, events: status.state >>> 16, atr: Buffer.from(status.atr ?? Buffer.alloc(0)) }
    : { present, events: status.state >>> 16 };
}

interface CardLink {
  readonly protocol: number;
  readonly atr: Buffer;
  /** The slot's removal count when connected: a later removal ends the link. */
  readonly removals: number;
}

interface Pending {
  readonly reject: (error: TransportError) => void;
}

/** One open reader: its context, its slot's state and the card link. */
class Session {
  state: SlotState | undefined;
  /** Removals seen since open. */
  removals = 0;
  link: CardLink | undefined;
  pending: Pending | undefined;
  queue: Promise<unknown> = Promise.resolve();
  announced = false;
  private firstState: (() => void) | undefined;
  readonly stateKnown: Promise<void>;

  constructor(
    readonly context: Context,
    readonly reader: NativeReader,
  ) {
    this.stateKnown = new Promise((resolve) => {
      this.firstState = resolve;
    });
    const last = context.lastStatus(reader.name);
    if (last) {
      this.update(last);
    }
  }

  get name(): string {
    return this.reader.name;
  }

  /** Applies a status; returns the presence events it means (once announced). */
  update(status: NativeStatus): CardPresence[] {
    const next = slotState(this.reader, status);
    const previous = this.state;
    this.state = next;
    this.firstState?.();
    this.firstState = undefined;
    if (!previous) {
      return [];
    }
    const swapped = previous.present && next.present && previous.events !== next.events;
    const events: CardPresence[] = [];
    if (previous.present && (!next.present || swapped)) {
      this.removals++;
      this.failPending(pcscErrors.cardRemoved(this.name));
      events.push({ present: false });
    }
    if (next.present && (!previous.present || swapped)) {
      events.push(this.presence());
    }
    return this.announced ? events : [];
  }

  presence(): CardPresence {
    const state = this.state;
    return state?.present ? { present: true, atr: Buffer.from(state.atr ?? Buffer.alloc(0)) } : { present: false };
  }

  failPending(error: TransportError): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

/** A PC/SC reader through pcscd. See pcsc-transport.ts for the contract. */
export class PcscliteTransport implements PcscTransport {
  private session: Session | undefined;
  private opening = false;
  private readonly listeners = new Listeners<{ card: CardPresence; disconnect: TransportError }>();

  constructor(
    readonly path: string,
    private readonly options: PcscliteOptions = {},
  ) {}

  get readerName(): string | undefined {
    return this.session?.name;
  }

  get isOpen(): boolean {
    return this.session !== undefined;
  }

  async open(): Promise<void> {
    if (this.session || this.opening) {
      throw pcscErrors.alreadyOpen(this.path);
    }
    this.opening = true;
    try {
      const timeoutMs = this.options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
      const context = await Context.open(timeoutMs);
      let session: Session;
      try {
        const reader = context.reader(matchReader(this.path, context.readerNames()));
        if (!reader) {
          throw pcscErrors.readerRemoved(this.path);
        }
        session = new Session(context, reader);
        context.events = this.eventsFor(session);
        await timeout(session.stateKnown, timeoutMs, () => pcscErrors.serviceNotAnswering(pcscdSocketPath()));
      } catch (err) {
        await context.close();
        throw err;
      }
      this.session = session;
      setImmediate(() => {
        if (this.session === session) {
          session.announced = true;
          this.listeners.emit('card', session.presence());
        }
      });
    } finally {
      this.opening = false;
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    if (!session) {
      return;
    }
    this.session = undefined;
    session.failPending(pcscErrors.notOpen(session.name));
    await this.release(session);
  }

  onDisconnect(listener: (error: TransportError) => void): () => void {
    return this.listeners.on('disconnect', listener);
  }

  onCard(listener: (event: CardPresence) => void): () => void {
    return this.listeners.on('card', listener);
  }

  connectCard(): Promise<Buffer> {
    return this.serially(async (session) => {
      const state = session.state;
      if (!state?.present) {
        throw pcscErrors.noCard(session.name);
      }
      const link = session.link;
      if (link && link.removals === session.removals) {
        return Buffer.from(link.atr);
      }
      const reader = session.reader;
      session.link = undefined;
      if (reader.connected) {
        // A connection from before a removal: the library would "connect" without a protocol.
        await session.context
          .call<void>((done) => reader.disconnect(reader.SCARD_LEAVE_CARD, (err) => done(err, undefined)))
          .catch(() => undefined);
      }
      const removals = session.removals;
      const shareMode =
        this.options.shareMode === 'exclusive' ? reader.SCARD_SHARE_EXCLUSIVE : reader.SCARD_SHARE_SHARED;
      let protocol: number | undefined;
      try {
        protocol = await session.context.call<number | undefined>((done) =>
          reader.connect(
            { share_mode: shareMode, protocol: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1 },
            done,
          ),
        );
      } catch (err) {
        throw this.failure(session, err, 'connect');
      }
      if (protocol === undefined) {
        throw new TransportError('IO', `连接读卡器「${session.name}」中的卡片失败：未得到通信协议`);
      }
      session.link = { protocol, atr: Buffer.from(state.atr ?? Buffer.alloc(0)), removals };
      if (session.removals !== removals || session.link.atr.length === 0) {
        // Removed while connecting, or a mute card pcscd still reports.
        session.link = undefined;
        throw session.removals !== removals
          ? pcscErrors.cardRemoved(session.name)
          : pcscErrors.cardUnresponsive(session.name);
      }
      return Buffer.from(session.link.atr);
    });
  }

  transmit(apdu: Buffer): Promise<Buffer> {
    const command = Buffer.from(apdu);
    return this.serially(async (session) => {
      const link = session.link;
      if (!link) {
        throw pcscErrors.notConnected(session.name);
      }
      if (link.removals !== session.removals || !session.state?.present) {
        throw pcscErrors.cardRemoved(session.name);
      }
      const maxResponseLength = this.options.maxResponseLength ?? SHORT_APDU_RESPONSE;
      const reader = session.reader;
      return new Promise<Buffer>((resolve, reject) => {
        const pending: Pending = { reject };
        session.pending = pending;
        session.context
          .call<Buffer | undefined>((done) => reader.transmit(command, maxResponseLength, link.protocol, done))
          .then(
            (response) => {
              if (session.pending !== pending) {
                return; // already failed by a removal, close() or a disconnect
              }
              session.pending = undefined;
              if (response === undefined || response.length < 2) {
                reject(pcscErrors.cardRemoved(session.name, undefined, true));
              } else {
                resolve(Buffer.from(response));
              }
            },
            (err: unknown) => {
              if (session.pending === pending) {
                session.pending = undefined;
                reject(this.failure(session, err, 'transmit'));
              }
            },
          );
      });
    });
  }

  disconnectCard(): Promise<void> {
    const session = this.session;
    if (!session) {
      return Promise.resolve();
    }
    const run = session.queue.then(() => this.unlink(session));
    session.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs card operations one at a time, in call order. */
  private serially<T>(operation: (session: Session) => Promise<T>): Promise<T> {
    const session = this.session;
    if (!session) {
      return Promise.reject(pcscErrors.notOpen(this.path));
    }
    const run = session.queue.then(() => {
      if (this.session !== session) {
        throw pcscErrors.notOpen(session.name);
      }
      return operation(session);
    });
    session.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the card link with a reset, so that an authenticated card is not left open to others. */
  private async unlink(session: Session): Promise<void> {
    const reader = session.reader;
    const link = session.link;
    session.link = undefined;
    if (link && reader.connected) {
      const disposition = link.removals === session.removals ? reader.SCARD_RESET_CARD : reader.SCARD_LEAVE_CARD;
      await session.context
        .call<void>((done) => reader.disconnect(disposition, (err) => done(err, undefined)))
        .catch(() => undefined);
    }
  }

  private async release(session: Session): Promise<void> {
    await this.unlink(session).catch(() => undefined);
    await session.context.close();
  }

  private eventsFor(session: Session): ContextEvents {
    return {
      status: (reader, status) => {
        if (reader.name !== session.name) {
          return;
        }
        const events = session.update(status);
        if (this.session === session) {
          for (const event of events) {
            this.listeners.emit('card', event);
          }
        }
      },
      readerGone: (name, cause) => {
        if (name === session.name) {
          this.lost(session, pcscErrors.readerRemoved(session.name, cause));
        }
      },
      failed: (cause) => this.lost(session, pcscErrors.serviceStopped(cause)),
    };
  }

  private lost(session: Session, error: DisconnectedError): void {
    if (this.session !== session) {
      return;
    }
    this.session = undefined;
    session.link = undefined;
    session.failPending(error);
    void this.release(session).catch(() => undefined);
    this.listeners.emit('disconnect', error);
  }

  /** What a failed connect or transmit means, by its PC/SC code; a lost reader or pcscd also ends the session. */
  private failure(session: Session, err: unknown, during: 'connect' | 'transmit'): TransportError {
    const code = pcscCode(err);
    switch (code) {
      case SCARD.E_NO_SMARTCARD:
      case SCARD.W_REMOVED_CARD:
        return during === 'connect' ? pcscErrors.noCard(session.name) : pcscErrors.cardRemoved(session.name, err);
      case SCARD.W_RESET_CARD:
      case SCARD.E_INVALID_HANDLE:
        return pcscErrors.cardRemoved(session.name, err);
      case SCARD.W_UNRESPONSIVE_CARD:
      case SCARD.W_UNPOWERED_CARD:
      case SCARD.W_UNSUPPORTED_CARD:
      case SCARD.E_PROTO_MISMATCH:
        return pcscErrors.cardUnresponsive(session.name, err);
      case SCARD.E_SHARING_VIOLATION:
        return pcscErrors.cardBusy(session.name, err);
      case SCARD.E_UNKNOWN_READER:
      case SCARD.E_READER_UNAVAILABLE: {
        const error = pcscErrors.readerRemoved(session.name, err);
        this.lost(session, error);
        return error;
      }
      case SCARD.E_NO_SERVICE:
      case SCARD.E_SERVICE_STOPPED:
      case SCARD.F_COMM_ERROR: {
        const error = pcscErrors.serviceStopped(err);
        this.lost(session, error);
        return error;
      }
      case SCARD.E_INSUFFICIENT_BUFFER:
        return new TransportError(
          'IO',
          `卡片应答超过${this.options.maxResponseLength ?? SHORT_APDU_RESPONSE}字节（读卡器「${session.name}」）`,
          err,
        );
      default:
        return new TransportError('IO', `与读卡器「${session.name}」中的卡片通信失败（PC/SC错误 ${hex(code)}）`, err);
    }
  }
}

/**
 * The PC/SC readers pcscd knows, in its order ([] when there are none). Rejects with the
 * TransportError of `open()` when PC/SC itself is missing: MISSING_LIBRARY or IO, saying what
 * to install or start.
 */
export async function listPcscReaders(options: { timeoutMs?: number } = {}): Promise<string[]> {
  const context = await Context.open(options.timeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS);
  try {
    return context.readerNames();
  } finally {
    await context.close();
  }
}

export interface PcscReaderListing {
  readonly readers: string[];
  /** Why the list is empty when PC/SC could not be asked (for the console and `devices list`). */
  readonly error?: TransportError;
}

/** listPcscReaders that never rejects: an empty list and the reason when PC/SC is missing. */
export async function describePcscReaders(options: { timeoutMs?: number } = {}): Promise<PcscReaderListing> {
  try {
    return { readers: await listPcscReaders(options) };
  } catch (err) {
    const error = err instanceof TransportError ? err : new TransportError('IO', '无法列出PC/SC读卡器', err);
    return { readers: [], error };
  }
}
