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
  outpatientSettlement: '2207',
  inpatientSettlement: '2304',
  reversal: '2601',
  documentUpload: '9101',
  /** ours: what became of a message, by its msgid */
  queryByMsgid: '9201',
  reconciliation: '3201',
  /** ours */
  crossProvinceUpload: '3301',
  /** ours */
  monthlyDeclaration: '3401',
} as const;

export type Infno = (typeof INFNO)[keyof typeof INFNO];

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
