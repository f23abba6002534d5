import { isoToCompact, isValidDate } from '../../../drivers/protocols/dates';
import { EVIDENCE_LABELS, EVIDENCE_SOURCES, type EvidenceSource } from './evidence';

/**
 * What every check answers (see checks.ts): its code and effect, and the helpers the check
 * families (identity-checks, credential-checks, coverage-checks) build their results with.
 */

export type CheckEffect = 'mismatch' | 'not-covered' | 'unusable' | 'incomplete';

export const CHECK_EFFECTS = {
  // identity: do all sources name the same person?
  ID_NUMBER_INVALID: 'mismatch',
  ID_NUMBER_MISMATCH: 'mismatch',
  NAME_MISMATCH: 'mismatch',
  CARD_SN_MISMATCH: 'mismatch',
  INSURER_PERSON_CARD_MISMATCH: 'mismatch',
  INSURER_NAME_MISMATCH: 'mismatch',
  // credentials: card and QR code
  CARD_LOST: 'mismatch',
  CARD_AUTH_REQUIRED: 'unusable',
  CARD_EXPIRED: 'unusable',
  QR_EXPIRED: 'unusable',
  QR_INVALID: 'unusable',
  QR_DECODE_OFFLINE: 'unusable',
  // person evidence
  ID_CARD_EXPIRED: 'unusable',
  STAFF_CONFIRMATION_INVALID: 'unusable',
  // coverage
  INSURER_PERSON_UNKNOWN: 'not-covered',
  NOT_INSURED: 'not-covered',
  NO_DETERMINATION: 'not-covered',
  DETERMINATION_PENDING: 'not-covered',
  NOT_SIGNED_HERE: 'not-covered',
  CROSS_PROVINCE_NO_FILING: 'not-covered',
  CROSS_PROVINCE_FILING_NOT_VALID: 'not-covered',
  COVERAGE_NOT_QUERIED: 'incomplete',
  COVERAGE_PENDING: 'incomplete',
  INSURER_REFUSED: 'incomplete',
} as const satisfies Record<string, CheckEffect>;

export type CheckCode = keyof typeof CHECK_EFFECTS;
export const CHECK_CODES = Object.keys(CHECK_EFFECTS) as CheckCode[];

export interface CheckResult {
  readonly code: CheckCode;
  readonly passed: boolean;
  /** Chinese, for desk staff; names sources, never a name or an ID number. */
  readonly message: string;
  /** The sources the check looked at, in canonical order. */
  readonly evidence: readonly EvidenceSource[];
  /** What a failure of this check does to the verdict (the same for every result of one code). */
  readonly effect: CheckEffect;
}

/** A check result: the sources in canonical order, the effect of its code. */
export function result(
  code: CheckCode,
  passed: boolean,
  evidence: readonly EvidenceSource[],
  message: string,
): CheckResult {
  return { code, passed, message, evidence: inCanonicalOrder(evidence), effect: CHECK_EFFECTS[code] };
}

function inCanonicalOrder(sources: readonly EvidenceSource[]): EvidenceSource[] {
  return EVIDENCE_SOURCES.filter((s) => sources.includes(s));
}

/** The Chinese labels of sources, in canonical order, joined with 、. */
export function labels(sources: readonly EvidenceSource[]): string {
  return inCanonicalOrder(sources)
    .map((s) => EVIDENCE_LABELS[s])
    .join('、');
}

/** 'YYYY-MM-DD' that names a real day. */
export function isIsoDate(s: unknown): s is string {
  return typeof s === 'string' && isoToCompact(s) !== undefined;
}

/**
 * 'yyyy-MM-dd HH:mm:ss' in Beijing time (UTC+8, no daylight saving), as the insurer writes
 * date-times, to an instant; undefined when it is not a real date-time.
 */
export function parseBeijingDateTime(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) {
    return undefined;
  }
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number);
  if (!isValidDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) {
    return undefined;
  }
  return new Date(Date.UTC(y, mo - 1, d, h - 8, mi, sec));
}
