import { isoToCompact, isValidDate } from '../../../drivers/protocols/dates';
import { LONG_TERM } from '../../../drivers/protocols/id-card-text';
import type { SsseCardRead } from '../../../drivers/protocols/ssse-card-types';
import {
  EVIDENCE_LABELS,
  EVIDENCE_SOURCES,
  type EvidenceSource,
  type InsurerPersonAnswer,
  type InsurerRefusalReason,
  type QrEvidence,
  type StaffConfirmation,
} from './evidence';
import type { NormalizedIdNumber } from './normalize';

/**
 * The named checks of person–card–code verification (人、卡、码相符) and coverage. Each check has a
 * stable English code (branch on it), a `passed` flag, a Chinese message for desk staff and the
 * sources it looked at.
 *
 * Messages never contain a name or an ID number: when two sources disagree, the message says
 * which sources (社保卡 / 二维码 / 身份证 / HIS登记信息 / 经办机构信息), never what either of them says,
 * so the screen cannot show one person's data to someone presenting another person's card.
 *
 * What a failure does to the verdict is the code's `effect` (see verdict.ts for the precedence):
 * - 'mismatch': the evidence disagrees about who this is, or a credential must be refused
 *   (协议 9: 人、卡不符时拒绝记账) → MISMATCH;
 * - 'not-covered': the person is established but the fund does not pay here → NOT_COVERED;
 * - 'unusable': this piece of evidence cannot serve (expired card, unauthenticated card, expired QR
 *   …); it only matters when no other credential or person evidence is left → INCOMPLETE;
 * - 'incomplete': coverage is not known yet → INCOMPLETE.
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

function result(code: CheckCode, passed: boolean, evidence: readonly EvidenceSource[], message: string): CheckResult {
  return { code, passed, message, evidence: inCanonicalOrder(evidence), effect: CHECK_EFFECTS[code] };
}

function inCanonicalOrder(sources: readonly EvidenceSource[]): EvidenceSource[] {
  return EVIDENCE_SOURCES.filter((s) => sources.includes(s));
}

function labels(sources: readonly EvidenceSource[]): string {
  return inCanonicalOrder(sources)
    .map((s) => EVIDENCE_LABELS[s])
    .join('、');
}

/** 'YYYY-MM-DD' that names a real day. */
function isIsoDate(s: unknown): s is string {
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

// ---- identity ------------------------------------------------------------------------------------

const ID_INVALID_REASONS: Readonly<Record<Exclude<NormalizedIdNumber, { valid: true }>['reason'], string>> = {
  malformed: '位数或字符不对',
  'birth-date': '出生日期不存在',
  'check-char': '校验位错误',
};

/** ID_NUMBER_INVALID: one source's ID number passes GB 11643 (after normalisation). */
export function checkIdNumberValid(source: EvidenceSource, id: NormalizedIdNumber): CheckResult {
  const label = EVIDENCE_LABELS[source];
  return id.valid
    ? result('ID_NUMBER_INVALID', true, [source], `${label}的身份证号码符合国家标准`)
    : result(
        'ID_NUMBER_INVALID',
        false,
        [source],
        `${label}的身份证号码不符合国家标准（${ID_INVALID_REASONS[id.reason]}）：不得记账，请重新读取或核对登记信息`,
      );
}

export interface Claim {
  readonly source: EvidenceSource;
  /** The normalised value compared (ID number, or name key); never shown. */
  readonly value: string;
}

/** Sources grouped by the value they claim; the group holding the first source (canonical order) first. */
function groupClaims(claims: readonly Claim[]): EvidenceSource[][] {
  const ordered = [...claims].sort((a, b) => EVIDENCE_SOURCES.indexOf(a.source) - EVIDENCE_SOURCES.indexOf(b.source));
  const groups = new Map<string, EvidenceSource[]>();
  for (const c of ordered) {
    const g = groups.get(c.value);
    if (g) {
      g.push(c.source);
    } else {
      groups.set(c.value, [c.source]);
    }
  }
  return [...groups.values()];
}

function agreement(code: 'ID_NUMBER_MISMATCH' | 'NAME_MISMATCH', what: string, claims: readonly Claim[]): CheckResult | undefined {
  if (claims.length < 2) {
    return undefined;
  }
  const groups = groupClaims(claims);
  const all = claims.map((c) => c.source);
  if (groups.length === 1) {
    return result(code, true, all, `${labels(all)}的${what}一致`);
  }
  const parts = groups.map((g) => labels(g)).join(' 与 ');
  return result(code, false, all, `${parts}的${what}不一致：人、卡、码不符，拒绝记账，请核实就诊人身份`);
}

/** ID_NUMBER_MISMATCH: every source that gives a (valid) ID number gives the same one. Needs two. */
export function checkIdNumbersAgree(claims: readonly Claim[]): CheckResult | undefined {
  return agreement('ID_NUMBER_MISMATCH', '身份证号码', claims);
}

/** NAME_MISMATCH: every source that gives a name gives the same one (compared by `nameKey`). Needs two. */
export function checkNamesAgree(claims: readonly Claim[]): CheckResult | undefined {
  return agreement('NAME_MISMATCH', '姓名', claims);
}

/** Card serial numbers as comparable text. */
function cardSnKey(sn: string): string {
  return sn.trim().toUpperCase();
}

/**
 * CARD_SN_MISMATCH: the card presented is the card the insurer has on record for this person. A
 * replaced card, or somebody else's card with the right person's QR or ID card, fails here.
 */
export function checkCardIsPersonsCard(
  presentedCardSn: string,
  recordCardSn: string,
  recordSource: 'insurer' | 'coverageCache',
): CheckResult {
  const same = cardSnKey(presentedCardSn).length > 0 && cardSnKey(presentedCardSn) === cardSnKey(recordCardSn);
  return same
    ? result('CARD_SN_MISMATCH', true, ['card', recordSource], `社保卡与${EVIDENCE_LABELS[recordSource]}登记的卡一致`)
    : result(
        'CARD_SN_MISMATCH',
        false,
        ['card', recordSource],
        `所持社保卡不是${EVIDENCE_LABELS[recordSource]}登记的该人员当前社保卡（卡识别码不符）：拒绝记账，请核实持卡人身份`,
      );
}

/**
 * The insurer's 1101 refusal, as a check: a person/card or name mismatch found by the insurer is a
 * MISMATCH, an unknown person is NOT_COVERED, anything else leaves coverage unknown.
 */
export function checkInsurerRefusal(reason: InsurerRefusalReason): CheckResult {
  switch (reason) {
    case 'person-card-mismatch':
      return result(
        'INSURER_PERSON_CARD_MISMATCH',
        false,
        ['insurer'],
        '经办机构核验：身份证号码与社保卡不属于同一人（人卡不符）：拒绝记账，请核实就诊人身份',
      );
    case 'name-mismatch':
      return result('INSURER_NAME_MISMATCH', false, ['insurer'], '经办机构核验：姓名与证件信息不符：拒绝记账，请核实就诊人身份');
    case 'unknown-person':
      return result('INSURER_PERSON_UNKNOWN', false, ['insurer'], '经办机构未查询到该人员或该卡的工伤保险信息：不能工伤记账');
    case 'other':
      return result('INSURER_REFUSED', false, ['insurer'], '经办机构拒绝了参保信息查询：请核对证件信息后重新查询，参保状态待确认');
  }
}

// ---- credentials: the card -----------------------------------------------------------------------

/** CARD_AUTH_REQUIRED: the card gave its protected fields (name, 社会保障号码), i.e. it was authenticated. */
export function checkCardReadable(read: SsseCardRead): CheckResult {
  return read.kind === 'complete'
    ? result('CARD_AUTH_REQUIRED', true, ['card'], '社保卡已读取并通过认证')
    : result(
        'CARD_AUTH_REQUIRED',
        false,
        ['card'],
        '社保卡未通过认证，读不到姓名和社会保障号码（三代卡须经读卡器PSAM或经办机构加密机认证）：请重新读卡，或扫描电子社保卡/宁夏融合码二维码',
      );
}

/**
 * CARD_EXPIRED: the card's 卡有效期 (and the insurer's `valid_until` for the same card, when known)
 * is today or later. A date that cannot be read counts as expired.
 */
export function checkCardValidity(
  dates: readonly { readonly source: 'card' | 'insurer' | 'coverageCache'; readonly validUntil: string }[],
  today: string,
): CheckResult {
  const sources = dates.map((d) => d.source);
  // Without a valid calendar day (an invalid clock) nothing can be shown to be within validity.
  const unreadable = !isIsoDate(today) || dates.some((d) => !isIsoDate(d.validUntil));
  if (unreadable) {
    return result('CARD_EXPIRED', false, sources, '社保卡有效期无法识别，按已过期处理：请出示电子社保卡或宁夏融合码二维码');
  }
  const expired = dates.some((d) => d.validUntil < today);
  return expired
    ? result('CARD_EXPIRED', false, sources, '社保卡已超过有效期，不能作为就医凭证：请出示电子社保卡或宁夏融合码二维码')
    : result('CARD_EXPIRED', true, sources, '社保卡在有效期内');
}

/** CARD_LOST: the insurer has not recorded the presented card as lost (挂失). */
export function checkCardNotLost(record: InsurerPersonAnswer, recordSource: 'insurer' | 'coverageCache'): CheckResult {
  return record.card.card_status === 'normal'
    ? result('CARD_LOST', true, ['card', recordSource], '社保卡状态正常（未挂失）')
    : result('CARD_LOST', false, ['card', recordSource], '该社保卡已挂失：拒绝记账，请核实持卡人身份');
}

// ---- credentials: the QR code --------------------------------------------------------------------

/**
 * The QR code as a credential. Decoded: QR_EXPIRED (its `expire_time` was still ahead when the
 * insurer decoded it: the code proves the patient showed it then, and a verdict read later does
 * not lose it; an unreadable time, or an invalid clock, counts as expired). Refused: QR_EXPIRED or
 * QR_INVALID. Not decoded because the insurer was unreachable: QR_DECODE_OFFLINE.
 */
export function checkQr(qr: QrEvidence, now: Date): CheckResult {
  switch (qr.kind) {
    case 'decoded': {
      const expires = parseBeijingDateTime(qr.answer.expire_time);
      return expires !== undefined && Number.isFinite(now.getTime()) && qr.at.getTime() < expires.getTime()
        ? result('QR_EXPIRED', true, ['qr'], '二维码在有效期内')
        : result('QR_EXPIRED', false, ['qr'], '二维码已过期：请患者刷新电子社保卡/宁夏融合码后重新出示');
    }
    case 'refused':
      return qr.reason === 'expired'
        ? result('QR_EXPIRED', false, ['qr'], '二维码已过期：请患者刷新电子社保卡/宁夏融合码后重新出示')
        : result('QR_INVALID', false, ['qr'], '二维码无效（非本平台签发、已被篡改或类型不符）：请患者重新出示电子社保卡或宁夏融合码');
    case 'unreachable':
      return result(
        'QR_DECODE_OFFLINE',
        false,
        ['qr'],
        '经办机构系统暂时无法连接，二维码无法解码：请改用实体社保卡，或待网络恢复后重新扫码',
      );
  }
}

// ---- person evidence -----------------------------------------------------------------------------

/** ID_CARD_EXPIRED: the resident ID card is within its validity (有效期限 end is today or later, or 长期). */
export function checkIdCardValidity(validTo: string, today: string): CheckResult {
  const valid = validTo === LONG_TERM || (isIsoDate(validTo) && validTo >= today);
  return valid
    ? result('ID_CARD_EXPIRED', true, ['idCard'], '身份证在有效期内')
    : result('ID_CARD_EXPIRED', false, ['idCard'], '身份证已超过有效期（或有效期无法识别），不能用于核验本人：请改用其他方式核验');
}

/**
 * STAFF_CONFIRMATION_INVALID: a visual confirmation counts only when it says who confirmed (staff
 * id and name) and when, and that moment is not later than now.
 */
export function checkStaffConfirmation(staff: StaffConfirmation, now: Date): CheckResult {
  const at = staff.at instanceof Date ? staff.at.getTime() : Number.NaN;
  const valid =
    staff.staffId.trim().length > 0 && staff.staffName.trim().length > 0 && Number.isFinite(at) && at <= now.getTime();
  return valid
    ? result('STAFF_CONFIRMATION_INVALID', true, ['staff'], '窗口工作人员已人工核验本人')
    : result(
        'STAFF_CONFIRMATION_INVALID',
        false,
        ['staff'],
        '人工核验记录不完整（缺少核验人或核验时间，或时间晚于当前）：请由窗口工作人员重新确认',
      );
}

// ---- coverage --------------------------------------------------------------------------------------

export type VisitKind = 'outpatient' | 'inpatient';

/** Institution codes as comparable text. */
function institutionKey(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * The coverage checks on one 1101 record (live or cached): insured; determination made (none /
 * pending are separate codes); for a cross-province worker a filing valid today (they are not bound
 * to signed institutions, 协议 31–33); for a local worker's outpatient visit this hospital among the
 * signed institutions (办法 18; admission is not restricted).
 */
export function checkCoverage(
  record: InsurerPersonAnswer,
  source: 'insurer' | 'coverageCache',
  context: { readonly hospitalCode: string; readonly visitKind: VisitKind; readonly today: string },
): CheckResult[] {
  const out: CheckResult[] = [];
  out.push(
    record.insuinfo.insured
      ? result('NOT_INSURED', true, [source], '已参加工伤保险')
      : result('NOT_INSURED', false, [source], '该人员未参加工伤保险：不能工伤记账'),
  );
  const status = record.injury.status;
  out.push(
    status === 'none' || (status !== 'determined' && status !== 'pending')
      ? result('NO_DETERMINATION', false, [source], '该人员无工伤认定记录：不能工伤记账')
      : result('NO_DETERMINATION', true, [source], '有工伤认定记录'),
  );
  out.push(
    status === 'pending'
      ? result('DETERMINATION_PENDING', false, [source], '工伤认定尚未作出：暂按自费就医，认定后可办理自费转工伤')
      : result('DETERMINATION_PENDING', true, [source], '工伤认定不处于待认定状态'),
  );
  const cross = record.cross_province;
  if (cross !== null) {
    const filing = cross.filing;
    out.push(
      filing === null
        ? result('CROSS_PROVINCE_NO_FILING', false, [source], '跨省异地就医未备案：不能直接结算，请先办理异地就医备案')
        : result('CROSS_PROVINCE_NO_FILING', true, [source], '已办理跨省异地就医备案'),
    );
    if (filing !== null) {
      const inForce =
        isIsoDate(context.today) &&
        isIsoDate(filing.valid_from) &&
        isIsoDate(filing.valid_to) &&
        filing.valid_from <= context.today &&
        context.today <= filing.valid_to;
      out.push(
        inForce
          ? result('CROSS_PROVINCE_FILING_NOT_VALID', true, [source], '跨省异地就医备案在有效期内')
          : result('CROSS_PROVINCE_FILING_NOT_VALID', false, [source], '今天不在跨省异地就医备案有效期内：不能直接结算，请办理备案变更或续期'),
      );
    }
  } else if (context.visitKind === 'outpatient') {
    const here = institutionKey(context.hospitalCode);
    const signed = record.signed_institutions.some((s) => institutionKey(s.fixmedins_code) === here);
    out.push(
      signed
        ? result('NOT_SIGNED_HERE', true, [source], '本院是该职工的工伤门诊签约医疗机构')
        : result(
            'NOT_SIGNED_HERE',
            false,
            [source],
            '本院不是该职工的工伤门诊签约医疗机构（每人最多签约3家，办法第十八条）：不能门诊记账；住院不受此限',
          ),
    );
  }
  return out;
}

/** Why coverage is not known, when it is not. */
export type CoverageGap =
  | { readonly kind: 'not-queried' }
  | { readonly kind: 'offline-no-cache' }
  | { readonly kind: 'offline-cache-stale'; readonly ageMs: number }
  /** The cache's time is missing or later than now: its age cannot be trusted. */
  | { readonly kind: 'offline-cache-undated' }
  | { readonly kind: 'offline-cache-other-person' }
  | { readonly kind: 'offline-identity-unknown' }
  | { readonly kind: 'identity-unresolved' };

/**
 * COVERAGE_NOT_QUERIED / COVERAGE_PENDING: where coverage comes from. Passed with the source when it
 * is known (live answer, or a cache within its permitted age while offline); failed with the reason.
 */
export function checkCoverageKnown(
  known: { readonly source: 'insurer' } | { readonly source: 'coverageCache'; readonly ageMs: number } | CoverageGap,
): CheckResult {
  if ('source' in known) {
    if (known.source === 'insurer') {
      return result('COVERAGE_PENDING', true, ['insurer'], '参保与工伤认定信息已由经办机构实时确认');
    }
    return result(
      'COVERAGE_PENDING',
      true,
      ['coverageCache'],
      `经办机构系统暂时无法连接（离线）：参保与工伤认定信息来自${minutes(known.ageMs)}前的缓存`,
    );
  }
  switch (known.kind) {
    case 'not-queried':
      return result('COVERAGE_NOT_QUERIED', false, ['insurer'], '尚未向经办机构查询参保与工伤认定信息：请稍候或重新查询');
    case 'offline-no-cache':
      return result('COVERAGE_PENDING', false, ['insurer'], '经办机构系统暂时无法连接，且没有该人员的参保信息缓存：参保状态待确认');
    case 'offline-cache-stale':
      return result(
        'COVERAGE_PENDING',
        false,
        ['insurer', 'coverageCache'],
        `经办机构系统暂时无法连接，参保信息缓存（${minutes(known.ageMs)}前）已超过允许使用的时限：参保状态待确认`,
      );
    case 'offline-cache-undated':
      return result(
        'COVERAGE_PENDING',
        false,
        ['insurer', 'coverageCache'],
        '经办机构系统暂时无法连接，参保信息缓存的时间无效（缺失或晚于当前时间）：参保状态待确认',
      );
    case 'offline-cache-other-person':
      return result('COVERAGE_PENDING', false, ['insurer', 'coverageCache'], '经办机构系统暂时无法连接，参保信息缓存不属于本次核验的人员：参保状态待确认');
    case 'offline-identity-unknown':
      return result('COVERAGE_PENDING', false, ['insurer'], '经办机构系统暂时无法连接，且本人身份尚未确定，无法使用参保信息缓存：参保状态待确认');
    case 'identity-unresolved':
      return result('COVERAGE_PENDING', false, ['insurer'], '身份信息不一致，未采用参保信息：参保状态待确认');
  }
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) {
    return '不到1分钟';
  }
  if (m < 120) {
    return `${m}分钟`;
  }
  return `${Math.floor(m / 60)}小时`;
}
