import { createHash, timingSafeEqual } from 'node:crypto';
import { CardDataError } from './card-errors';
import { encodeGbk } from './gbk-codec';
import { DEFAULT_EXTERNAL_KEY_REF, DEFAULT_INTERNAL_KEY_REF, SsseCard, Transmit } from './ssse-card-types';
import { EF05, EF06, SSSE_AID } from './ssse-card-apdus';
import { encodeField, FIELDS, padGbk } from './ssse-card-fields';
import {
  sandboxHsmCardKey,
  SIMULATOR_MASTER_KEY,
  simulatedCardKey,
  simulatedCryptogram,
  simulatedInternalAnswer,
} from './ssse-card-sim-auth';
import { encodeTlv } from './tlv';

/**
 * The inverse of the reader, for simulators and tests: the records a personalised card holds
 * (`buildCardImage`) and a card that answers APDUs like a real one (`CardEmulator`). Both are
 * pure; a vpcd virtual reader or a sandbox puts them behind real I/O.
 */

/**
 * The ATR the simulators give a social-security card. SIMULATED, not copied from a real card:
 * TS 3B (direct convention), T0 6C (TB1 and TC1 follow, 12 historical bytes), TB1 00 (no Vpp),
 * TC1 00 (no extra guard time), T=0 implied (no TD1, hence no TCK), then historical bytes in
 * the issuer-proprietary form social-security cards use, here spelling "NXSSSE-SIM03"
 * (Ningxia, SSSE application, simulated, 3rd generation) so that it is recognisable in logs.
 */
export const SIMULATED_SSSE_ATR: Buffer = Buffer.from('3B6C00004E58535353452D53494D3033', 'hex');

export interface CardRecord {
  readonly tag: number;
  /** The whole record as READ RECORD returns it: tag, length, value. */
  readonly bytes: Buffer;
}

export interface CardImage {
  readonly generation: 2 | 3;
  readonly cardSn: string;
  /** In record-number order (READ RECORD with P2 = 04 counts from 1). */
  readonly ef05: readonly CardRecord[];
  readonly ef06: readonly CardRecord[];
}

/**
 * Builds the EF05/EF06 records of `card`. `generation` decides access rules only (3: 卡号 and
 * EF06 need authentication); 规范版本 is written as `card.specVersion`, so a test can build an
 * inconsistent card on purpose. A 3rd-generation image always has a 姓名扩展 record (blank when
 * unused); a 2nd-generation one only when the name needs it, as on older cards.
 */
export function buildCardImage(card: SsseCard, options: { generation: 2 | 3 }): CardImage {
  if (card.region !== card.cardSn.slice(0, 6)) {
    throw new CardDataError(FIELDS.cardSn.label, FIELDS.cardSn.tag, `发卡地区${card.region}与卡识别码前6位不一致`);
  }
  const record = (tag: number, value: Buffer): CardRecord => ({ tag, bytes: encodeTlv([{ tag, value }]) });
  const [name, extension] = splitName(card.name);
  const ef05 = (['cardSn', 'cardType', 'specVersion', 'issuer', 'issueDate', 'validUntil', 'cardNo'] as const).map(
    (key) => record(FIELDS[key].tag, encodeField(FIELDS[key], card[key])),
  );
  const ef06 = [
    record(FIELDS.ssn.tag, encodeField(FIELDS.ssn, card.ssn)),
    record(FIELDS.name.tag, padGbk(FIELDS.name, name)),
  ];
  if (options.generation === 3 || extension.length > 0) {
    ef06.push(record(FIELDS.nameExtension.tag, padGbk(FIELDS.nameExtension, extension)));
  }
  for (const key of ['sex', 'nation', 'birthPlace', 'birthDate'] as const) {
    ef06.push(record(FIELDS[key].tag, encodeField(FIELDS[key], card[key])));
  }
  return { generation: options.generation, cardSn: card.cardSn.toUpperCase(), ef05, ef06 };
}

