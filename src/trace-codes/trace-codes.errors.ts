import { errorCatalogue, type ErrorDetail } from '../platform';

/**
 * Every refusal of the trace-code capability: a stable English code (HIS and the desk screen branch
 * on it), the HTTP status, and a Chinese message that says what to do. Nothing stored changes when
 * one is thrown. 422: the request cannot be accepted as it is (wrong form, wrong drug, wrong count);
 * 409: a box's or a line's state forbids the change (already dispensed, scrapped, holds codes);
 * 404: the visit or line was never declared.
 *
 * The entry's message is what a throw says when it has nothing more specific; most throws name the
 * line, the count or the drug, with the message builders below (all the capability's Chinese text
 * lives in this file, except the scan refusals, which rules/scan-judgement.ts words).
 */
export const TRACE_CODE_ERRORS = errorCatalogue('trace-codes', {
  // ---- the scanned text (rules/scan-judgement.ts words these) ----
  TRACE_CODE_EMPTY: { status: 422, message: '没有读到内容：请重新扫描药品追溯码' },
  TRACE_CODE_LENGTH: { status: 422, message: '追溯码位数不对（应为20位）：请重新扫描' },
  TRACE_CODE_COMMODITY_BARCODE: {
    status: 422,
    message: '这是商品条码，不是药品追溯码：请扫描药品最小包装上的追溯码（20位数字，或药品二维码）',
  },
  TRACE_CODE_EXPIRED_PACK: { status: 422, message: '该药品已过有效期，不能发药：请换一盒在有效期内的药品' },
  TRACE_CODE_GS1_INVALID: { status: 422, message: '药品二维码内容不完整或校验不通过：请重新扫描' },
  TRACE_CODE_NOT_A_DRUG_CODE: {
    status: 422,
    message: '这不是药品追溯码：请扫描药品最小包装上的追溯码（20位数字，或药品二维码）',
  },
  TRACE_CODE_UNREADABLE: {
    status: 422,
    message: '无法识别扫描内容：请扫描药品最小包装上的追溯码（20位数字，或药品二维码）',
  },
  // ---- requests and lines ----
  TRACE_LINE_DUPLICATE: { status: 422, message: '同一处方行在请求中出现了两次：每行只报一次' },
  TRACE_LINE_HAS_CODES: {
    status: 409,
    message: '处方行已录入追溯码，不能更改药品或是否拆零：请先办理退药（退回这些追溯码）再修改',
  },
  TRACE_LINE_QUANTITY_BELOW_CODES: { status: 409, message: '处方行已录入的追溯码多于新的数量：请先退回多出的追溯码' },
  TRACE_LINE_NOT_FOUND: { status: 404, message: '没有该处方行：请先由 HIS 报送该行' },
  TRACE_VISIT_NOT_FOUND: { status: 404, message: '该就诊没有登记发药明细：请先由 HIS 报送处方行' },
  TRACE_LINE_FULL: {
    status: 422,
    message: '处方行的追溯码已达发药数量，不能再多：请核对是否多扫了药盒，或让 HIS 更正发药数量',
  },
  TRACE_LINE_HAS_OTHER_CODES: {
    status: 409,
    message: '处方行已录入不在本批中的追溯码：整批提交应包含该行全部追溯码，或先退回这些追溯码',
  },
  TRACE_CODE_ON_LINE: { status: 409, message: '该追溯码已在本行，但不在本批中' },
  TRACE_BATCH_INVALID: { status: 422, message: '有追溯码不能接受，整批未处理：请按 details 逐个更正后重新提交' },
  TRACE_CODE_DUPLICATE_IN_REQUEST: { status: 422, message: '与本批中另一个追溯码是同一盒药品：请删去重复的一个' },
  TRACE_CODE_COUNT_MISMATCH: {
    status: 422,
    message: '追溯码数量与发药数量不符：每个最小包装一个追溯码；如为拆零发药，请将该行标记为拆零（splitPackage）',
  },
  TRACE_CODE_DRUG_MISMATCH: { status: 422, message: '追溯码与处方行的药品不符：请核对是否拿错了药' },
  // ---- the box's state ----
  TRACE_CODE_ALREADY_DISPENSED: {
    status: 409,
    message: '该追溯码已发药，同一盒药品不能重复发药：请核对药盒；如为退药后再发，请先办理退药',
  },
  TRACE_CODE_SPLIT_OPEN: { status: 409, message: '该药盒已拆零发药，不能再整盒发药：请换一盒未拆封的药品' },
  TRACE_CODE_SCRAPPED: { status: 409, message: '该追溯码对应的药盒已报损（报废），不能发药：请换一盒药品' },
  TRACE_BATCH_CONFLICT: {
    status: 409,
    message: '有追溯码已发药、已拆零在用或已报损，整批未录入：请按 details 核对药盒',
  },
  TRACE_CODE_NOT_DISPENSED: { status: 409, message: '追溯码当前不在发药状态，整批未退：请按 details 核对' },
  TRACE_CODE_DISPENSED: { status: 409, message: '已发药：请先退药' },
  TRACE_RETURN_LINE_REQUIRED: { status: 422, message: '退药指定处方行时，visitId 与 lineNo 须同时提供' },
  // ---- desk scanners (published to the desk screen, never thrown) ----
  TRACE_DESK_NO_ACTIVE_LINE: {
    status: 409,
    message: '本工位没有正在发药的处方行：请先在 HIS 中选择要发药的处方行，再扫码',
  },
});

