/**
 * Transaction codes (infno). Where the national interface has the same transaction, its code
 * is used; the others are ours (marked) and documented in docs/upstream-protocol.md.
 */
export const INFNO = {
  signIn: '9001',
  personQuery: '1101',
  qrDecode: '1161',
  /** ours: 3rd-generation card authentication through the insurer's HSM */
  cardHsmAuth: '1165',
  outpatientRegistration: '2201',
  outpatientRegistrationCancel: '2202',
  outpatientFeeUpload: '2204',
  outpatientFeeRevoke: '2205',
  outpatientPreSettlement: '2206',
  outpatientSettlement: '2207',
  outpatientSettlementCancel: '2208',
  inpatientFeeUpload: '2301',
  inpatientFeeRevoke: '2302',
  inpatientPreSettlement: '2303',
  inpatientSettlement: '2304',
  inpatientSettlementCancel: '2305',
  admission: '2401',
  discharge: '2402',
  admissionCancel: '2404',
  dischargeCancel: '2405',
  reversal: '2601',
  documentUpload: '9101',
  /** ours: what became of a message, by its msgid */
  queryByMsgid: '9201',
  reconciliation: '3201',
  /** national code; fields ours */
  detailReconciliation: '3202',
  /** ours */
  crossProvinceUpload: '3301',
  /** ours */
  monthlyDeclaration: '3401',
  /** ours: the insurer's audit result of a settlement (R18, 办法 16), deductions per fee line */
  auditResultQuery: '3501',
} as const;

export type Infno = (typeof INFNO)[keyof typeof INFNO];

/**
 * The Chinese name of every transaction, as desks, exports and profiles' documentation name it
 * (national names where the code is national).
 */
export const INFNO_NAMES: Readonly<Record<Infno, string>> = {
  '9001': '签到',
  '1101': '人员信息获取',
  '1161': '二维码解码',
  '1165': '三代卡加密机认证',
  '2201': '门诊挂号',
  '2202': '门诊挂号撤销',
  '2204': '门诊费用明细信息上传',
  '2205': '门诊费用明细信息撤销',
  '2206': '门诊预结算',
  '2207': '门诊结算',
  '2208': '门诊结算撤销',
  '2301': '住院费用明细信息上传',
  '2302': '住院费用明细信息撤销',
  '2303': '住院预结算',
  '2304': '住院结算',
  '2305': '住院结算撤销',
  '2401': '入院办理',
  '2402': '出院办理',
  '2404': '入院办理撤销',
  '2405': '出院办理撤销',
  '2601': '冲正',
  '9101': '文件上传',
  '9201': '按报文ID查询',
  '3201': '对总账',
  '3202': '明细对账',
  '3301': '跨省异地就医数据上传',
  '3401': '月度申报',
  '3501': '审核结果查询',
};

/**
 * Transactions whose signed request and reply are business records (协议 6, 23: kept at least two
 * years after the agreement ends): settlements and their cancellations, 冲正, registrations, fee
 * uploads and their revocations, the cross-province upload and the monthly declaration. The outbox
 * never prunes their bodies (upstream.dispatcher.keepDeliveredBodiesDays applies to the others:
 * queries such as 1101, 9201, 3201, 3202, whose replies are not records and may carry personal data).
 */
export const RECORD_INFNOS: ReadonlySet<Infno> = new Set<Infno>([
  INFNO.outpatientRegistration,
  INFNO.outpatientRegistrationCancel,
  INFNO.outpatientFeeUpload,
  INFNO.outpatientFeeRevoke,
  INFNO.outpatientSettlement,
  INFNO.outpatientSettlementCancel,
  INFNO.inpatientFeeUpload,
  INFNO.inpatientFeeRevoke,
  INFNO.inpatientSettlement,
  INFNO.inpatientSettlementCancel,
  INFNO.admission,
  INFNO.discharge,
  INFNO.admissionCancel,
  INFNO.dischargeCancel,
  INFNO.reversal,
  INFNO.crossProvinceUpload,
  INFNO.monthlyDeclaration,
]);

/** infcode values of the reply. */
export const INFCODE = {
  ok: 0,
  /** The request failed validation or a business rule: final, do not resend. */
  rejected: -1,
  /** The signature did not verify. */
  badSignature: -2,
  /** 9201 only: the insurer never received that msgid, so it is safe to send it again. */
  unknownMsgid: -404,
  /** The insurer is overloaded or in maintenance: retry later. */
  unavailable: -503,
} as const;
