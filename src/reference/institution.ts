/**
 * Agreement institutions (协议机构) as listed in Annexes 4–6 of the 2026
 * agreement templates: medical institutions, rehabilitation institutions and
 * assistive-device institutions.
 */

export type InstitutionKind = 'medical' | 'rehab' | 'assistive-device';

/** Output order of the kinds; also the order of the annexes in the source. */
export const INSTITUTION_KINDS: readonly InstitutionKind[] = ['medical', 'rehab', 'assistive-device'];

/** The annex of the policy text that lists each kind (附件4, 附件5, 附件6). */
export const ANNEX_NUMBER_BY_KIND: Readonly<Record<InstitutionKind, number>> = {
  medical: 4,
  rehab: 5,
  'assistive-device': 6,
};

export interface Institution {
  kind: InstitutionKind;
  /** 序号 within its annex. */
  seq: number;
  /** 地市名称, e.g. 宁夏银川市. */
  city: string;
  /** 行政区划代码, 6 digits. */
  regionCode: string;
  /** 协议机构名称. */
  name: string;
  /** 医疗等级 / 等级; null when the annex has no such column or the cell is empty. */
  grade: string | null;
  /** 统一社会信用代码 as printed (trimmed, inner spaces removed); may fail GB 32100. */
  creditCode: string;
  /** 地址. */
  address: string | null;
  /** 联系电话, one entry per number. */
  phones: string[];
  /** 医院属性 (公立/私立…). */
  ownership: string | null;
  /** 属地经办机构 / 签约经办机构. */
  insurerOffice: string | null;
  /** 经办机构联系电话. */
  insurerOfficePhones: string[];
}

export type ImportWarningCode =
  | 'CREDIT_CODE_CHECKSUM'
  | 'CREDIT_CODE_MALFORMED'
  | 'MISSING_FIELD'
  | 'REGION_CODE_MALFORMED'
  | 'UNPARSED_LINE'
  | 'SEQUENCE'
  | 'ANNEX_MISSING'
  | 'ANNEX_EMPTY'
  | 'HEADER_UNRECOGNISED'
  | 'VERSION_MISSING'
  | 'VERSION_MISMATCH';

export interface ImportWarning {
  kind: InstitutionKind;
  seq: number | null;
  name: string | null;
  code: ImportWarningCode;
  message: string;
  /** 1-based line in the source text the warning is about, when known. */
  line?: number;
}

export interface InstitutionDataset {
  /** From the annex titles, e.g. （2026年3月） → 2026-03. */
  version: string;
  source: { file: string; sha256: string };
  counts: Record<InstitutionKind, number>;
  institutions: Institution[];
}
