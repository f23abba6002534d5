import { commands, decodeReply, encodeReply, type IdCardReply } from './id-card-codec';
import { SW3, samStatus } from './id-card-status';
import {
  buildIdCardText,
  ID_CARD_TEXT_LENGTH,
  parseIdCardText,
  type IdCardIdentity,
  type IdCardTextFields,
} from './id-card-text';
import { ProtocolError } from './protocol-error';

/**
 * The replies a reader sends, byte for byte, so a simulator and a real reader are
 * interchangeable behind the driver; and the decoding of the read reply's data.
 *
 * Read reply data: text length (2 bytes, big-endian), photo length (2 bytes, big-endian),
 * text (256 bytes UCS-2LE), photo (1024 bytes of compressed WLT, passed on untouched: decoding
 * it needs the licensed vendor library and is not this layer's job).
 */
export const ID_CARD_PHOTO_LENGTH = 1024;

/** SW1 and SW2 are always zero in the replies seen from readers; only SW3 carries the status. */
const SW1 = 0x00;
const SW2 = 0x00;

/** Any status without data, e.g. buildStatusReply(SW3.NO_CARD) for "no card on the reader". */
export function buildStatusReply(sw3: number): Buffer {
  return encodeReply(SW1, SW2, sw3);
}

/** Find card: success carries four zero bytes, failure (0x80) none. */
export function buildFindReply(found: boolean): Buffer {
  return found ? encodeReply(SW1, SW2, SW3.CARD_FOUND, Buffer.alloc(4)) : buildStatusReply(SW3.NO_CARD);
}

/** Select card: success carries eight zero bytes, failure (0x81) none. */
export function buildSelectReply(selected: boolean): Buffer {
  return selected ? encodeReply(SW1, SW2, SW3.OK, Buffer.alloc(8)) : buildStatusReply(SW3.SELECT_FAILED);
}

export function buildSamStatusReply(sw3: number = SW3.OK): Buffer {
  return buildStatusReply(sw3);
}

/** The successful reply to `30 01`: 1,295 bytes in all. */
export function buildReadReply(identity: IdCardTextFields, photo: Uint8Array): Buffer {
  if (photo.length !== ID_CARD_PHOTO_LENGTH) {
    throw new RangeError(
      `photo must be ${ID_CARD_PHOTO_LENGTH} bytes (the WLT block a card holds), got ${photo.length}`,
    );
  }
  const text = buildIdCardText(identity);
  const lengths = Buffer.alloc(4);
  lengths.writeUInt16BE(text.length, 0);
  lengths.writeUInt16BE(photo.length, 2);
  return encodeReply(SW1, SW2, SW3.OK, Buffer.concat([lengths, text, photo]));
}

/** The frames a host sends for one read, in order (find, select, read). */
export const READ_SEQUENCE = [commands.findCard, commands.selectCard, commands.readTextAndPhoto] as const;

/** Splits read reply data into the text and photo blocks, checking the declared lengths. */
export function splitReadData(data: Buffer): { text: Buffer; photo: Buffer } {
  if (data.length < 4) {
    throw new ProtocolError('READ_DATA_LENGTH', '身份证读卡数据不完整：请重新读卡', { bytes: data.length });
  }
  const textLength = data.readUInt16BE(0);
  const photoLength = data.readUInt16BE(2);
  if (data.length !== 4 + textLength + photoLength || textLength !== ID_CARD_TEXT_LENGTH) {
    throw new ProtocolError('READ_DATA_LENGTH', '身份证读卡数据长度不符：请重新读卡', {
      bytes: data.length,
      textLength,
      photoLength,
    });
  }
  return { text: data.subarray(4, 4 + textLength), photo: data.subarray(4 + textLength) };
}

/**
 * Decodes a complete read reply frame. A non-success status becomes a ProtocolError carrying
 * the status's code and desk-staff message (e.g. READ_FAILED, "读身份证失败…").
 */
export function decodeReadReply(frame: Buffer): { identity: IdCardIdentity; photo: Buffer; reply: IdCardReply } {
  const reply = decodeReply(frame);
  const status = samStatus(reply.sw3);
  if (reply.sw3 !== SW3.OK) {
    throw new ProtocolError(status.code, status.message, { sw3: reply.sw3 });
  }
  const { text, photo } = splitReadData(reply.data);
  return { identity: parseIdCardText(text), photo, reply };
}