/** Cuts the GBK name at the last whole character that fits in 姓名's 30 bytes. */
function splitName(name: string): [Buffer, Buffer] {
  const main: Buffer[] = [];
  const rest: Buffer[] = [];
  let used = 0;
  for (const char of name) {
    const bytes = encodeGbk(char);
    if (rest.length === 0 && used + bytes.length <= FIELDS.name.length) {
      main.push(bytes);
      used += bytes.length;
    } else {
      rest.push(bytes);
    }
  }
  const extension = Buffer.concat(rest);
  if (extension.length > FIELDS.nameExtension.length) {
    const max = FIELDS.name.length + FIELDS.nameExtension.length;
    throw new CardDataError(FIELDS.name.label, FIELDS.name.tag, `姓名超过${max}字节，卡片无法容纳`);
  }
  return [Buffer.concat(main), extension];
}

export interface CardEmulatorOptions {
  /** The master key the card's key is derived from (see ssse-card-sim-auth.ts). */
  readonly masterKey?: Buffer;
  readonly internalKeyRef?: number;
  readonly externalKeyRef?: number;
  /** Wrong cryptograms allowed before the key locks (69 83). Default 3. */
  readonly authAttempts?: number;
  /** Source of GET CHALLENGE bytes; default: deterministic, so runs repeat exactly. */
  readonly random?: (length: number) => Buffer;
  /** Behave like a T=0 card: announce data with 61 xx and hand it out on GET RESPONSE. */
  readonly t0?: boolean;
  /** Answer to reset (what a reader reports on insertion); default SIMULATED_SSSE_ATR. */
  readonly atr?: Buffer;
  /**
   * The sandbox insurer's HSM scheme (hex secret, e.g. SANDBOX_HSM_SECRET): EXTERNAL
   * AUTHENTICATE then accepts exactly the 16-byte key `sandboxHsmCardKey` gives for this card,
   * its last challenge and CARD_DATA = the terminal random of the last INTERNAL AUTHENTICATE ‖
   * the card's answer to it, instead of the simulated PSAM's 8-byte cryptogram.
   */
  readonly hsmSecret?: string;
}

interface Command {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data?: Buffer;
  readonly le?: number;
}

const SW_OK = 0x9000;

/**
 * A social-security card behind APDUs. Keeps what a card keeps between commands: the selected
 * application and EF, the security status (reset by re-selecting the application or `reset()`),
 * the last challenge (forgotten on any command but EXTERNAL AUTHENTICATE) and the retry
 * counter of the external-authentication key (kept across resets, like a real card's).
 */
export class CardEmulator {
  private appSelected = false;
  private currentEf: number | undefined;
  private authenticated = false;
  private challenge: Buffer | undefined;
  private pending: Buffer | undefined;
  private triesLeft: number;
  private counter = 0;
  /** The last INTERNAL AUTHENTICATE: the HSM scheme's CARD_DATA is built from it. */
  private lastInternal: { terminalRandom: Buffer; answer: Buffer } | undefined;
  private readonly cardKey: Buffer;
  /** The last commands received (at most 1000), for tests that check the exact sequence. */
  readonly received: Buffer[] = [];

  constructor(
    private readonly image: CardImage,
    private readonly options: CardEmulatorOptions = {},
  ) {
    this.cardKey = simulatedCardKey(options.masterKey ?? SIMULATOR_MASTER_KEY, image.cardSn);
    this.triesLeft = options.authAttempts ?? 3;
  }

  /** Power cycle: nothing selected, not authenticated. */
  reset(): void {
    this.appSelected = false;
    this.currentEf = undefined;
    this.authenticated = false;
    this.challenge = undefined;
    this.pending = undefined;
    this.lastInternal = undefined;
  }

  get atr(): Buffer {
    return Buffer.from(this.options.atr ?? SIMULATED_SSSE_ATR);
  }

  get remainingAuthAttempts(): number {
    return this.triesLeft;
  }

