import { errorCatalogue } from '../platform';

/**
 * Every code the settlement capability answers with: a stable English code, the HTTP status and a
 * Chinese message that says what to do. Nothing stored changes when one is thrown.
 *
 * Catalogue mapping (编码比对): the file-level codes refuse a file that cannot be read at all; the
 * CATALOGUE_ROW_* codes name one row's problem. Errors among them are the `details[]` of
 * CATALOGUE_IMPORT_INVALID (the whole file refused); the three marked 警告 are warnings: they appear
 * in the import report and never stop an import (their status is only what a refusal would carry).
 */
export const SETTLEMENT_ERRORS = errorCatalogue('settlement', {
  // ---- the file (nothing stored or changed) ----
  CATALOGUE_FILE_EMPTY: { status: 422, message: '对码文件没有数据行：请导出含表头和数据行的 CSV 文件' },
  CATALOGUE_FILE_NOT_CSV: {
    status: 422,
    message:
      '对码文件不是 CSV 文本或 .xlsx 工作簿（可能是旧版 Excel 的 .xls 文件）：请在 Excel 中“另存为” .xlsx 或 CSV 后再导入',
  },
  CATALOGUE_FILE_UNREADABLE: {
    status: 422,
    message: '对码文件无法读取（编码无法识别或引号不配对）：请用 Excel 重新另存为 CSV（UTF-8 或 GBK）后导入',
  },
  CATALOGUE_HEADER_MISSING: {
    status: 422,
    message:
      '对码文件缺少必需的列：需要 院内项目编码、院内项目名称、项目类别、医保目录编码（表头写法见 docs/settlement.md）',
  },
  CATALOGUE_HEADER_DUPLICATE: {
    status: 422,
    message: '对码文件中有两列表示同一内容（例如同时有“院内项目编码”和“his_code”）：请删去其中一列',
  },
  CATALOGUE_IMPORT_INVALID: {
    status: 422,
    message: '对码文件有错误行，整个文件未导入（没有保存或更改任何内容）：请按 details 所列行号更正后重新导入',
  },
  CATALOGUE_ITEM_NOT_FOUND: {
    status: 404,
    message: '没有该院内项目编码的对码记录：请核对编码，或先导入包含该项目的对码文件',
  },
  // ---- one row (errors: details[] of CATALOGUE_IMPORT_INVALID) ----
  CATALOGUE_ROW_HIS_CODE_INVALID: {
    status: 422,
    message: '院内项目编码为空或格式不对（只能含字母、数字和 - _ . /，最长 50 位）',
  },
  CATALOGUE_ROW_HIS_NAME_MISSING: { status: 422, message: '院内项目名称为空：请填写项目名称' },
  CATALOGUE_ROW_NAME_TOO_LONG: { status: 422, message: '项目名称超过 500 个字：请缩短名称' },
  CATALOGUE_ROW_KIND_UNKNOWN: {
    status: 422,
    message: '项目类别无法识别：应为 药品、诊疗 或 材料（也可写 drug、service、material）',
  },
  CATALOGUE_ROW_MED_LIST_CODE_INVALID: {
    status: 422,
    message:
      '医保目录编码格式不对（只能含字母、数字和 -，5–50 位）；如被 Excel 显示成 1.1E+14 之类的科学计数法，请把该列设为“文本”后重新导出',
  },
  CATALOGUE_ROW_DATE_INVALID: {
    status: 422,
    message: '有效日期格式不对，或开始日期晚于结束日期：日期请写作 YYYY-MM-DD',
  },
  CATALOGUE_ROW_DUPLICATE_CONFLICT: {
    status: 422,
    message: '同一院内项目编码出现多次且对应不同的医保目录编码：每个项目只能对应一个医保目录编码，请删去错误的一行',
  },
  CATALOGUE_ROW_EXTRA_CELLS: {
    status: 422,
    message: '该行的列数多于表头：请检查内容中是否有未加引号的逗号',
  },
  // ---- one row (warnings: in the report, the import goes ahead) ----
  CATALOGUE_ROW_UNMAPPED: {
    status: 422,
    message: '（警告，不阻止导入）该项目没有医保目录编码，未对码：其费用不能由工伤保险基金支付',
  },
  CATALOGUE_ROW_DUPLICATE: {
    status: 422,
    message: '（警告，不阻止导入）同一院内项目编码重复出现且对应相同的医保目录编码：只保留第一行',
  },
  CATALOGUE_ROW_KIND_CODE_MISMATCH: {
    status: 422,
    message:
      '（警告，不阻止导入）医保目录编码与项目类别不一致（药品编码通常以 X、Z、T 开头，耗材以 C 开头，诊疗项目以数字开头）：请核对',
  },
  // ---- visits and fee lines (nothing stored or changed when one is thrown) ----
  SETTLEMENT_VISIT_NOT_FOUND: {
    status: 404,
    message: '没有该就诊登记：请先由 HIS 登记本次门诊或住院（POST /api/v1/settlement/visits）',
  },
  SETTLEMENT_VISIT_CONFLICT: {
    status: 409,
    message: '该就诊号已登记，但人员编号、类别或日期与本次不同：请核对就诊号；出院日期和出院通知日期请用 PATCH 更改',
  },
  SETTLEMENT_VISIT_SETTLED: {
    status: 409,
    message: '本次就诊已结算，就诊信息和费用明细不能再更改：如确需更改，请先撤销结算后再报送',
  },
  SETTLEMENT_VISIT_NOT_INPATIENT: {
    status: 409,
    message: '门诊就诊没有出院日期和出院通知日期：只有住院登记可以填写',
  },
  SETTLEMENT_CROSS_PROVINCE_FILING: {
    status: 422,
    message:
      '跨省异地就医职工没有有效的异地就医备案：不能办理入院或出院登记（协议第三十三条），请先核对身份与备案信息；未保存任何更改',
  },
  SETTLEMENT_VISIT_DATE_INVALID: {
    status: 422,
    message: '出院日期或出院通知日期早于入院日期：请 HIS 核对日期后重新报送',
  },
  SETTLEMENT_LINE_NOT_FOUND: {
    status: 404,
    message: '本次就诊没有该费用明细：请核对明细编号，或先由 HIS 报送该明细',
  },
  SETTLEMENT_LINE_DUPLICATE: {
    status: 400,
    message: '同一批费用明细中明细编号重复：每条明细编号在一批中只能出现一次，请删去重复的一条',
  },
  SETTLEMENT_PERSON_MISMATCH: {
    status: 409,
    message:
      '人卡码核验凭证所属人员与本次就诊登记的人员编号不符：拒绝记账。请核对就诊登记，或为本次就诊的职工重新核验人、卡、码',
  },
  // ---- settlement, trial, cancellation ----
  SETTLEMENT_PRE_AUDIT_REFUSED: {
    status: 422,
    message: '预审未通过，不能结算：请按 details 所列问题处理（补扫追溯码、补签告知书、更正明细等）后重新结算',
  },
  SETTLEMENT_VISIT_INCOMPLETE: {
    status: 422,
    message: '就诊登记缺少结算必需的信息（诊断编码和名称；住院还需出院日期）：请 HIS 补充后重新结算',
  },
  SETTLEMENT_REPLY_INVALID: {
    status: 502,
    message: '经办机构的预结算应答金额不一致，无法使用：请稍后重试，仍不一致请联系信息科',
  },
  SETTLEMENT_STATEMENT_NOT_AVAILABLE: {
    status: 409,
    message: '只有已结算成功的结算才有费用结算单：请先查询结算结果',
  },
  SETTLEMENT_IDEMPOTENCY_CONFLICT: {
    status: 409,
    message: '该幂等键（Idempotency-Key）已用于另一次就诊的结算：每次结算请使用新的幂等键',
  },
  SETTLEMENT_IN_PROGRESS: {
    status: 409,
    message: '本次就诊已有一笔正在处理或已完成的结算：请查询该结算的结果，不要重复结算',
  },
  SETTLEMENT_NOT_FOUND: { status: 404, message: '没有该结算记录：请核对结算记录编号' },
  SETTLEMENT_REJECTED: {
    status: 422,
    message: '经办机构拒绝了本次结算，就诊已恢复为可修改：请按经办机构的提示更正后重新结算',
  },
  SETTLEMENT_NOT_CANCELLABLE: {
    status: 409,
    message: '只能撤销已结算成功的结算：该结算未结算成功，或已撤销、正在撤销',
  },
  // ---- 自费转工伤 (self-paid visits, their receipts, conversion) ----
  SETTLEMENT_RECEIPTS_MISMATCH: {
    status: 422,
    message: '收据合计与费用明细合计不符（没有保存任何内容）：请 HIS 核对收据和费用明细后一并重新报送',
  },
  SETTLEMENT_RECEIPT_DUPLICATE: {
    status: 400,
    message: '同一次就诊中收据号重复：每张收据只能报送一次，请删去重复的一张',
  },
  SETTLEMENT_VISIT_SELF_PAID: {
    status: 409,
    message:
      '本次就诊已登记为工伤认定前的自费就诊（职工已自费付清）：不能按普通工伤结算。工伤认定作出后，请办理自费转工伤（POST /api/v1/settlement/visits/{visitId}/conversion）',
  },
  SETTLEMENT_NOT_SELF_PAID: {
    status: 409,
    message:
      '本次就诊没有登记为工伤认定前的自费就诊：不能办理自费转工伤。请直接工伤结算；如职工确已自费付款，请 HIS 先报送自费就诊及收据（POST /api/v1/settlement/self-paid-visits）',
  },
  SETTLEMENT_SELF_PAID_NOT_FOUND: {
    status: 404,
    message:
      '没有该自费就诊登记：请核对就诊号，或由 HIS 先报送自费就诊及收据（POST /api/v1/settlement/self-paid-visits）',
  },
  /** No longer answered: a cancel of a pending settlement is now accepted as a cancel request (202). */
  SETTLEMENT_OUTCOME_UNKNOWN: {
    status: 409,
    message: '该结算的结果尚未确定（系统正在向经办机构查询）：请稍候查询结算结果，确定已结算后再撤销',
  },
  // ---- IT's review of needs-review ----
  SETTLEMENT_NOT_IN_REVIEW: {
    status: 409,
    message: '只有“待核查”（needs-review）的结算才能复查或人工确认：该结算已有结果，请先查询结算记录',
  },
  SETTLEMENT_REVIEW_SPLIT_INVALID: {
    status: 422,
    message: '录入的经办机构结算金额不一致（总额、基金与个人部分、各明细）：请按经办机构的结算记录核对后重新录入',
  },
  // ---- the insurer away (R14, emergency mode) ----
  SETTLEMENT_INSURER_DOWN: {
    status: 503,
    message:
      '经办机构系统暂时无法连接（已进入应急模式），本院设置为暂停结算，本次未结算、未保存任何内容：请按应急预案告知患者稍后结算或先行登记，待系统恢复后重新结算',
  },
  SETTLEMENT_DIFFERENCE_NOT_FOUND: { status: 404, message: '没有该结算差额记录：请核对差额记录编号' },
  SETTLEMENT_DIFFERENCE_RESOLVED: {
    status: 409,
    message: '该结算差额已处理完毕，不能重复处理：请刷新差额清单',
  },
});

