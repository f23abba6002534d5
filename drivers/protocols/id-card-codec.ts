import { ProtocolError } from './protocol-error';

/**
 * Frames of the resident ID-card reader's public serial interface:
 *
 *   AA AA AA 96 69 | len (2 bytes, big-endian) | CMD PARA  or  SW1 SW2 SW3 | data | checksum
 *
 * `len` counts everything after itself up to and including the checksum; the checksum is the
 * XOR of every byte after the preamble (length field included) before the checksum. Host →
 * reader frames carry CMD PARA, reader → host frames carry SW1 SW2 SW3 in the same place.
 */

export const PREAMBLE: Readonly<Uint8Array> = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
/** Preamble plus the 2-byte length field. */
export const HEADER_LENGTH = PREAMBLE.length + 2;
/** The shortest legal length field: CMD PARA checksum (a command without data). */
export const MIN_LENGTH_FIELD = 3;
/** The shortest legal reply length field: SW1 SW2 SW3 checksum. */
export const MIN_REPLY_LENGTH_FIELD = 4;
export const MAX_LENGTH_FIELD = 0xffff;

export interface Command {
  readonly cmd: number;
  readonly para: number;
}

/** The commands the public interface documents (the SAM status one is also a cheap ping). */
export const commands = {
  findCard: { cmd: 0x20, para: 0x01 },
  selectCard: { cmd: 0x20, para: 0x02 },
  readTextAndPhoto: { cmd: 0x30, para: 0x01 },
  samStatus: { cmd: 0x11, para: 0xff },
} as const satisfies Record<string, Command>;

export interface IdCardReply {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Buffer;
}

export interface IdCardCommand {
  cmd: number;
  para: number;
  data: Buffer;
}

/** XOR of bytes[start, end). */
export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) {
    x ^= bytes[i];
  }
  return x;
}

export function hasPreambleAt(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < PREAMBLE.length; i++) {
    if (bytes[offset + i] !== PREAMBLE[i]) {
      return false;
    }
  }
  return true;
}

function checkByte(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`${name} must be a byte (0..255), got ${value}`);
  }
}

/** Wraps a body (CMD PARA data, or SW1 SW2 SW3 data) with preamble, length and checksum. */
export function encodeFrame(body: Uint8Array): Buffer {
  const lengthField = body.length + 1;
  if (lengthField > MAX_LENGTH_FIELD) {
    throw new RangeError(`frame body of ${body.length} bytes does not fit a 16-bit length`);
  }
  const frame = Buffer.alloc(HEADER_LENGTH + lengthField);
  frame.set(PREAMBLE, 0);
  frame.writeUInt16BE(lengthField, PREAMBLE.length);
  frame.set(body, HEADER_LENGTH);
  frame[frame.length - 1] = xorChecksum(frame, PREAMBLE.length, frame.length - 1);
  return frame;
}

export function encodeCommand(cmd: number, para: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  checkByte(cmd, 'cmd');
  checkByte(para, 'para');
  return encodeFrame(Buffer.concat([Buffer.of(cmd, para), data]));
}

/** The reader's side: what a simulator sends back. */
export function encodeReply(sw1: number, sw2: number, sw3: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  checkByte(sw1, 'sw1');
  checkByte(sw2, 'sw2');
  checkByte(sw3, 'sw3');
  return encodeFrame(Buffer.concat([Buffer.of(sw1, sw2, sw3), data]));
}

/** Checks a complete frame and returns its body (without the checksum). */
function frameBody(frame: Buffer, minLengthField: number): Buffer {
  if (frame.length < HEADER_LENGTH + minLengthField || !hasPreambleAt(frame, 0)) {
    throw new ProtocolError('FRAME_MALFORMED', '身份证阅读器数据帧格式错误：请重新读卡', { bytes: frame.length });
  }
  const lengthField = frame.readUInt16BE(PREAMBLE.length);
  if (lengthField !== frame.length - HEADER_LENGTH) {
    throw new ProtocolError('FRAME_LENGTH', '身份证阅读器数据帧长度错误：请重新读卡', {
      lengthField,
      bytes: frame.length,
    });
  }
  const expected = xorChecksum(frame, PREAMBLE.length, frame.length - 1);
  const actual = frame[frame.length - 1];
  if (expected !== actual) {
    throw new ProtocolError('FRAME_CHECKSUM', '身份证阅读器数据帧校验错误：请重新读卡', { expected, actual });
  }
  // A copy, so the caller may keep it without pinning (or seeing changes to) the receive buffer.
  return Buffer.from(frame.subarray(HEADER_LENGTH, frame.length - 1));
}

export function decodeReply(frame: Buffer): IdCardReply {
  const body = frameBody(frame, MIN_REPLY_LENGTH_FIELD);
  return { sw1: body[0], sw2: body[1], sw3: body[2], data: body.subarray(3) };
}

/** The reader's side: what a simulator received. */
export function decodeCommand(frame: Buffer): IdCardCommand {
  const body = frameBody(frame, MIN_LENGTH_FIELD);
  return { cmd: body[0], para: body[1], data: body.subarray(2) };
}
