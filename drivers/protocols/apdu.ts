import { ProtocolError } from './protocol-error';

/**
 * ISO/IEC 7816-4 short APDUs: building commands, splitting responses, naming status words.
 *
 * Only short APDUs (Lc and Le of one byte) are needed: every SSSE record fits in 255 bytes.
 */

export interface ApduResponse {
  /** Response data without the status word. */
  readonly data: Buffer;
  /** SW1 SW2 as one number, e.g. 0x9000. */
  readonly sw: number;
  /** What the status word means, in Chinese, for staff and logs. */
  readonly swText: string;
  /** `true` only for 90 00: 61 xx and 6C xx still need another command. */
  readonly ok: boolean;
}

/** Builds a command APDU. `le` is the expected length (0 means "up to 256"); omit it for none. */
export function commandApdu(cla: number, ins: number, p1: number, p2: number, data?: Uint8Array, le?: number): Buffer {
  for (const [name, value] of [
    ['CLA', cla],
    ['INS', ins],
    ['P1', p1],
    ['P2', p2],
  ] as const) {
    assertByte(name, value);
  }
  const parts: number[] = [cla, ins, p1, p2];
  if (data !== undefined && data.length > 0) {
    if (data.length > 255) {
      throw new ProtocolError('APDU_DATA_TOO_LONG', `命令数据超过255字节（${data.length}）`, { length: data.length });
    }
    parts.push(data.length, ...data);
  }
  if (le !== undefined) {
    assertByte('Le', le);
    parts.push(le);
  }
  return Buffer.from(parts);
}

function assertByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new ProtocolError('APDU_BAD_PARAMETER', `APDU参数${name}不是单字节：${value}`, { name, value });
  }
}

/** Splits a response into data and status word; refuses fewer than the two status bytes. */
export function parseResponse(bytes: Uint8Array): ApduResponse {
  if (bytes.length < 2) {
    throw new ProtocolError('APDU_RESPONSE_TOO_SHORT', `卡片应答不足2字节（${bytes.length}字节），缺少状态字`, {
      length: bytes.length,
    });
  }
  const sw = (bytes[bytes.length - 2] << 8) | bytes[bytes.length - 1];
  return {
    data: Buffer.from(bytes.subarray(0, bytes.length - 2)),
    sw,
    swText: statusWordText(sw),
    ok: sw === 0x9000,
  };
}

/** `6A82` style, as the card documentation and vendor logs write status words. */
export function formatStatusWord(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The ministry's reader DLL (`SSCardDriver`) reports a card status word as its negative
 * decimal value: 6A82 → -27266, 6982 → -27010, 63C2 → -25538. 90 00 is success, 0.
 */
export function statusWordToDriverCode(sw: number): number {
  return sw === 0x9000 ? 0 : -sw;
}

/** The inverse, for codes that are status words; `undefined` for the DLL's own codes (-2201…). */
export function driverCodeToStatusWord(code: number): number | undefined {
  if (code === 0) {
    return 0x9000;
  }
  const sw = -code;
  // Valid SW1 values are 61–6F and 90–9F (ISO 7816-4 5.1.3); everything else is the DLL's own.
  const sw1 = sw >> 8;
  return Number.isInteger(sw) && sw <= 0xffff && ((sw1 >= 0x61 && sw1 <= 0x6f) || (sw1 >= 0x90 && sw1 <= 0x9f))
    ? sw
    : undefined;
}

const EXACT: Readonly<Record<number, string>> = {
  0x9000: '成功',
  0x6281: '返回的数据可能有错',
  0x6283: '选择的文件无效',
  0x6581: '写存储器失败',
  0x6700: '长度错误（Lc/Le不正确）',
  0x6881: '不支持该逻辑信道',
  0x6882: '不支持安全报文',
  0x6981: '命令与文件结构不相符',
  0x6982: '不满足安全状态（需要认证）',
  0x6983: '认证方法已锁定',
  0x6984: '引用数据无效（随机数无效）',
  0x6985: '不满足使用条件',
  0x6986: '命令不允许（未选择当前文件）',
  0x6987: '缺少安全报文数据项',
  0x6988: '安全报文数据项不正确',
  0x6a80: '数据域参数不正确',
  0x6a81: '不支持该功能（卡或应用被锁定）',
  0x6a82: '未找到文件',
  0x6a83: '未找到记录',
  0x6a84: '文件存储空间不足',
  0x6a86: '参数P1/P2不正确',
  0x6a88: '未找到引用数据（未找到密钥）',
  0x6b00: '参数错误（偏移超出文件）',
  0x6d00: '不支持该命令（INS错误）',
  0x6e00: '不支持该命令类别（CLA错误）',
  0x6f00: '卡片内部错误，原因未知',
  0x9302: 'MAC无效',
  0x9303: '应用已被永久锁定',
};

/** Chinese text for a status word, including the parametrised ones (61xx, 6Cxx, 63Cx). */
export function statusWordText(sw: number): string {
  const exact = EXACT[sw];
  if (exact !== undefined) {
    return exact;
  }
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) {
    return `还有${sw2 === 0 ? 256 : sw2}字节数据待取`;
  }
  if (sw1 === 0x6c) {
    return `Le错误，应为${sw2 === 0 ? 256 : sw2}字节`;
  }
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) {
    return `认证失败，还可尝试${sw2 & 0x0f}次`;
  }
  return `未知状态字${formatStatusWord(sw)}`;
}
