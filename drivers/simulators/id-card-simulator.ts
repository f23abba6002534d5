import {
  buildFindReply,
  buildReadReply,
  buildSamStatusReply,
  buildSelectReply,
  commands,
  decodeCommand,
  IdCardFrameParser,
  ID_CARD_PHOTO_LENGTH,
  IdCardTextFields,
} from '../protocols/id-card-frame';

/** The device end of a serial line, whatever carries it (a pty, the in-memory fake). */
export interface DeviceLine {
  send(bytes: Buffer): Promise<void> | void;
  onReceive(listener: (chunk: Buffer) => void): void;
}

/**
 * A virtual resident ID-card reader: answers the SAM frames with exactly the bytes a real
 * reader sends. `present()` puts a card on it, `remove()` takes it away. IT staff use it to try
 * the gateway without hardware; tests use it to drive the real driver over a real pty.
 */
export class IdCardSimulator {
  private readonly parser = new IdCardFrameParser();
  private card: { fields: IdCardTextFields; photo: Buffer } | undefined;
  private selected = false;
  /** A card was replaced: the next find-card reports the gap. */
  private swapping = false;
  /** Frames received, for tests and the CLI. */
  readonly received: Buffer[] = [];

  constructor(private readonly line: DeviceLine) {
    line.onReceive((chunk) => {
      for (const event of this.parser.push(chunk)) {
        if (event.kind === 'frame') {
          this.received.push(event.frame);
          void this.answer(event.frame);
        }
      }
    });
  }

  /**
   * Puts a card on the reader. A card already there is taken away first, and the reader is
   * told so at its next look (find-card answers "no card" once), as when a clerk swaps cards
   * by hand: otherwise the reader could not tell the new card from the old one.
   */
  present(fields: IdCardTextFields, photo: Buffer = Buffer.alloc(ID_CARD_PHOTO_LENGTH, 0x5a)): void {
    this.swapping = this.card !== undefined;
    this.card = { fields, photo };
    this.selected = false;
  }

  remove(): void {
    this.swapping = false;
    this.card = undefined;
    this.selected = false;
  }

  private async answer(frame: Buffer): Promise<void> {
    const { cmd, para } = decodeCommand(frame);
    const is = (c: { cmd: number; para: number }): boolean => c.cmd === cmd && c.para === para;
    if (is(commands.samStatus)) {
      await this.line.send(buildSamStatusReply());
    } else if (is(commands.findCard)) {
      const found = this.card !== undefined && !this.swapping;
      this.swapping = false;
      await this.line.send(buildFindReply(found));
    } else if (is(commands.selectCard)) {
      this.selected = this.card !== undefined;
      await this.line.send(buildSelectReply(this.selected));
    } else if (is(commands.readTextAndPhoto) && this.card && this.selected) {
      await this.line.send(buildReadReply(this.card.fields, this.card.photo));
    } else {
      await this.line.send(buildSelectReply(false));
    }
  }
}