export const SETTLE_MESSAGES = {
  rejected: (visitId: string, reason: string): string =>
    `经办机构拒绝了就诊 ${visitId} 的结算：${reason}。就诊已恢复为可修改，请更正后重新结算`,
  inProgress: (visitId: string, id: string, status: string): string =>
    `就诊 ${visitId} 已有一笔结算（${id}，状态 ${status}）：请查询该结算的结果，不要重复结算`,
  notCancellable: (id: string, status: string): string =>
    status === 'cancelled' || status === 'cancelling'
      ? `结算 ${id} 已撤销或正在撤销，不能重复撤销`
      : `结算 ${id} 的状态是 ${status}，只有已结算成功的结算才能撤销`,
  cancelAlreadyRequested: (id: string): string =>
    `结算 ${id} 已申请撤销：结果确定后，结算成功的将自动撤销，未成功的无需撤销。请勿重复申请，稍后查询结算记录`,
  notInReview: (id: string, status: string): string =>
    `结算 ${id} 的状态是 ${status}，不是“待核查”（needs-review）：无需复查，请查询结算记录`,
  notFound: (id: string): string => `没有编号为 ${id} 的结算记录：请核对结算记录编号`,
  incomplete: (visitId: string, missing: string): string =>
    `就诊 ${visitId} 缺少结算必需的${missing}：请 HIS 补充后重新结算`,
};

