import { lineLabel, yuan } from './findings';

/**
 * The Chinese messages of the findings, for desk staff: what is wrong and what to do. They name
 * lines, items, dates and amounts, never the worker's name or ID number. docs/settlement-rules.md
 * lists them.
 */

type Line = { readonly lineId: string; readonly itemName: string };

export const FINDING_MESSAGES = {
  visitDataInvalid: (what: string) => `就诊信息无效（${what}）：请 HIS 更正后重新预审`,
  personNotVerified: () =>
    '未提供人卡码核验凭证：本次预审没有核对工伤认定、签约机构和异地备案，不能记账。请先核验人、卡、码，带核验凭证（x-verification-token）重新预审（协议第九条）',
  noFeeLines: () => '本次就诊没有费用明细：请 HIS 报送费用明细后再结算',
  noDetermination: () =>
    '经办机构没有该职工的工伤认定记录：不能工伤记账。请按非工伤（自费）结算；如主诉因工受伤，请提示职工或用人单位申请工伤认定，认定后可办理自费转工伤',
  determinationPending: () =>
    '工伤认定尚未作出：本次费用请先按自费结算（由职工或用人单位垫付），工伤认定决定书下达后到本院办理自费转工伤、退回垫付费用（办法第二十六条）',
  conversionNoDetermination: () =>
    '经办机构没有该职工的工伤认定记录：不能办理自费转工伤。请职工或用人单位申请工伤认定，认定决定书下达后再办理（办法第二十六条）',
  conversionDeterminationPending: () =>
    '工伤认定尚未作出：不能办理自费转工伤。请待工伤认定决定书下达、经办机构登记认定结论后，重新核验人、卡、码再办理（办法第二十六条）',
  conversionAfterDetermination: (start: string, determination: string) =>
    `就诊（入院）日期 ${start} 晚于工伤认定日期 ${determination}：认定之后的就诊应直接工伤结算，不能办理自费转工伤`,
  conversionReceiptsMismatch: (paid: number, lines: number) =>
    `自费就诊的收据合计 ${yuan(paid)} 与费用明细合计 ${yuan(lines)} 不符：请 HIS 按收据重新报送本次自费就诊（明细和收据一并报送）后再办理自费转工伤`,
  conversionLineBeforeInjury: (line: Line, date: string, injury: string) =>
    `${lineLabel(line)}费用日期 ${date} 早于受伤（职业病诊断）日期 ${injury}：不属于本次工伤的治疗，不能转为工伤费用`,
  visitBeforeInjury: (visitDate: string, injuryDate: string) =>
    `就诊日期 ${visitDate} 早于受伤（职业病诊断）日期 ${injuryDate}：不属于本次工伤的治疗，不能工伤记账；请核对就诊日期，或按非工伤结算`,
  notSignedHere: () =>
    '本院不是该职工的工伤门诊签约医疗机构（每人最多签约3家，办法第十八条）：不能门诊记账。请职工到签约机构就诊，或到经办机构变更签约（每自然年度可变更一次）；住院不受此限',
  crossProvinceNoFiling: () =>
    '跨省异地就医职工未办理备案：不能直接结算。请职工向参保地经办机构办理异地就医备案后再结算，或按规定回参保地报销',
  crossProvinceFilingNotValid: (date: string, from: string, to: string) =>
    `就诊日期 ${date} 不在跨省异地就医备案有效期（${from} 至 ${to}）内：不能直接结算。请职工向参保地经办机构办理备案续期或变更`,
  hisTotalMismatch: (declared: number, sum: number) =>
    `HIS 报送的费用总额 ${yuan(declared)} 与明细合计 ${yuan(sum)} 不符（相差 ${yuan(declared - sum)}）：请 HIS 核对费用明细后重新报送`,
  hisSplitDiffers: (hisFund: string, hisSelf: string, fund: number, self: number) =>
    `HIS 计算的基金支付 ${hisFund}、个人自费 ${hisSelf} 与预审结果（基金支付 ${yuan(fund)}、个人自费 ${yuan(self)}）不同：以预审结果为准，请核对 HIS 的工伤标记与目录对照`,
  lineDataInvalid: (line: Line, problems: readonly string[]) =>
    `${lineLabel(line)}数据无效（${problems.join('；')}）：请 HIS 更正该明细后重新报送`,
  duplicateLineId: (lineId: string, times: number) =>
    `明细编号 ${lineId} 在本次就诊中出现 ${times} 次：每条明细编号必须唯一，请 HIS 重新编号后报送`,
  amountMismatch: (line: Line, count: string, price: number, amount: number, expected: number) =>
    `${lineLabel(line)}金额 ${yuan(amount)} 不等于数量 ${count} × 单价 ${yuan(price)} = ${yuan(expected)}（四舍五入到分）：请 HIS 更正金额或单价`,
  lineBeforeVisit: (line: Line, date: string, start: string) =>
    `${lineLabel(line)}费用日期 ${date} 早于本次就诊（入院）日期 ${start}：请 HIS 核对费用日期，不属于本次就诊的费用请删除`,
  notInjuryRelated: (line: Line) =>
    `${lineLabel(line)}为非工伤病情治疗费用：工伤保险基金不予支付，由个人负担，请告知职工（协议第二十七条）`,
  afterDischargeNotice: (line: Line, date: string, notice: string) =>
    `${lineLabel(line)}发生于 ${date}，在出院通知之日（${notice}）或之后：职工已达出院标准仍未出院，自通知之日起停止记账、按非工伤病人处理，由个人负担（协议第十三条第（四）项）`,
  itemNotMapped: (line: Line, hisCode: string) =>
    `${lineLabel(line)}的院内项目 ${hisCode} 尚未与工伤保险目录对码：本次按自费处理。如属目录内项目，请信息科完成编码比对后重新预审（协议第十九条）`,
  itemOutsideCatalogue: (line: Line) => `${lineLabel(line)}不在工伤保险目录内：工伤保险基金不予支付，由个人负担`,
  selfPayNotConsented: (line: Line, formId: string | null) =>
    formId === null
      ? `${lineLabel(line)}为自费项目，但没有职工签字的自费项目告知确认书：该费用由医院承担，不得向职工收取。请在使用前告知职工并签署确认书（协议第十八条）`
      : `${lineLabel(line)}对应的自费项目告知确认书 ${formId} 尚未签署：未签字确认的自费费用由医院承担，请先由职工或近亲属签字确认（协议第十八条）`,
  traceCodesMissing: (line: Line, captured: number, needed: number, warnOnly: boolean) =>
    `${lineLabel(line)}已采集药品追溯码 ${captured} 个，应采集 ${needed} 个（每盒一个，拆零按数量向上取整）：` +
    (warnOnly
      ? '可以结算，但缺码将被经办机构稽核，请尽快补扫（办法第九条）'
      : '请药房补扫缺少的追溯码后再结算（办法第九条）'),
  traceCodesExcess: (line: Line, captured: number, max: number) =>
    `${lineLabel(line)}已采集药品追溯码 ${captured} 个，多于发药盒数 ${max}：经办机构将拒绝结算，请药房核对并撤销多采的追溯码，或由 HIS 更正数量`,
  supplyOverMax: (line: Line, days: number, max: number) =>
    `${lineLabel(line)}用量 ${days} 天超过最长 ${max} 天（3个月）：即使有个人情况说明也不能记账，请医师按不超过 ${max} 天重新开具处方（协议第十五条）`,
  supplyStatementMissing: (line: Line, days: number, over: number) =>
    `${lineLabel(line)}用量 ${days} 天超过 ${over} 天，但没有职工的个人情况说明及相关证明：请职工出具说明并由本院审核留存后再结算，或请医师减少用量（协议第十五条）`,
} as const;
