/**
 * Resident ID-card reader (居民身份证阅读器) protocol: the one module drivers import. The pieces
 * live in small files (codec, stream parser, text block, status bytes, reader replies); this
 * file only gathers them.
 */
export {
  commands,
  decodeCommand,
  decodeReply,
  encodeCommand,
  encodeFrame,
  encodeReply,
  HEADER_LENGTH,
  MAX_LENGTH_FIELD,
  MIN_LENGTH_FIELD,
  MIN_REPLY_LENGTH_FIELD,
  PREAMBLE,
  xorChecksum,
  type Command,
  type IdCardCommand,
  type IdCardReply,
} from './id-card-codec';
export {
  DEFAULT_MAX_FRAME_SIZE,
  IdCardFrameParser,
  type IdCardFrameParserOptions,
  type ParsedEvent,
} from './id-card-parser';
export {
  buildFindReply,
  buildReadReply,
  buildSamStatusReply,
  buildSelectReply,
  buildStatusReply,
  decodeReadReply,
  ID_CARD_PHOTO_LENGTH,
  READ_SEQUENCE,
  splitReadData,
} from './id-card-replies';
export { samStatus, SW3, type SamStatus } from './id-card-status';
export {
  buildIdCardText,
  ID_CARD_TEXT_LENGTH,
  LONG_TERM,
  parseIdCardText,
  type IdCardIdentity,
  type IdCardTextFields,
  type Sex,
} from './id-card-text';
export { NATIONS, nationName } from './nations';
export { ProtocolError } from './protocol-error';