export type CatalogueProblemCode =
  | 'CATALOGUE_ROW_HIS_CODE_INVALID'
  | 'CATALOGUE_ROW_HIS_NAME_MISSING'
  | 'CATALOGUE_ROW_NAME_TOO_LONG'
  | 'CATALOGUE_ROW_KIND_UNKNOWN'
  | 'CATALOGUE_ROW_MED_LIST_CODE_INVALID'
  | 'CATALOGUE_ROW_DATE_INVALID'
  | 'CATALOGUE_ROW_DUPLICATE_CONFLICT'
  | 'CATALOGUE_ROW_EXTRA_CELLS'
  | 'CATALOGUE_ROW_UNMAPPED'
  | 'CATALOGUE_ROW_DUPLICATE'
  | 'CATALOGUE_ROW_KIND_CODE_MISMATCH';

/** The row problems that never stop an import. */
export const CATALOGUE_WARNINGS: ReadonlySet<CatalogueProblemCode> = new Set<CatalogueProblemCode>([
  'CATALOGUE_ROW_UNMAPPED',
  'CATALOGUE_ROW_DUPLICATE',
  'CATALOGUE_ROW_KIND_CODE_MISMATCH',
]);

/** The same problems in English, for IT staff and the report (the Chinese is the catalogue's message). */
export const CATALOGUE_PROBLEM_EN: Readonly<Record<CatalogueProblemCode, string>> = {
  CATALOGUE_ROW_HIS_CODE_INVALID:
    'HIS item code is empty or malformed (letters, digits and - _ . / only, at most 50 characters)',
  CATALOGUE_ROW_HIS_NAME_MISSING: 'HIS item name is empty',
  CATALOGUE_ROW_NAME_TOO_LONG: 'an item name is longer than 500 characters',
  CATALOGUE_ROW_KIND_UNKNOWN: 'unknown item kind: expected drug, service or material (药品, 诊疗, 材料)',
  CATALOGUE_ROW_MED_LIST_CODE_INVALID:
    'insurer catalogue code (med_list_codg) is malformed (letters, digits and - only, 5-50 characters; Excel scientific notation such as 1.1E+14 means the column was not text)',
  CATALOGUE_ROW_DATE_INVALID: 'validity date is not YYYY-MM-DD, or valid-from is after valid-to',
  CATALOGUE_ROW_DUPLICATE_CONFLICT: 'the same HIS item code appears again with a different insurer catalogue code',
  CATALOGUE_ROW_EXTRA_CELLS: 'the row has more cells than the header (an unquoted comma?)',
  CATALOGUE_ROW_UNMAPPED:
    'warning: no insurer catalogue code, the item is unmapped and its cost is not paid by the fund',
  CATALOGUE_ROW_DUPLICATE:
    'warning: the same HIS item code appears again with the same insurer code; the first row is kept',
  CATALOGUE_ROW_KIND_CODE_MISMATCH:
    'warning: the insurer code does not look like the kind (drugs usually start with X, Z or T, materials with C, services with a digit)',
};

