import { randomBytes } from 'node:crypto';
import { ApduResponse, formatStatusWord, parseResponse, statusWordText, statusWordToDriverCode } from './apdu';
import { CardDataError, CardStatusError } from './card-errors';
import { tryDecodeGbk } from './gbk-codec';
import { ProtocolError } from './protocol-error';
import { externalAuthenticate, getChallenge, getResponse, internalAuthenticate, readRecord } from './ssse-card-apdus';
import { decodeField, FIELDS, recordLe, SsseField, stripPadding } from './ssse-card-fields';
import {
  AuthenticationFailure,
  AuthenticationRequiredReason,
  CardAuthenticator,
  DEFAULT_EXTERNAL_KEY_REF,
  DEFAULT_INTERNAL_KEY_REF,
  ReadSsseCardOptions,
  SsseCardPublicInfo,
  Transmit,
} from './ssse-card-types';
import { parseTlv, TlvError } from './tlv';

/**
 * One card read's conversation with the card: T=0 retries, records as TLV, and the
 * authentication that 69 82 asks for. `readSsseCard` drives it in the order the card needs.
 */

/** Unwinds the read so that `readSsseCard` returns `authentication-required`. */
export class AuthenticationRequired extends Error {
  constructor(readonly reason: AuthenticationRequiredReason) {
    super(reason.message);
  }
}

/** T=0 cards answer 61 xx (fetch with GET RESPONSE) and 6C xx (resend with Le = xx). */
const MAX_EXCHANGE_ROUNDS = 8;

export class ReadSession {
  private authenticated = false;

  constructor(
    private readonly transmit: Transmit,
    private readonly auth: CardAuthenticator | undefined,
    private readonly options: ReadSsseCardOptions,
  ) {}

  async exchange(apdu: Buffer): Promise<ApduResponse> {
    let command = apdu;
    const collected: Buffer[] = [];
    for (let round = 0; round < MAX_EXCHANGE_ROUNDS; round++) {
      const response = parseResponse(await this.transmit(command));
      const sw1 = response.sw >> 8;
      if (sw1 === 0x6c) {
        command = withLe(command, response.sw & 0xff);
        continue;
      }
      if (sw1 === 0x61) {
        collected.push(response.data);
        command = getResponse(response.sw & 0xff);
        continue;
      }
      return collected.length === 0 ? response : { ...response, data: Buffer.concat([...collected, response.data]) };
    }
    throw new ProtocolError('APDU_TOO_MANY_ROUNDS', `卡片连续${MAX_EXCHANGE_ROUNDS}次要求重发或取数，放弃读卡`, {
      command: apdu.toString('hex').toUpperCase(),
    });
  }

  /** Sends a command that must answer 90 00; 69 82 means "authenticate" when `cardSn` is given. */
  async expectOk(apdu: Buffer, step: string, cardSn?: string): Promise<ApduResponse> {
    const response = await this.send(apdu, cardSn);
    if (!response.ok) {
      throw new CardStatusError(step, response.sw);
    }
    return response;
  }

  /**
   * Sends a command; when the card refuses it with 69 82 (security status not satisfied) and
   * `cardSn` is given, authenticates and sends it once more. The current EF stays selected
   * across the authentication commands, so the retry reads the same record.
   */
  private async send(apdu: Buffer, cardSn?: string): Promise<ApduResponse> {
    const response = await this.exchange(apdu);
    if (response.sw !== 0x6982 || cardSn === undefined) {
      return response;
    }
    if (!this.authenticated) {
      await this.authenticate(cardSn);
      const retried = await this.exchange(apdu);
      if (retried.sw !== 0x6982) {
        return retried;
      }
    }
    throw new AuthenticationRequired({
      code: 'STILL_PROTECTED',
      message: '认证后卡片仍拒绝读取个人信息（69 82）',
      sw: 0x6982,
      driverCode: statusWordToDriverCode(0x6982),
    });
  }

  /**
   * Reads one record and returns the value of its TLV; the answer must be exactly one TLV with
   * the asked tag. `undefined` when an optional record is absent (6A 83).
   */
  async readValue(f: SsseField, cardSn?: string, optional = false): Promise<Buffer | undefined> {
    const response = await this.send(readRecord(f.tag, recordLe(f)), cardSn);
    if (response.sw === 0x6a83 && optional) {
      return undefined;
    }
    if (!response.ok) {
      throw new CardStatusError(`读取${f.label}`, response.sw);
    }
    let elements;
    try {
      elements = parseTlv(response.data);
    } catch (err) {
      if (err instanceof TlvError) {
        throw new CardDataError(f.label, f.tag, err.message, err);
      }
      throw err;
    }
    if (elements.length !== 1 || elements[0].tag !== f.tag) {
      const tags = elements.map((e) => hexByte(e.tag)).join(',');
      throw new CardDataError(f.label, f.tag, `应答应为标签${hexByte(f.tag)}的一条记录，实际为[${tags}]`);
    }
    return elements[0].value;
  }

  async readField(f: SsseField, cardSn?: string): Promise<string> {
    return decodeField(f, (await this.readValue(f, cardSn)) ?? Buffer.alloc(0));
  }

