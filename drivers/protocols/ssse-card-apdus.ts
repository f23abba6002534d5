import { commandApdu } from './apdu';
import { ProtocolError } from './protocol-error';

/**
 * The command APDUs of the social-security card's SSSE application (社会保障应用), byte for
 * byte as the ministry's readers send them.
 */

/** "sx1.sh.社会保障" in GBK: the SSSE application's DF name. */
export const SSSE_AID = Buffer.from('7378312E73682EC9E7BBE1B1A3D5CF', 'hex');

/** EF05: card information (卡识别码 … 卡号). */
export const EF05 = 0xef05;
/** EF06: the holder's basic information (社会保障号码, 姓名 …). */
export const EF06 = 0xef06;

/** 00 A4 04 00 0F <AID>: select the SSSE application by name. */
export function selectSsseApp(): Buffer {
  return commandApdu(0x00, 0xa4, 0x04, 0x00, SSSE_AID);
}

/** 00 A4 02 00 02 <fid>: select an EF under the current DF by its two-byte identifier. */
export function selectFile(fid: number): Buffer {
  if (!Number.isInteger(fid) || fid < 0 || fid > 0xffff) {
    throw new ProtocolError('APDU_BAD_PARAMETER', `文件标识${fid}不是两字节`, { fid });
  }
  return commandApdu(0x00, 0xa4, 0x02, 0x00, Buffer.from([fid >> 8, fid & 0xff]));
}

/**
 * 00 B2 <tag> 00 <Le>: read the record whose SIMPLE-TLV tag is `tag` (P2 = 00: "first record
 * with this identifier" in the current EF). The answer is the whole record, tag and length
 * included, so `le` is the value length + 2.
 */
export function readRecord(tag: number, le: number): Buffer {
  return commandApdu(0x00, 0xb2, tag, 0x00, undefined, le);
}

/** 00 84 00 00 08: ask the card for an 8-byte random number (the external-auth challenge). */
export function getChallenge(length = 8): Buffer {
  return commandApdu(0x00, 0x84, 0x00, 0x00, undefined, length);
}

/** 00 88 00 <keyRef> <Lc> <data>: the card enciphers `data` to prove it holds its key. */
export function internalAuthenticate(keyRef: number, data: Uint8Array): Buffer {
  return commandApdu(0x00, 0x88, 0x00, keyRef, nonEmpty(data, '内部认证数据'));
}

/** 00 82 00 <keyRef> <Lc> <cryptogram>: the terminal proves it holds the key (e.g. RKSSSE). */
export function externalAuthenticate(keyRef: number, cryptogram: Uint8Array): Buffer {
  return commandApdu(0x00, 0x82, 0x00, keyRef, nonEmpty(cryptogram, '外部认证密文'));
}

/** 00 C0 00 00 <Le>: fetch the data a T=0 card announced with 61 xx. */
export function getResponse(le: number): Buffer {
  return commandApdu(0x00, 0xc0, 0x00, 0x00, undefined, le);
}

function nonEmpty(data: Uint8Array, what: string): Uint8Array {
  if (data.length === 0) {
    throw new ProtocolError('APDU_BAD_PARAMETER', `${what}不能为空`, { length: 0 });
  }
  return data;
}
