import { formatStatusWord, statusWordText, statusWordToDriverCode } from './apdu';
import { ProtocolError } from './protocol-error';

/**
 * Errors of a smart-card read. Both carry what support staff need to act on: the status word
 * and the driver code they would see from the ministry's DLL (so a log line can be matched
 * against the vendor's error table), or the field whose bytes were wrong.
 */

/** The card answered a command with a status word other than 90 00. */
export class CardStatusError extends ProtocolError {
  readonly driverCode: number;
  readonly swText: string;

  constructor(
    /** What we were doing, in Chinese, e.g. "选择社保应用". */
    readonly step: string,
    readonly sw: number,
  ) {
    const swText = statusWordText(sw);
    super('CARD_STATUS', `${step}失败：${swText}（${formatStatusWord(sw)}）`, {
      step,
      sw: formatStatusWord(sw),
      driverCode: statusWordToDriverCode(sw),
    });
    this.swText = swText;
    this.driverCode = statusWordToDriverCode(sw);
  }
}

/** A record came back with 90 00 but its bytes do not fit the card specification. */
export class CardDataError extends ProtocolError {
  constructor(
    /** The data item's Chinese name, e.g. "出生日期". */
    readonly field: string,
    readonly tag: number,
    reason: string,
    cause?: unknown,
  ) {
    super('CARD_DATA_INVALID', `社保卡数据项「${field}」格式错误：${reason}`, {
      field,
      tag: tag.toString(16).toUpperCase().padStart(2, '0'),
    });
    if (cause !== undefined) {
      this.cause = cause;
    }
  }
}