  /** The emulator as the reader's `transmit` function. */
  asTransmit(): Transmit {
    return async (apdu) => this.transmit(apdu);
  }

  transmit(apdu: Buffer): Buffer {
    this.received.push(Buffer.from(apdu));
    if (this.received.length > 1000) {
      this.received.shift();
    }
    const command = parseCommand(apdu);
    const challenge = this.challenge;
    // GET RESPONSE only fetches the previous answer (T=0), so it keeps the challenge alive.
    if (command?.ins !== 0xc0) {
      this.challenge = undefined;
    }
    const pending = this.pending;
    this.pending = undefined;
    if (command === undefined) {
      return status(0x6700);
    }
    if (command.cla !== 0x00) {
      return status(0x6e00);
    }
    switch (command.ins) {
      case 0xa4:
        return this.answer(this.select(command));
      case 0xb2:
        return this.answer(this.readRecord(command));
      case 0x84:
        return this.answer(this.getChallenge(command));
      case 0x88:
        return this.answer(this.internalAuthenticate(command));
      case 0x82:
        return status(this.externalAuthenticate(command, challenge));
      case 0xc0:
        return getResponse(command, pending);
      default:
        return status(0x6d00);
    }
  }

  /** In T=0 mode data waits for GET RESPONSE; otherwise it comes with 90 00. */
  private answer(result: Buffer | number): Buffer {
    if (typeof result === 'number') {
      return status(result);
    }
    if (this.options.t0 && result.length > 0) {
      this.pending = result;
      return status(0x6100 | (result.length & 0xff));
    }
    return Buffer.concat([result, status(SW_OK)]);
  }

  private select(c: Command): Buffer | number {
    if (c.data === undefined) {
      return 0x6700;
    }
    if (c.p1 === 0x04 && c.p2 === 0x00) {
      if (!c.data.equals(SSSE_AID)) {
        return 0x6a82;
      }
      this.appSelected = true;
      this.currentEf = undefined;
      this.authenticated = false; // security status belongs to the application
      this.lastInternal = undefined;
      return Buffer.alloc(0);
    }
    if ((c.p1 === 0x02 || c.p1 === 0x00) && c.p2 === 0x00) {
      if (c.data.length !== 2) {
        return 0x6700;
      }
      const fid = c.data.readUInt16BE(0);
      if (!this.appSelected || (fid !== EF05 && fid !== EF06)) {
        return 0x6a82;
      }
      this.currentEf = fid;
      return Buffer.alloc(0);
    }
    return 0x6a86;
  }

  private readRecord(c: Command): Buffer | number {
    if (c.le === undefined || c.data !== undefined) {
      return 0x6700;
    }
    if (!this.appSelected || this.currentEf === undefined) {
      return 0x6986;
    }
    if (c.p2 !== 0x00 && c.p2 !== 0x04) {
      return 0x6a86;
    }
    const records = this.currentEf === EF05 ? this.image.ef05 : this.image.ef06;
    const record = c.p2 === 0x00 ? records.find((r) => r.tag === c.p1) : records[c.p1 - 1];
    const isProtected = this.currentEf === EF06 || record?.tag === FIELDS.cardNo.tag;
    if (this.image.generation === 3 && !this.authenticated && isProtected) {
      return 0x6982;
    }
    if (record === undefined) {
      return 0x6a83;
    }
    // Le = 00 asks for "up to 256 bytes"; any other wrong Le gets 6C xx, as T=0 cards answer.
    if (c.le !== 0 && c.le !== record.bytes.length) {
      return 0x6c00 | record.bytes.length;
    }
    return record.bytes;
  }

  private getChallenge(c: Command): Buffer | number {
    if (c.p1 !== 0 || c.p2 !== 0) {
      return 0x6a86;
    }
    if (c.le !== 4 && c.le !== 8) {
      return 0x6700;
    }
    const random = this.random(c.le);
    this.challenge = c.le === 8 ? random : undefined;
    return random;
  }

