/**
 * SW3 status bytes of the resident ID-card reader's SAM (安全模块), as the public interface
 * documentation lists them. Each has a stable English code to branch on and a Chinese message
 * telling desk staff what to do; the wording is about the next action, not the protocol.
 *
 * Codes 0x01–0x09 in vendor SDK tables are errors of the vendor's PC-side DLL (port not open,
 * receive timeout), never bytes on the wire, so they are not here.
 */
export interface SamStatus {
  readonly sw3: number;
  /** True for the two success values: 0x90 (operation done) and 0x9F (card found). */
  readonly ok: boolean;
  readonly code: string;
  readonly message: string;
}

export const SW3 = {
  OK: 0x90,
  NO_CONTENT: 0x91,
  CARD_FOUND: 0x9f,
  CHECKSUM_ERROR: 0x10,
  LENGTH_ERROR: 0x11,
  COMMAND_ERROR: 0x21,
  UNAUTHORISED_OPERATION: 0x23,
  UNKNOWN_ERROR: 0x24,
  CARD_AUTH_SAM_FAILED: 0x31,
  SAM_AUTH_CARD_FAILED: 0x32,
  VERIFY_FAILED: 0x33,
  FINGERPRINT_VERIFY_FAILED: 0x37,
  INFO_LENGTH_ERROR: 0x3f,
  UNKNOWN_CARD_TYPE: 0x40,
  READ_FAILED: 0x41,
  RANDOM_FAILED: 0x47,
  SAM_SELF_CHECK_FAILED: 0x60,
  SAM_NOT_AUTHORISED: 0x66,
  NO_CARD: 0x80,
  SELECT_FAILED: 0x81,
} as const;

const RETRY_OR_IT = '请重试；反复出现请联系信息科检查阅读器';

const MESSAGES: Readonly<Record<number, string>> = {
  [SW3.OK]: '操作成功',
  [SW3.NO_CONTENT]: '身份证中没有此项内容',
  [SW3.CARD_FOUND]: '已找到身份证',
  [SW3.CHECKSUM_ERROR]: `阅读器收到的命令校验和错误：${RETRY_OR_IT}`,
  [SW3.LENGTH_ERROR]: `阅读器收到的命令长度错误：${RETRY_OR_IT}`,
  [SW3.COMMAND_ERROR]: `阅读器不接受该命令：${RETRY_OR_IT}`,
  [SW3.UNAUTHORISED_OPERATION]: '阅读器拒绝了越权操作：请联系信息科',
  [SW3.UNKNOWN_ERROR]: `阅读器报告未知错误：${RETRY_OR_IT}`,
  [SW3.CARD_AUTH_SAM_FAILED]:
    '身份证认证阅读器安全模块失败：请拿开身份证后重新放好再读；多次失败请改用其他方式核验身份',
  [SW3.SAM_AUTH_CARD_FAILED]:
    '阅读器认证身份证失败：请拿开身份证后重新放好再读；多次失败可能证件已损坏，请改用其他方式核验身份',
  [SW3.VERIFY_FAILED]: '身份证信息验证失败：请重新读卡；多次失败请改用其他方式核验身份',
  [SW3.FINGERPRINT_VERIFY_FAILED]: '指纹信息验证错误：请重新读卡',
  [SW3.INFO_LENGTH_ERROR]: '身份证信息长度错误：请重新读卡',
  [SW3.UNKNOWN_CARD_TYPE]: '无法识别的卡片类型：请确认放在阅读器上的是居民身份证',
  [SW3.READ_FAILED]: '读身份证失败：请把身份证平放在感应区不要移动，重新读卡',
  [SW3.RANDOM_FAILED]: '读卡时取随机数失败：请重新读卡',
  [SW3.SAM_SELF_CHECK_FAILED]: '阅读器安全模块自检失败：请重新插拔阅读器；仍不行请联系信息科',
  [SW3.SAM_NOT_AUTHORISED]: '阅读器安全模块未经授权，无法使用：请联系信息科更换阅读器',
  [SW3.NO_CARD]: '未找到身份证：请把身份证平放在阅读器感应区上',
  [SW3.SELECT_FAILED]: '选取身份证失败：请拿开身份证后重新放好再读',
};

const CODES: ReadonlyMap<number, string> = new Map(
  Object.entries(SW3).map(([code, sw3]): [number, string] => [sw3, code]),
);

/** Describes an SW3 byte; an undocumented value becomes UNKNOWN_STATUS rather than an exception. */
export function samStatus(sw3: number): SamStatus {
  const code = CODES.get(sw3);
  if (code === undefined) {
    const hex = sw3.toString(16).toUpperCase().padStart(2, '0');
    return { sw3, ok: false, code: 'UNKNOWN_STATUS', message: `阅读器返回未知状态 0x${hex}：${RETRY_OR_IT}` };
  }
  return { sw3, ok: sw3 === SW3.OK || sw3 === SW3.CARD_FOUND, code, message: MESSAGES[sw3] };
}
