import { chinaToday } from '../../../drivers/protocols/dates';
import {
  checkCardIsPersonsCard,
  checkCardNotLost,
  checkCardReadable,
  checkCardValidity,
  checkCoverage,
  checkCoverageKnown,
  checkIdCardValidity,
  checkIdNumbersAgree,
  checkIdNumberValid,
  checkInsurerRefusal,
  checkNamesAgree,
  checkQr,
  checkStaffConfirmation,
  type CheckResult,
  type Claim,
  type CoverageGap,
  type VisitKind,
} from './checks';
import type { EvidenceSource, InsurerPersonAnswer, SessionEvidence } from './evidence';
import { cardSnKey, nameKey, normalizedIdNumber, normalizeName } from './normalize';

/**
 * The verdict of one session's evidence: are person, card and code the same person (人、卡、码相符),
 * and does the work-injury fund pay for this visit here?
 *
 * ## What counts as enough evidence
 * - a **credential**: a social-security card read in full (authenticated) and within its validity,
 *   or a QR code (电子社保卡 / 宁夏融合码) that was live when the insurer decoded it (the code proves
 *   the patient showed it then; reading the verdict later does not lose it; the session's own
 *   lifetime bounds how long it counts);
 * - a **person**: a resident ID card within its validity, the identity HIS registered for the
 *   patient, or a staff member's visual confirmation (who and when);
 * - **coverage**: the insurer's live 1101 answer; or, only while the insurer is unreachable, a
 *   cached 1101 answer for the same ID number no older than `maxCoverageCacheAgeMs`.
 * Every source that names a person (card, QR answer, ID card, HIS, the insurer's answer) must name
 * the same one: ID numbers equal after normalisation and valid by GB 11643, names equal after
 * normalisation, the presented card the one the insurer has on record and not reported lost.
 *
 * ## Precedence (first that applies)
 * 1. **MISMATCH** — any failed check whose effect is 'mismatch': sources disagree on who this is,
 *    an ID number is invalid, the insurer found 人卡不符 or a wrong name, the card is not the
 *    person's current card, or it is reported lost. It wins over everything: 拒绝记账 (协议 9).
 * 2. **NOT_COVERED** — any failed 'not-covered' check: not insured / unknown to the insurer, no or
 *    pending determination, outpatient here without signing, cross-province without a valid filing.
 *    It wins over missing evidence: the desk can tell the patient at once (self-pay, 自费转工伤 later).
 * 3. **INCOMPLETE** — something in `missing` (credential, person, coverage), e.g. the insurer has
 *    not answered yet, refused for a reason that says nothing about coverage (INSURER_REFUSED), or
 *    is unreachable with no cache young enough (coverage 'pending').
 * 4. **MATCH** — otherwise. Failed 'unusable' checks may remain (an expired card next to a valid
 *    QR code): they are listed for the desk, the other credential carried the verdict.
 *
 * Coverage checks run only on a record that belongs to the established person: while the sources
 * disagree no coverage is evaluated (nothing about either person is shown).
 *
 * ## Time
 * `now` decides every date: card and ID-card validity (by the calendar day in China), QR expiry,
 * filing validity, cache age. An invalid `now` makes every dated credential count as expired, so
 * the verdict can never be MATCH.
 *
 * ## Offline
 * `offline` is true when the insurer could not be reached for the person query (or, before any
 * person query, for the QR decode). The verdict then rests on local evidence; coverage is 'cached'
 * (cache within age) or 'pending' (→ INCOMPLETE with COVERAGE_PENDING). An offline MATCH therefore
 * always has coverage 'cached'. A cache is never used while the insurer is reachable.
 */

export interface EvaluationContext {
  /** This hospital's 定点医药机构编号 (12 characters). */
  readonly hospitalCode: string;
  readonly visitKind: VisitKind;
  readonly now: Date;
  /** How old a cached 1101 answer may be and still stand in for the insurer while offline. */
  readonly maxCoverageCacheAgeMs: number;
}

export type VerdictKind = 'MATCH' | 'MISMATCH' | 'INCOMPLETE' | 'NOT_COVERED';
export type CoverageState = 'confirmed' | 'cached' | 'pending';
export type CredentialSource = 'card' | 'qr';
export type PersonSource = 'idCard' | 'his' | 'staff';

export type MissingCode = 'NEED_CREDENTIAL' | 'NEED_PERSON' | 'NEED_COVERAGE';

export interface MissingItem {
  readonly code: MissingCode;
  /** Chinese, what the desk should do. */
  readonly message: string;
}

const MISSING_MESSAGES: Readonly<Record<MissingCode, string>> = {
  NEED_CREDENTIAL: '还需要有效的就医凭证：请读取社保卡，或扫描电子社保卡/宁夏融合码二维码',
  NEED_PERSON: '还需要核验本人：请读取本人身份证，或以HIS登记身份核对，或由窗口工作人员人工核验并确认',
  NEED_COVERAGE: '还需要经办机构确认参保与工伤认定信息',
};