/** The most row problems an error's details[] (and the report) lists; the counts are always complete. */
export const MAX_PROBLEMS_LISTED = 1000;

export const SETTLEMENT_MESSAGES = {
  importInvalid: (errorRows: readonly number[]): string =>
    `对码文件有 ${errorRows.length} 行错误（第 ${rowList(errorRows)} 行），整个文件未导入（没有保存或更改任何内容）：请按 details 更正后重新导入`,
  headerMissing: (missing: readonly string[]): string =>
    `对码文件缺少必需的列：${missing.join('、')}（表头写法见 docs/settlement.md）`,
  headerDuplicate: (a: string, b: string): string => `对码文件中“${a}”和“${b}”表示同一内容：请删去其中一列`,
  unreadableWorkbook: (reason: string): string =>
    `对码文件看起来是 Excel 工作簿（.xlsx），但无法读取（${reason}）：请在 Excel 中重新另存为 .xlsx 或 CSV 后导入`,
  unreadableQuote: (row: number): string =>
    `对码文件第 ${row} 行起的引号没有配对，无法读取：请用 Excel 重新另存为 CSV 后导入`,
  itemNotFound: (hisCode: string): string =>
    `没有院内项目编码“${hisCode}”的对码记录：请核对编码，或先导入包含该项目的对码文件`,
};