  private internalAuthenticate(c: Command): Buffer | number {
    if (c.p1 !== 0) {
      return 0x6a86;
    }
    if (c.p2 !== (this.options.internalKeyRef ?? DEFAULT_INTERNAL_KEY_REF)) {
      return 0x6a88;
    }
    if (c.data?.length !== 8) {
      return 0x6700;
    }
    const answer = simulatedInternalAnswer(this.cardKey, c.data);
    this.lastInternal = { terminalRandom: Buffer.from(c.data), answer: Buffer.from(answer) };
    return answer;
  }

  private externalAuthenticate(c: Command, challenge: Buffer | undefined): number {
    if (c.p1 !== 0) {
      return 0x6a86;
    }
    if (c.p2 !== (this.options.externalKeyRef ?? DEFAULT_EXTERNAL_KEY_REF)) {
      return 0x6a88;
    }
    if (this.triesLeft === 0) {
      return 0x6983;
    }
    if (challenge === undefined) {
      return 0x6984;
    }
    if (c.data?.length !== (this.options.hsmSecret === undefined ? 8 : 16)) {
      return 0x6700;
    }
    const expected = this.expectedCryptogram(challenge);
    if (expected !== undefined && timingSafeEqual(c.data, expected)) {
      this.authenticated = true;
      this.triesLeft = this.options.authAttempts ?? 3;
      return SW_OK;
    }
    this.triesLeft--;
    return this.triesLeft === 0 ? 0x6983 : 0x63c0 | this.triesLeft;
  }

  /**
   * What EXTERNAL AUTHENTICATE must carry: the simulated PSAM's 8-byte cryptogram, or under the
   * HSM scheme the sandbox HSM's 16-byte key. Without a preceding INTERNAL AUTHENTICATE the card
   * has no CARD_DATA and no key matches (undefined).
   */
  private expectedCryptogram(challenge: Buffer): Buffer | undefined {
    const secret = this.options.hsmSecret;
    if (secret === undefined) {
      return simulatedCryptogram(this.cardKey, challenge);
    }
    const internal = this.lastInternal;
    if (internal === undefined) {
      return undefined;
    }
    const cardData = Buffer.concat([internal.terminalRandom, internal.answer]);
    return Buffer.from(
      sandboxHsmCardKey(secret, this.image.cardSn, challenge.toString('hex'), cardData.toString('hex')),
      'hex',
    );
  }

  private random(length: number): Buffer {
    if (this.options.random) {
      return this.options.random(length);
    }
    this.counter++;
    const seed = `ssse-card-emulator:${this.image.cardSn}:${this.counter}`;
    return createHash('sha256').update(seed).digest().subarray(0, length);
  }
}

function getResponse(c: Command, pending: Buffer | undefined): Buffer {
  if (pending === undefined) {
    return status(0x6985);
  }
  if (c.le !== 0 && c.le !== pending.length) {
    return status(0x6c00 | pending.length);
  }
  return Buffer.concat([pending, status(SW_OK)]);
}

function status(sw: number): Buffer {
  return Buffer.from([sw >> 8, sw & 0xff]);
}

/** ISO 7816-3 short cases: 1 (header), 2 (Le), 3 (Lc data), 4 (Lc data Le). */
function parseCommand(apdu: Buffer): Command | undefined {
  if (apdu.length < 4) {
    return undefined;
  }
  const [cla, ins, p1, p2] = apdu;
  if (apdu.length === 4) {
    return { cla, ins, p1, p2 };
  }
  if (apdu.length === 5) {
    return { cla, ins, p1, p2, le: apdu[4] };
  }
  const lc = apdu[4];
  if (lc === 0 || apdu.length < 5 + lc || apdu.length > 6 + lc) {
    return undefined;
  }
  const data = Buffer.from(apdu.subarray(5, 5 + lc));
  return apdu.length === 6 + lc ? { cla, ins, p1, p2, data, le: apdu[5 + lc] } : { cla, ins, p1, p2, data };
}
