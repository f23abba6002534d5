/**
 * The four medical documents of an inpatient settlement (R12, 协议 23; rehab agreement 15, 19), by
 * their 9101 `doc_type` (docs/upstream-protocol.md). HIS sends the first two for the visit; the
 * gateway renders the fee list and takes the settlement statement it already keeps.
 */
export const DOC_TYPES = ['03', '04', '05', '06'] as const;
export type DocType = (typeof DOC_TYPES)[number];

/** The Chinese name, as staff and the insurer call it. */
export const DOC_NAMES: Readonly<Record<DocType, string>> = {
  '03': '病案首页',
  '04': '出院小结',
  '05': '费用明细清单',
  '06': '费用结算单',
};

/** The documents HIS sends for the visit (the path names of the HIS API). */
export const HIS_DOCUMENTS: Readonly<Record<string, DocType>> = {
  'medical-record': '03',
  'discharge-summary': '04',
};

/** Whose the document is: HIS's for the visit (03, 04) or the gateway's for one settlement (05, 06). */
export function isVisitDocument(docType: DocType): boolean {
  return docType === '03' || docType === '04';
}

export function isDocType(value: string): value is DocType {
  return (DOC_TYPES as readonly string[]).includes(value);
}