export interface Subject {
  /** 18 characters, upper-case X. */
  readonly idNumber: string;
  /** Canonical spelling (normalizeName), from the most authoritative source that gave one; null if none did. */
  readonly name: string | null;
}

export interface Verdict {
  readonly verdict: VerdictKind;
  readonly offline: boolean;
  readonly coverage: CoverageState;
  /** Every check performed, identity first, then credentials, person, coverage. */
  readonly checks: readonly CheckResult[];
  /** What is still needed, in the order credential, person, coverage. */
  readonly missing: readonly MissingItem[];
  /** The person all sources agree on; absent while they disagree or none gave an ID number. */
  readonly subject?: Subject;
  /** The credentials that count (usable), in canonical order. */
  readonly credentials: readonly CredentialSource[];
  /** The person evidence that counts, in canonical order. */
  readonly persons: readonly PersonSource[];
  readonly evaluatedAt: Date;
}

/** Sources that name a person, in the order their name is preferred for `subject.name`. */
const NAME_PRIORITY: readonly EvidenceSource[] = ['insurer', 'card', 'qr', 'idCard', 'his'];

function failedWith(checks: readonly CheckResult[], effect: CheckResult['effect']): boolean {
  return checks.some((c) => !c.passed && c.effect === effect);
}

export function evaluate(evidence: SessionEvidence, context: EvaluationContext): Verdict {
  const { now } = context;
  const today = chinaToday(now);

  // ---- identity: every source that names a person names the same one ----
  const identity: CheckResult[] = [];
  const idClaims: Claim[] = [];
  const nameClaims: Claim[] = [];
  const names = new Map<EvidenceSource, string>();
  const claim = (source: EvidenceSource, rawId: string, rawName: string): void => {
    const id = normalizedIdNumber(rawId);
    identity.push(checkIdNumberValid(source, id));
    if (id.valid) {
      idClaims.push({ source, value: id.value });
    }
    const key = nameKey(rawName);
    if (key.length > 0) {
      nameClaims.push({ source, value: key });
      names.set(source, normalizeName(rawName));
    }
  };
  const { card, qr, idCard, his, staff, insurer, coverageCache } = evidence;
  if (card?.read.kind === 'complete') {
    claim('card', card.read.card.ssn, card.read.card.name);
  }
  if (qr?.kind === 'decoded') {
    claim('qr', qr.answer.certno, qr.answer.psn_name);
  }
  if (idCard) {
    claim('idCard', idCard.identity.idNumber, idCard.identity.name);
  }
  if (his) {
    claim('his', his.idNumber, his.name);
  }
  if (insurer?.kind === 'answer') {
    claim('insurer', insurer.answer.baseinfo.certno, insurer.answer.baseinfo.psn_name);
  }
  for (const agree of [checkIdNumbersAgree(idClaims), checkNamesAgree(nameClaims)]) {
    if (agree) {
      identity.push(agree);
    }
  }
  if (insurer?.kind === 'refused') {
    identity.push(checkInsurerRefusal(insurer.reason));
  }
  const identityConsistent = !failedWith(identity, 'mismatch');
  let subject: Subject | undefined;
  if (identityConsistent && idClaims.length > 0) {
    const preferred = NAME_PRIORITY.find((s) => names.has(s));
    subject = { idNumber: idClaims[0].value, name: preferred === undefined ? null : (names.get(preferred) ?? null) };
  }

  // ---- where coverage comes from ----
  const offline = insurer?.kind === 'unreachable' || (insurer === undefined && qr?.kind === 'unreachable');
  let record: { answer: InsurerPersonAnswer; source: 'insurer' | 'coverageCache' } | undefined;
  let coverage: CoverageState = 'pending';
  const coverageSource: CheckResult[] = [];
  if (insurer?.kind === 'answer') {
    if (identityConsistent) {
      record = { answer: insurer.answer, source: 'insurer' };
      coverage = 'confirmed';
      coverageSource.push(checkCoverageKnown({ source: 'insurer' }));
    } else {
      coverageSource.push(checkCoverageKnown({ kind: 'identity-unresolved' }));
    }
  } else if (insurer?.kind === 'refused') {
    // The refusal itself is already a check; an unknown person is a definite answer about coverage.
    coverage = insurer.reason === 'unknown-person' ? 'confirmed' : 'pending';
  } else if (offline) {
    const gap = cacheGap(coverageCache, subject, now, context.maxCoverageCacheAgeMs);
    if (gap.kind === 'usable') {
      record = { answer: gap.answer, source: 'coverageCache' };
      coverage = 'cached';
      coverageSource.push(checkCoverageKnown({ source: 'coverageCache', ageMs: gap.ageMs }));
    } else {
      coverageSource.push(checkCoverageKnown(gap));
    }
  } else {
    coverageSource.push(checkCoverageKnown({ kind: 'not-queried' }));
  }

  // ---- credentials ----
  const credentialChecks: CheckResult[] = [];
  const credentials: CredentialSource[] = [];
  if (card) {
    const readable = checkCardReadable(card.read);
    credentialChecks.push(readable);
    const presentedSn = card.read.card.cardSn;
    const recordCard = record?.answer.card;
    const sameCard = recordCard !== undefined && cardSnKey(presentedSn) === cardSnKey(recordCard.card_sn);
    const dates: { source: 'card' | 'insurer' | 'coverageCache'; validUntil: string }[] = [
      { source: 'card', validUntil: card.read.card.validUntil },
    ];
    if (record && sameCard) {
      dates.push({ source: record.source, validUntil: record.answer.card.valid_until });
    }
    const validity = checkCardValidity(dates, today);
    credentialChecks.push(validity);
    if (record) {
      credentialChecks.push(checkCardIsPersonsCard(presentedSn, record.answer.card.card_sn, record.source));
      if (sameCard) {
        credentialChecks.push(checkCardNotLost(record.answer, record.source));
      }
    }
    if (readable.passed && validity.passed) {
      credentials.push('card');
    }
  }
  if (qr) {
    const qrCheck = checkQr(qr, now);
    credentialChecks.push(qrCheck);
    if (qr.kind === 'decoded' && qrCheck.passed) {
      credentials.push('qr');
    }
  }

  // ---- person ----
  const personChecks: CheckResult[] = [];
  const persons: PersonSource[] = [];
  if (idCard) {
    const validity = checkIdCardValidity(idCard.identity.validTo, today);
    personChecks.push(validity);
    if (validity.passed) {
      persons.push('idCard');
    }
  }
  if (his) {
    persons.push('his');
  }
  if (staff) {
    const confirmation = checkStaffConfirmation(staff, now);
    personChecks.push(confirmation);
    if (confirmation.passed) {
      persons.push('staff');
    }
  }

  // ---- coverage ----
  const coverageChecks = record
    ? checkCoverage(record.answer, record.source, {
        hospitalCode: context.hospitalCode,
        visitKind: context.visitKind,
        today,
      })
    : [];

  const checks = [...identity, ...credentialChecks, ...personChecks, ...coverageSource, ...coverageChecks];
  const missing: MissingItem[] = [];
  const need = (code: MissingCode): void => {
    missing.push({ code, message: MISSING_MESSAGES[code] });
  };
  if (credentials.length === 0) {
    need('NEED_CREDENTIAL');
  }
  if (persons.length === 0) {
    need('NEED_PERSON');
  }
  if (coverage === 'pending') {
    need('NEED_COVERAGE');
  }

  return {
    verdict: decideVerdict(checks, missing),
    offline,
    coverage,
    checks,
    missing,
    ...(subject ? { subject } : {}),
    credentials,
    persons,
    evaluatedAt: new Date(now.getTime()),
  };
}

