import { CatalogueError, errorCatalogue, type ErrorDetail } from '../platform';

/**
 * Every code the forms capability answers with (errors, and the codes of `details[]` entries in a
 * 400 VALIDATION_FAILED). Messages naming a form, a field or a character are given at the throw
 * site (`raise(code, { message })`); the entry's message is what the code means.
 */
export const FORM_ERRORS = errorCatalogue('forms', {
  FORM_KIND_UNKNOWN: { status: 400, message: '未知的表单类型' },
  FORM_WORKER_CONFLICT: {
    status: 400,
    message: 'HIS 提供的职工信息与经办机构核验结果不一致：请删除 details 中列出的字段，由核验结果填写',
  },
  FORM_SIGNATURE_REQUIRED: {
    status: 400,
    message: '请提供且只提供一种签署方式：签名图片 signaturePng（签名板/平板），或已签署的扫描件 scannedPdf',
  },
  FORM_SCAN_NOT_PDF: { status: 400, message: '扫描件必须是 PDF 文件（内容应以 %PDF- 开头）' },
  FORM_SCAN_TOO_LARGE: { status: 400, message: '扫描件超过 10 MB，经办机构不接收：请降低扫描分辨率后重试' },
  FORM_BASE64_INVALID: { status: 400, message: '不是有效的 Base64 编码' },
  FORM_CHARACTER_NOT_IN_FONT: { status: 400, message: '表单字体中没有所列字符，无法打印' },
  FORM_TEXT_TOO_LONG: { status: 400, message: '表单内容过长，最小字号下也无法排入一页，请精简所列字段的文字' },
  FORM_SIGNATURE_INVALID: { status: 400, message: '签名图片无法读取，请重新采集签名' },
  FORM_NOT_FOUND: { status: 404, message: '表单不存在（或已按保存期限删除）' },
  FORM_NOT_SIGNED: { status: 409, message: '表单尚未签署：直接修改草稿即可' },
  FORM_NOT_LATEST: { status: 409, message: '只能更正最新版本' },
  FORM_SIGNED_IMMUTABLE: { status: 409, message: '表单已签署，不能再修改或重新签署；如需更正，请提交更正，生成新版本' },
  FORM_FILE_CORRUPT: { status: 500, message: '表单的存档文件不存在或已损坏，请联系信息科从备份恢复' },
  STATEMENT_DATA_INVALID: {
    status: 500,
    message: '费用结算单的数据不完整或金额不平，无法出具：请联系信息科（details 列出每一项问题）',
  },
  // Codes of details[] entries (in a 400 VALIDATION_FAILED or in one of the errors above).
  FORM_FIELD_MISSING: { status: 400, message: '缺少必填项' },
  FORM_FIELD_INVALID: { status: 400, message: '填写有误' },
  FORM_LIST_FILTER_REQUIRED: { status: 400, message: '请给出 visitId（就诊）或 idNumber（职工身份证号码）之一' },
  FORM_SIGNATURE_NOT_PNG: { status: 400, message: '签名图片必须是 PNG 格式' },
  CHAR_NOT_IN_FONT: { status: 400, message: '字符不在表单字体中，无法打印' },
});

/** Every write to a signed version is refused: a signed form is corrected by a new version. */
export function formSignedImmutable(formNo: string, version: number, status: string): CatalogueError {
  return FORM_ERRORS.raise('FORM_SIGNED_IMMUTABLE', {
    message: `表单 ${formNo} 第${version}版已签署（状态 ${status}），不能再修改或重新签署；如需更正，请提交更正（POST /api/v1/forms/{id}/corrections），生成新版本`,
  });
}

/** 400 FORM_TEXT_TOO_LONG: the filled form cannot fit its page even at the smallest size. */
export function formTextTooLong(fields: string[]): CatalogueError {
  return FORM_ERRORS.raise('FORM_TEXT_TOO_LONG', {
    details: fields.map((field) => FORM_ERRORS.detail('FORM_TEXT_TOO_LONG', { field, message: '文字过长，请精简' })),
  });
}

/** HIS's worker values contradict the insurer's (each field named in details). */
export function formWorkerConflict(details: ErrorDetail[]): CatalogueError {
  return FORM_ERRORS.raise('FORM_WORKER_CONFLICT', { details });
}

/**
 * 400 FORM_CHARACTER_NOT_IN_FONT; details: one per field+character:
 * {field, code:'CHAR_NOT_IN_FONT', message:'…“𠮷”(U+20BB7)…', context:{char, codePoint}}.
 */
export class FormCharacterError extends CatalogueError {
  constructor(details: ErrorDetail[]) {
    super(
      'FORM_CHARACTER_NOT_IN_FONT',
      FORM_ERRORS.entries.FORM_CHARACTER_NOT_IN_FONT.status,
      `表单字体中没有以下字符，无法打印：${details.map((d) => d.context?.char).join('、')}。请改用常用字、通用写法，或由管理员配置含这些字的字体（forms.fontPath）`,
      details,
    );
  }
}

/** The stored file does not hash to what was recorded when it was signed: never served silently. */
export class FormFileCorruptError extends CatalogueError {
  constructor(formNo: string, version: number, what: string) {
    super(
      'FORM_FILE_CORRUPT',
      FORM_ERRORS.entries.FORM_FILE_CORRUPT.status,
      `表单 ${formNo} 第${version}版的存档文件${what}，请联系信息科从备份恢复（存档文件的 SHA-256 与签署时记录的不一致）`,
    );
  }
}
