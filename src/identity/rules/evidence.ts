import type { IdCardIdentity } from '../../../drivers/protocols/id-card-text';
import type { SsseCardRead } from '../../../drivers/protocols/ssse-card-types';

/**
 * The evidence of one verification session (one desk, one visit): what the devices read, what the
 * insurer answered, what staff confirmed. Pure data: the identity service fills it in as evidence
 * arrives (`addEvidence`) and hands it to `evaluate` after each addition.
 *
 * Insurer answers are kept in the protocol's own vocabulary (docs/upstream-protocol.md, 1101 and
 * 1161 outputs, snake_case) so the service can store what the insurer said without translating it.
 * They are declared here rather than imported from src/sandbox: the sandbox is one implementation of
 * the insurer, never a dependency of production rules.
 */

/** Where a piece of evidence came from. The order is the order checks and messages list them in. */
export const EVIDENCE_SOURCES = ['card', 'qr', 'idCard', 'his', 'staff', 'insurer', 'coverageCache'] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

/** How messages for desk staff name each source. Never the data itself. */
export const EVIDENCE_LABELS: Readonly<Record<EvidenceSource, string>> = {
  card: '社保卡',
  qr: '二维码',
  idCard: '身份证',
  his: 'HIS登记信息',
  staff: '人工核验',
  insurer: '经办机构信息',
  coverageCache: '参保信息缓存',
};

// ---- the insurer's answers (protocol vocabulary) -------------------------------------------------

/** `baseinfo` of 1101, also the person part of 1161. */
export interface InsurerBaseInfo {
  readonly psn_no: string;
  readonly psn_name: string;
  readonly gend: string;
  readonly brdy: string;
  readonly certno: string;
  readonly psn_cert_type: string;
  readonly naty: string;
}

export interface InsurerCardInfo {
  /** 卡识别码, 32 hex. */
  readonly card_sn: string;
  readonly card_no: string;
  readonly card_version: string;
  /** Reported, not judged: the gateway refuses a lost card (协议 9). */
  readonly card_status: 'normal' | 'lost';
  readonly issue_date: string;
  /** 'YYYY-MM-DD'. */
  readonly valid_until: string;
}

export interface InsurerInsuranceInfo {
  /** Takes part in work-injury insurance. */
  readonly insured: boolean;
  readonly insuplc_admdvs: string;
  readonly emp_name: string | null;
  readonly psn_type: string | null;
}

export interface InsurerInjuryInfo {
  /** 工伤认定: made, applied for and not yet decided, or none. */
  readonly status: 'determined' | 'pending' | 'none';
  readonly determination_no: string | null;
  readonly determination_date: string | null;
  readonly injury_date: string | null;
  readonly injured_parts: readonly string[];
  readonly occupational_disease: string | null;
  readonly disability_grade: number | null;
}

export interface InsurerSignedInstitution {
  readonly fixmedins_code: string;
  readonly fixmedins_name: string;
  readonly sign_date: string;
}

export interface InsurerFiling {
  readonly filing_no: string;
  /** 'YYYY-MM-DD', inclusive. */
  readonly valid_from: string;
  /** 'YYYY-MM-DD', inclusive. */
  readonly valid_to: string;
}

export interface InsurerCrossProvince {
  readonly insuplc_admdvs: string;
  /** 备案, or null when the worker has not filed. */
  readonly filing: InsurerFiling | null;
}

/** The 1101 output: person, card, insurance, injury determination, signing, cross-province filing. */
export interface InsurerPersonAnswer {
  readonly baseinfo: InsurerBaseInfo;
  readonly card: InsurerCardInfo;
  readonly insuinfo: InsurerInsuranceInfo;
  readonly injury: InsurerInjuryInfo;
  /** Outpatient signing (办法 18): at most three institutions. */
  readonly signed_institutions: readonly InsurerSignedInstitution[];
  /** null for a worker insured in Ningxia. */
  readonly cross_province: InsurerCrossProvince | null;
}

/** The 1161 output. */
export interface QrDecodeAnswer extends InsurerBaseInfo {
  readonly qr_kind: 'ecard' | 'fusion';
  /** 'yyyy-MM-dd HH:mm:ss', Beijing time. */
  readonly expire_time: string;
}

