import { EVIDENCE_LABELS, EVIDENCE_SOURCES, type EvidenceSource, type InsurerRefusalReason } from './evidence';
import { labels, result, type CheckResult } from './check-result';
import { cardSnKey, type NormalizedIdNumber } from './normalize';

/** The identity checks (see checks.ts): do all sources name the same person? */

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

function agreement(
  code: 'ID_NUMBER_MISMATCH' | 'NAME_MISMATCH',
  what: string,
  claims: readonly Claim[],
): CheckResult | undefined {
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
      return result(
        'INSURER_NAME_MISMATCH',
        false,
        ['insurer'],
        '经办机构核验：姓名与证件信息不符：拒绝记账，请核实就诊人身份',
      );
    case 'unknown-person':
      return result(
        'INSURER_PERSON_UNKNOWN',
        false,
        ['insurer'],
        '经办机构未查询到该人员或该卡的工伤保险信息：不能工伤记账',
      );
    case 'other':
      return result(
        'INSURER_REFUSED',
        false,
        ['insurer'],
        '经办机构拒绝了参保信息查询：请核对证件信息后重新查询，参保状态待确认',
      );
  }
}