/**
 * The precedence (see the top of this file): MISMATCH, then NOT_COVERED, then INCOMPLETE (anything
 * missing, or a failed 'incomplete' check), else MATCH. Failed 'unusable' checks alone decide nothing.
 */
export function decideVerdict(checks: readonly CheckResult[], missing: readonly MissingItem[]): VerdictKind {
  if (failedWith(checks, 'mismatch')) {
    return 'MISMATCH';
  }
  if (failedWith(checks, 'not-covered')) {
    return 'NOT_COVERED';
  }
  if (missing.length > 0 || failedWith(checks, 'incomplete')) {
    return 'INCOMPLETE';
  }
  return 'MATCH';
}

type CacheState =
  { readonly kind: 'usable'; readonly ageMs: number; readonly answer: InsurerPersonAnswer } | CoverageGap;

/** Whether the cached 1101 answer may stand in for the insurer: same person, dated, young enough. */
function cacheGap(
  cache: SessionEvidence['coverageCache'],
  subject: Subject | undefined,
  now: Date,
  maxAgeMs: number,
): CacheState {
  if (cache === undefined) {
    return { kind: 'offline-no-cache' };
  }
  if (subject === undefined) {
    return { kind: 'offline-identity-unknown' };
  }
  const cached = normalizedIdNumber(cache.answer.baseinfo.certno);
  if (!cached.valid || cached.value !== subject.idNumber) {
    return { kind: 'offline-cache-other-person' };
  }
  const fetched = cache.fetchedAt instanceof Date ? cache.fetchedAt.getTime() : Number.NaN;
  const ageMs = now.getTime() - fetched;
  if (!Number.isFinite(ageMs) || ageMs < 0) {
    return { kind: 'offline-cache-undated' };
  }
  // Written so that a NaN or negative maximum refuses every cache.
  if (!(ageMs <= maxAgeMs)) {
    return { kind: 'offline-cache-stale', ageMs };
  }
  return { kind: 'usable', ageMs, answer: cache.answer };
}