// ---- one entry per source --------------------------------------------------------------------

/** The social-security card as the reader returned it (complete, or public fields only). */
export interface CardEvidence {
  readonly read: SsseCardRead;
  readonly at: Date;
}

/**
 * The QR code (电子社保卡 / 宁夏融合码): decoded by the insurer (1161), refused by it, or not decoded
 * because the insurer could not be reached. A QR is never parsed locally.
 */
export type QrEvidence =
  | { readonly kind: 'decoded'; readonly answer: QrDecodeAnswer; readonly at: Date }
  /** 1161 refused: "二维码已过期" → 'expired'; unknown token or kind mismatch → 'invalid'. */
  | { readonly kind: 'refused'; readonly reason: 'expired' | 'invalid'; readonly at: Date }
  | { readonly kind: 'unreachable'; readonly at: Date };

/** The resident ID card read at the desk. */
export interface IdCardEvidence {
  readonly identity: IdCardIdentity;
  readonly at: Date;
}

/** The identity HIS registered for the patient (as HIS sent it). */
export interface HisIdentityEvidence {
  readonly idNumber: string;
  readonly name: string;
  readonly at: Date;
}

/** A staff member looked at the person and confirmed they are the credential's holder. */
export interface StaffConfirmation {
  readonly staffId: string;
  readonly staffName: string;
  readonly at: Date;
}

/**
 * Why 1101 refused, as the service classified the insurer's `err_msg`:
 * - 'unknown-person': no such ID number or card (未查询到…);
 * - 'person-card-mismatch': ID number and card belong to different people (人卡不符);
 * - 'name-mismatch': the name given does not match the person (姓名与证件信息不符);
 * - 'other': any other refusal (malformed input and the like).
 */
export type InsurerRefusalReason = 'unknown-person' | 'person-card-mismatch' | 'name-mismatch' | 'other';

/** The insurer's person and eligibility answer (1101), its refusal, or "could not be reached". */
export type InsurerEvidence =
  | { readonly kind: 'answer'; readonly answer: InsurerPersonAnswer; readonly at: Date }
  | { readonly kind: 'refused'; readonly reason: InsurerRefusalReason; readonly at: Date }
  | { readonly kind: 'unreachable'; readonly at: Date };

/** A 1101 answer kept from an earlier visit, for use while the insurer is unreachable. */
export interface CachedCoverage {
  readonly answer: InsurerPersonAnswer;
  /** When the insurer gave it: its age is `now − fetchedAt`. */
  readonly fetchedAt: Date;
}

export interface EvidenceBySource {
  readonly card: CardEvidence;
  readonly qr: QrEvidence;
  readonly idCard: IdCardEvidence;
  readonly his: HisIdentityEvidence;
  readonly staff: StaffConfirmation;
  readonly insurer: InsurerEvidence;
  readonly coverageCache: CachedCoverage;
}

/** Everything known so far in one session; any source may still be missing. */
export type SessionEvidence = Partial<EvidenceBySource>;

export function emptyEvidence(): SessionEvidence {
  return {};
}

/**
 * Adds one piece of evidence as it arrives, returning a new object (the input is not changed).
 * A later piece from the same source replaces the earlier one: a second card read, a rescanned QR
 * code, a fresh insurer answer.
 */
export function addEvidence<K extends EvidenceSource>(
  evidence: SessionEvidence,
  source: K,
  value: EvidenceBySource[K],
): SessionEvidence {
  return { ...evidence, [source]: value };
}

/** Withdraws one source (e.g. an expired card put away so the QR code alone is the credential). */
export function withoutEvidence(evidence: SessionEvidence, source: EvidenceSource): SessionEvidence {
  const copy: Partial<Record<EvidenceSource, unknown>> = { ...evidence };
  delete copy[source];
  return copy as SessionEvidence;
}

/** The sources present, in the canonical order. */
export function presentSources(evidence: SessionEvidence): EvidenceSource[] {
  return EVIDENCE_SOURCES.filter((s) => evidence[s] !== undefined);
}