/** The most details one refusal lists (a 100,000-code batch may refuse many). */
export const MAX_DETAILS = 1000;

/** Where and when a dispensed code was used: what a 409 tells, never who the patient was. */
export interface CodeUse {
  code: string;
  dispensedAt: string;
  visitId: string;
  lineNo: string;
}

/** The Chinese messages that name the line, the count or the drug. */
export const TRACE_MESSAGES = {
  lineDuplicate: (lineNo: string) => `处方行 ${lineNo} 在请求中出现了两次：每行只报一次`,
  lineSplitFlagLocked: (lineNo: string, held: number) =>
    `处方行 ${lineNo} 已录入 ${held} 个追溯码，不能更改是否拆零：请先办理退药（退回这些追溯码）再修改`,
  lineDrugLocked: (lineNo: string, held: number) =>
    `处方行 ${lineNo} 已录入 ${held} 个追溯码，不能改为其他药品：请先办理退药（退回这些追溯码）再修改`,
  quantityBelowCodes: (lineNo: string, held: number, quantity: number) =>
    `处方行 ${lineNo} 已录入 ${held} 个追溯码，数量不能改为 ${quantity}：请先退回多出的追溯码`,
  lineNotFound: (visitId: string, lineNo: string) =>
    `就诊 ${visitId} 没有处方行 ${lineNo}：请先由 HIS 报送该行（PUT /api/v1/trace-codes/visits/${visitId}/lines）`,
  visitNotFound: (visitId: string) => `就诊 ${visitId} 没有登记发药明细：请先由 HIS 报送处方行`,
  lineFull: (lineNo: string, quantity: number, held: number) =>
    `处方行 ${lineNo} 发药数量为 ${quantity}，已录入 ${held} 个追溯码，不能再多：请核对是否多扫了药盒，或让 HIS 更正发药数量`,
  lineHasOtherCodes: (lineNo: string, others: number) =>
    `处方行 ${lineNo} 已录入 ${others} 个不在本批中的追溯码：整批提交应包含该行全部追溯码，或先退回这些追溯码`,
  batchInvalid: (refused: number) => `${refused} 个追溯码不能接受，整批未录入：请按 details 逐个更正后重新提交`,
  stockBatchInvalid: (refused: number) => `${refused} 个追溯码不能接受，整批未处理：请按 details 逐个更正后重新提交`,
  duplicateInRequest: (earlierIndex: number) => `与第 ${earlierIndex + 1} 个追溯码是同一盒药品：请删去重复的一个`,
  batchDrugMismatch: (misfits: number) => `${misfits} 个追溯码与处方行的药品不符，整批未录入：请按 details 核对`,
  productMismatch: (
    productCode: string,
    medListCodes: readonly string[],
    line: { lineNo: string; drugName: string; medListCode: string },
  ) =>
    `该药盒（药品标识 ${productCode}）对应目录编码 ${medListCodes.join('、')}，与处方行 ${line.lineNo} 的药品（${line.drugName}，${line.medListCode}）不符：请核对是否拿错了药`,
  sharedBoxMismatch: (otherMedListCode: string, line: { lineNo: string; drugName: string; medListCode: string }) =>
    `该药盒已拆零用于目录编码 ${otherMedListCode} 的药品，与处方行 ${line.lineNo} 的药品（${line.drugName}，${line.medListCode}）不符：请核对是否拿错了药`,
  batchConflict: (conflicts: number) =>
    `${conflicts} 个追溯码已发药、已拆零在用或已报损，整批未录入：请按 details 核对药盒`,
  takenMeanwhile: '追溯码刚被其他请求发药：请刷新后核对',
  returnedMeanwhile: '追溯码刚被其他请求退回：请刷新后核对',
  notDispensed: (count: number, line?: { visitId: string; lineNo: string }) =>
    `${count} 个追溯码当前不在发药状态${line ? `（不在就诊 ${line.visitId} 第 ${line.lineNo} 行）` : '（未发药、已退药或已报损）'}，整批未退：请按 details 核对`,
  stateIs: (state: string | undefined) => `状态：${stateName(state)}`,
  returnNeedsLine: (ambiguous: number) =>
    `${ambiguous} 个追溯码的药盒正拆零用于多个处方行，整批未退：请指明退药的就诊和处方行（visitId、lineNo）`,
  openOnLines: (openUses: number) => `该药盒在 ${openUses} 个拆零处方行在用`,
  dispensedNoScrap: (count: number) => `${count} 个追溯码已发药，不能直接报损：请先办理退药`,
} as const;

