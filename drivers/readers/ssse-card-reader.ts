import { ProtocolError } from '../protocols/protocol-error';
import { CardAuthenticator, readSsseCard, ReadSsseCardOptions, SsseCardRead } from '../protocols/ssse-card';
import type { CardPresence, PcscTransport } from '../transports/pcsc-transport';
import { TransportError } from '../transports/transport-errors';
import { ReconnectOptions, ReconnectingDevice } from './reconnecting-device';

/** One social-security card presented to the reader: the read, complete or stopped at authentication. */
export interface SsseCardReadEvent {
  readonly result: SsseCardRead;
  /** The card's answer to reset, as the reader saw it. */
  readonly atr: Buffer;
  readonly at: Date;
}

export interface SsseCardReaderOptions extends ReconnectOptions {
  /**
   * The PSAM or insurer-HSM step for 3rd-generation cards. Without it such cards stop at
   * 'authentication-required' with only their public fields.
   */
  readonly authenticator?: CardAuthenticator;
  /** Key references and the terminal random source (see readSsseCard). */
  readonly read?: ReadSsseCardOptions;
}

export const DEFAULT_SSSE_CARD_READER_OPTIONS: SsseCardReaderOptions = { reconnectBaseMs: 500, reconnectMaxMs: 10_000 };

export const SSSE_READER_MESSAGES = {
  insertCard: '请插入社保卡',
  reading: '正在读取社保卡',
  done: '社保卡已读取，请取出社保卡',
} as const;

/**
 * A social-security card reader on PC/SC: waits for a card, reads it once per insertion
 * (readSsseCard, with the authenticator for 3rd-generation cards), emits 'card', and waits for
 * the card to be taken out. Status: connecting → waiting (请插入社保卡) → reading → waiting, or
 * 'authentication-required' while a 3rd-generation card that could not be authenticated is in
 * the reader. A card that cannot be read (pulled out too early, not a social-security card,
 * broken data) becomes a status message, never a crash; an unplugged reader or a stopped pcscd
 * becomes 'disconnected' and the reader is reopened with backoff (see ReconnectingDevice).
 */
export class SsseCardReader extends ReconnectingDevice<{ card: [SsseCardReadEvent] }> {
  private readonly presence: CardPresence[] = [];
  private wake: (() => void) | undefined;
  private lostBy: TransportError | undefined;

  constructor(
    private readonly slot: PcscTransport,
    private readonly options: SsseCardReaderOptions = DEFAULT_SSSE_CARD_READER_OPTIONS,
  ) {
    super(slot, options, '社保卡读卡器');
    slot.onCard((event) => {
      this.presence.push(event);
      this.wakeSession();
    });
  }

  override async stop(): Promise<void> {
    const stopped = super.stop();
    this.wakeSession();
    // A read in progress ends now (its next or current command fails) instead of reading on;
    // a command the card is executing is still waited for (PC/SC cannot abort it).
    await this.slot.close();
    await stopped;
  }

  protected async session(): Promise<void> {
    // The transport reports the slot's state after open() resolved: older events are stale.
    this.presence.length = 0;
    this.lostBy = undefined;
    let cardIn = false;
    this.setStatus('waiting', SSSE_READER_MESSAGES.insertCard);
    while (this.active) {
      const event = this.presence.shift();
      if (event === undefined) {
        await this.nextEvent();
        continue;
      }
      if (!event.present) {
        if (cardIn) {
          cardIn = false;
          this.setStatus('waiting', SSSE_READER_MESSAGES.insertCard);
        }
        continue;
      }
      if (cardIn) {
        continue; // already read this insertion
      }
      cardIn = true;
      if (this.presence.some((e) => !e.present)) {
        continue; // already gone again: nothing to read
      }
      await this.readCard();
    }
    const lostBy = this.lineLostBy();
    if (this.lost && lostBy !== undefined) {
      throw lostBy; // its message says what went away (the reader, or pcscd)
    }
  }

  /** Set by onLineLost while the session runs (a method, so that the compiler does not assume it still undefined). */
  private lineLostBy(): TransportError | undefined {
    return this.lostBy;
  }

  protected override onLineLost(error: TransportError): void {
    this.lostBy = error;
    this.wakeSession();
  }

  private async readCard(): Promise<void> {
    this.setStatus('reading', SSSE_READER_MESSAGES.reading);
    try {
      const atr = await this.slot.connectCard();
      const result = await readSsseCard(
        (apdu) => this.slot.transmit(apdu),
        this.options.authenticator,
        this.options.read,
      );
      await this.slot.disconnectCard();
      if (!this.active) {
        return;
      }
      this.emit('card', { result, atr, at: new Date() });
      if (result.kind === 'complete') {
        this.setStatus('waiting', SSSE_READER_MESSAGES.done);
      } else {
        this.setStatus('authentication-required', authenticationMessage(result));
      }
    } catch (err) {
      await this.slot.disconnectCard().catch(() => undefined);
      if (err instanceof TransportError && err.disconnected) {
        throw err; // the reader or pcscd went away: the reconnect loop takes over
      }
      if (this.active) {
        this.setStatus('waiting', readFailure(err));
      }
    }
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private wakeSession(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function authenticationMessage(result: Extract<SsseCardRead, { kind: 'authentication-required' }>): string {
  const why = result.reason.code === 'NO_AUTHENTICATOR' ? '本读卡器未配置PSAM卡或加密机认证' : result.reason.message;
  return `第三代社保卡须经PSAM卡或加密机认证后才能读取卡号、社会保障号码和姓名，本次仅读取到卡片公开信息（${why}）`;
}

/** What staff see when a card could not be read; the reader goes on waiting. */
function readFailure(err: unknown): string {
  if (err instanceof TransportError) {
    if (err.code === 'CARD_REMOVED') {
      return '读卡过程中社保卡被取出，请重新插入社保卡';
    }
    if (err.code === 'NO_CARD') {
      return '社保卡未插好，请重新插入社保卡';
    }
    return `读卡失败：${err.message}，请取出社保卡后重新插入`;
  }
  if (err instanceof ProtocolError) {
    return `读卡失败：${err.message}，请确认插入的是社保卡，取出后重新插入`;
  }
  return '读卡失败（读卡程序内部错误），请取出社保卡后重新插入；如反复出现请联系信息科';
}