export const CONVERSION_MESSAGES = {
  receiptsMismatch: (paid: string, lines: string): string =>
    `收据合计 ${paid} 与费用明细合计 ${lines} 不符（没有保存任何内容）：请 HIS 核对收据和费用明细后一并重新报送`,
  selfPaid: (visitId: string): string =>
    `就诊 ${visitId} 已登记为工伤认定前的自费就诊（职工已自费付清）：不能按普通工伤结算。工伤认定作出后，请办理自费转工伤（POST /api/v1/settlement/visits/${visitId}/conversion）`,
  notSelfPaid: (visitId: string): string =>
    `就诊 ${visitId} 没有登记为工伤认定前的自费就诊：不能办理自费转工伤。请直接工伤结算；如职工确已自费付款，请 HIS 先报送自费就诊及收据`,
  notFound: (visitId: string): string =>
    `没有就诊号 ${visitId} 的自费就诊登记：请核对就诊号，或由 HIS 先报送自费就诊及收据（POST /api/v1/settlement/self-paid-visits）`,
  personConflict: (): string => '该就诊号已登记为另一人员的自费就诊：请核对就诊号和身份证号（同一次就诊只能属于一人）',
};

export const VISIT_MESSAGES = {
  visitNotFound: (visitId: string): string =>
    `没有就诊号 ${visitId} 的就诊登记：请先由 HIS 登记本次门诊或住院（POST /api/v1/settlement/visits）`,
  visitSettled: (visitId: string): string =>
    `就诊 ${visitId} 已结算，就诊信息和费用明细不能再更改：如确需更改，请先撤销结算后再报送`,
  lineNotFound: (visitId: string, lineId: string): string =>
    `就诊 ${visitId} 没有明细编号为 ${lineId} 的费用明细：请核对明细编号，或先由 HIS 报送该明细`,
  dateBeforeAdmission: (what: string, date: string, admission: string): string =>
    `${what} ${date} 早于入院日期 ${admission}：请 HIS 核对日期后重新报送`,
};

function rowList(rows: readonly number[]): string {
  const shown = rows.slice(0, 20).join('、');
  return rows.length > 20 ? `${shown} 等` : shown;
}

/** One row problem in Chinese and English, with the cell it concerns and, for a duplicate, the first row. */
export function catalogueProblemText(problem: { code: CatalogueProblemCode; value?: string; firstRow?: number }): {
  zh: string;
  en: string;
} {
  const zh = [`${SETTLEMENT_ERRORS.message(problem.code)}`];
  const en = [CATALOGUE_PROBLEM_EN[problem.code]];
  if (problem.firstRow !== undefined) {
    zh.push(`（该编码第一次出现在第 ${problem.firstRow} 行）`);
    en.push(` (first seen on row ${problem.firstRow})`);
  }
  if (problem.value) {
    zh.push(`：“${problem.value}”`);
    en.push(`: "${problem.value}"`);
  }
  return { zh: zh.join(''), en: en.join('') };
}