  /**
   * 姓名 (30 bytes) and 姓名扩展 (20 bytes, absent on older cards) are one GBK string cut in two;
   * the bytes are joined before decoding so that a character cut between the records decodes.
   */
  async readName(cardSn: string): Promise<string> {
    const parts: Buffer[] = [];
    for (const f of [FIELDS.name, FIELDS.nameExtension]) {
      const value = await this.readValue(f, cardSn, f === FIELDS.nameExtension);
      if (value !== undefined && value.length > f.length) {
        throw new CardDataError(f.label, f.tag, `长度超过${f.length}字节（${value.length}）`);
      }
      parts.push(stripPadding(value ?? Buffer.alloc(0)));
    }
    const text = tryDecodeGbk(Buffer.concat(parts));
    if (text === undefined) {
      throw new CardDataError(FIELDS.name.label, FIELDS.name.tag, '不是有效的GBK文本');
    }
    return text.trim();
  }

  async readPublic(): Promise<SsseCardPublicInfo> {
    const cardSn = await this.readField(FIELDS.cardSn);
    const region = cardSn.slice(0, 6);
    if (!/^\d{6}$/.test(region)) {
      throw new CardDataError(FIELDS.cardSn.label, FIELDS.cardSn.tag, `前6位「${region}」不是行政区划代码`);
    }
    return {
      cardSn,
      region,
      cardType: await this.readField(FIELDS.cardType),
      specVersion: await this.readField(FIELDS.specVersion),
      issuer: await this.readField(FIELDS.issuer),
      issueDate: await this.readField(FIELDS.issueDate),
      validUntil: await this.readField(FIELDS.validUntil),
    };
  }

  /**
   * INTERNAL AUTHENTICATE (the card proves itself), GET CHALLENGE, the PSAM/HSM step, EXTERNAL
   * AUTHENTICATE. The challenge is fetched last so that nothing else reaches the card between
   * it and EXTERNAL AUTHENTICATE: cards forget the challenge on any other command.
   */
  async authenticate(cardSn: string): Promise<void> {
    if (this.authenticated) {
      return;
    }
    if (!this.auth) {
      throw new AuthenticationRequired({
        code: 'NO_AUTHENTICATOR',
        message: '该卡须经PSAM卡或加密机认证后才能读取卡号、社会保障号码和姓名（第三代社保卡），当前未配置认证方式',
      });
    }
    const terminalRandom = (this.options.terminalRandom ?? (() => randomBytes(8)))();
    if (terminalRandom.length !== 8) {
      throw new ProtocolError('BAD_TERMINAL_RANDOM', `终端随机数应为8字节，实际${terminalRandom.length}字节`);
    }
    const internalKeyRef = this.options.internalKeyRef ?? DEFAULT_INTERNAL_KEY_REF;
    const internal = await this.exchange(internalAuthenticate(internalKeyRef, terminalRandom));
    if (!internal.ok) {
      throw new AuthenticationRequired(
        refused('INTERNAL_AUTH_FAILED', '卡片内部认证失败（卡片可能不合法）', internal.sw),
      );
    }
    const challenge = await this.expectOk(getChallenge(), '取随机数');
    if (challenge.data.length !== 8) {
      throw new ProtocolError('CARD_CHALLENGE_LENGTH', `卡片随机数应为8字节，实际${challenge.data.length}字节`, {
        length: challenge.data.length,
      });
    }
    let cryptogram: Buffer;
    try {
      cryptogram = await this.auth.authenticate(cardSn, challenge.data, Buffer.concat([terminalRandom, internal.data]));
    } catch (cause) {
      throw new AuthenticationRequired({
        code: 'AUTHENTICATOR_FAILED',
        message: 'PSAM卡或加密机未能完成认证，无法读取卡号、社会保障号码和姓名',
        cause,
      });
    }
    if (!Buffer.isBuffer(cryptogram) || cryptogram.length === 0 || cryptogram.length > 255) {
      throw new AuthenticationRequired({ code: 'AUTHENTICATOR_FAILED', message: 'PSAM卡或加密机返回的认证密文无效' });
    }
    const externalKeyRef = this.options.externalKeyRef ?? DEFAULT_EXTERNAL_KEY_REF;
    const external = await this.exchange(externalAuthenticate(externalKeyRef, cryptogram));
    if (!external.ok) {
      throw new AuthenticationRequired(refused('CARD_REJECTED', '卡片拒绝外部认证', external.sw));
    }
    this.authenticated = true;
  }
}

function refused(code: AuthenticationFailure, what: string, sw: number): AuthenticationRequiredReason {
  const message = `${what}：${statusWordText(sw)}（${formatStatusWord(sw)}）`;
  return { code, message, sw, driverCode: statusWordToDriverCode(sw) };
}

function hexByte(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** The same command with Le replaced (or added), for a 6C xx answer. */
function withLe(command: Buffer, le: number): Buffer {
  const header = command.subarray(0, 4);
  if (command.length <= 5) {
    return Buffer.concat([header, Buffer.from([le])]); // case 1 or 2
  }
  const lc = command[4];
  const body = command.subarray(0, 5 + lc); // case 3 or 4: keep Lc and data, set Le
  return Buffer.concat([body, Buffer.from([le])]);
}