export function stateName(state: string | undefined): string {
  return (
    {
      received: '已入库未发药',
      dispensed: '已发药',
      'split-open': '已拆零在用',
      returned: '已退药',
      scrapped: '已报损',
    }[state ?? ''] ?? '系统中没有该追溯码'
  );
}

export function alreadyDispensedMessage(use: CodeUse, sameLine: boolean): string {
  return sameLine
    ? `该追溯码已在本处方行录入（${use.dispensedAt}），无需重复扫描`
    : `该追溯码已于 ${use.dispensedAt} 在就诊 ${use.visitId} 第 ${use.lineNo} 行发药，同一盒药品不能重复发药：请核对药盒；如为退药后再发，请先办理退药`;
}

export function alreadyDispensedDetail(use: CodeUse, sameLine: boolean, index?: number): ErrorDetail {
  return TRACE_CODE_ERRORS.detail('TRACE_CODE_ALREADY_DISPENSED', {
    ...(index === undefined ? {} : { field: `codes[${index}]` }),
    message: alreadyDispensedMessage(use, sameLine),
    context: {
      ...(index === undefined ? {} : { index: String(index), code: use.code }),
      dispensedAt: use.dispensedAt,
      visitId: use.visitId,
      lineNo: use.lineNo,
    },
  });
}

/**
 * A box opened for split dispensing (拆零) cannot go out whole: part of it already went to patients.
 * The context names the first open split use (when, visit, line: never the patient) and how many are open.
 */
export function splitOpenDetail(first: CodeUse, openUses: number, index?: number): ErrorDetail {
  return TRACE_CODE_ERRORS.detail('TRACE_CODE_SPLIT_OPEN', {
    ...(index === undefined ? {} : { field: `codes[${index}]` }),
    message: splitOpenMessage(first, openUses),
    context: {
      ...(index === undefined ? {} : { index: String(index), code: first.code }),
      dispensedAt: first.dispensedAt,
      visitId: first.visitId,
      lineNo: first.lineNo,
      openUses: String(openUses),
    },
  });
}

export function splitOpenMessage(first: CodeUse, openUses: number): string {
  return `该药盒已于 ${first.dispensedAt} 在就诊 ${first.visitId} 第 ${first.lineNo} 行拆零发药（${openUses} 个拆零处方行在用），不能再整盒发药：请换一盒未拆封的药品；如本行也是拆零发药，请让 HIS 将该行标记为拆零（splitPackage）`;
}
