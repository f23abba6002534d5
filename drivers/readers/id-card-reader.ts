import {
  commands,
  Command,
  decodeReadReply,
  decodeReply,
  encodeCommand,
  IdCardFrameParser,
  IdCardIdentity,
  samStatus,
  SW3,
} from '../protocols/id-card-frame';
import type { SerialTransport } from '../transports/serial-transport';
import type { TransportError } from '../transports/transport-errors';
import { ReconnectOptions, ReconnectingDevice } from './reconnecting-device';

export interface IdCardRead {
  identity: IdCardIdentity;
  /** The compressed photo (WLT), as the reader sent it. */
  photo: Buffer;
  at: Date;
}

export interface IdCardReaderOptions extends ReconnectOptions {
  /** How often to ask "is a card there?" while waiting. */
  pollIntervalMs: number;
  /** How long one command may wait for its reply. */
  replyTimeoutMs: number;
}

export const DEFAULT_ID_CARD_READER_OPTIONS: IdCardReaderOptions = {
  pollIntervalMs: 300,
  replyTimeoutMs: 2000,
  reconnectBaseMs: 500,
  reconnectMaxMs: 10_000,
};

class ReplyTimeout extends Error {}

/**
 * A resident ID-card reader (SAM module) on a serial line: polls for a card, reads it once per
 * presentation, emits 'card'. Reconnects after unplugs (see ReconnectingDevice).
 */
export class IdCardReader extends ReconnectingDevice<{ card: [IdCardRead] }> {
  private readonly parser = new IdCardFrameParser();
  private pending: { resolve: (frame: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly line: SerialTransport,
    private readonly options: IdCardReaderOptions = DEFAULT_ID_CARD_READER_OPTIONS,
  ) {
    super(line, options, '身份证阅读器');
    line.onData((chunk) => this.onData(chunk));
  }

  protected async session(): Promise<void> {
    await this.checkSam();
    this.setStatus('waiting', '请将身份证放在阅读器上');
    await this.pollCards();
  }

  private async checkSam(): Promise<void> {
    const reply = decodeReply(await this.request(commands.samStatus));
    const status = samStatus(reply.sw3);
    if (!status.ok) {
      throw new Error(`身份证阅读器安全模块异常：${status.message}`);
    }
    this.setStatus('connected', '身份证阅读器已连接');
  }

  /** Reads a card once per presentation: after a read it waits until the card is taken away. */
  private async pollCards(): Promise<void> {
    let present = false;
    while (this.active) {
      const found = decodeReply(await this.request(commands.findCard)).sw3 === SW3.CARD_FOUND;
      if (found && !present) {
        present = true;
        this.setStatus('reading', '正在读取身份证');
        const selected = decodeReply(await this.request(commands.selectCard));
        if (selected.sw3 !== SW3.OK) {
          this.setStatus('waiting', `读卡失败：${samStatus(selected.sw3).message}，请重新放置身份证`);
          present = false;
        } else {
          const { identity, photo } = decodeReadReply(await this.request(commands.readTextAndPhoto));
          this.emit('card', { identity, photo, at: new Date() });
          this.setStatus('waiting', '身份证已读取，请取走身份证');
        }
      } else if (!found && present) {
        present = false;
        this.setStatus('waiting', '请将身份证放在阅读器上');
      }
      await this.sleep(this.options.pollIntervalMs);
    }
  }

  private async request(command: Command): Promise<Buffer> {
    if (this.pending) {
      throw new Error('one command at a time');
    }
    const reply = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.parser.reset();
        reject(
          new ReplyTimeout(`身份证阅读器 ${this.options.replyTimeoutMs} 毫秒内无应答：请检查阅读器电源和波特率设置`),
        );
      }, this.options.replyTimeoutMs);
      this.pending = { resolve, reject, timer };
    });
    try {
      await this.line.write(encodeCommand(command.cmd, command.para));
    } catch (error) {
      // Nothing was sent, so no reply will come: drop the wait, or it would time out later into
      // a reconnected session ("one command at a time") as an unhandled rejection.
      this.dropPending();
      reply.catch(() => undefined);
      throw error;
    }
    return reply;
  }

  private dropPending(): void {
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending = undefined;
    }
  }

  private onData(chunk: Buffer): void {
    for (const event of this.parser.push(chunk)) {
      if (event.kind === 'frame' && this.pending) {
        const { resolve, timer } = this.pending;
        clearTimeout(timer);
        this.pending = undefined;
        resolve(event.frame);
      }
      // Garbage and bad frames are dropped; the command then times out and the poll goes on.
    }
  }

  protected override onLineLost(error: TransportError): void {
    if (this.pending) {
      const { reject, timer } = this.pending;
      clearTimeout(timer);
      this.pending = undefined;
      reject(error);
    }
  }
}
