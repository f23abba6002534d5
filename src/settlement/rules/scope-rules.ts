import { FINDING_MESSAGES as M } from './finding-messages';
import { finding, type Finding } from './findings';
import type { CatalogueMatch, FeeLine, PreAuditVisit } from './pre-audit-input';

/**
 * What the fund pays for: work-injury treatment (R8), before the discharge notice (R20), of items in
 * the catalogue (R7, R17). A line failing one is self-pay; a catalogue self-pay line without the
 * worker's signed consent is the hospital's loss (R7). Pure.
 */

/** NOT_INJURY_RELATED: non-work-injury treatment is never charged to the fund (办法 15(3), 30(1); 协议 27). */
export function injuryFindings(line: FeeLine): Finding[] {
  return line.injuryRelated ? [] : [finding('NOT_INJURY_RELATED', line.lineId, M.notInjuryRelated(line))];
}

/**
 * AFTER_DISCHARGE_NOTICE: 协议 13(4) "乙方应自通知之日起，停止记账，按非工伤参保病人处理". "自…之日起"
 * counts from that day itself (as "自公布之日起施行" takes effect on the day of publication; where
 * texts mean the following day they say "次日"), so a line dated on the notice day or later is
 * self-pay: the notice day is not paid by the fund. 办法 30(2) agrees in substance ("符合出院条件拒不出院
 * 继续发生的费用").
 */
export function dischargeNoticeFindings(line: FeeLine, visit: PreAuditVisit): Finding[] {
  if (visit.kind !== 'inpatient' || visit.dischargeNoticeDate === null) {
    return [];
  }
  const notice = visit.dischargeNoticeDate;
  return line.serviceDate >= notice
    ? [finding('AFTER_DISCHARGE_NOTICE', line.lineId, M.afterDischargeNotice(line, line.serviceDate, notice))]
    : [];
}

/** The catalogue judgement of a line: its insurer code when mapped, and its findings. */
export interface CatalogueJudgement {
  readonly insurerCode: string | null;
  readonly findings: Finding[];
}

/**
 * ITEM_NOT_MAPPED / ITEM_OUTSIDE_CATALOGUE: the fund pays only catalogue items it can identify
 * (办法 12; 协议 19: a wrong or missing mapping is not paid). Such a line is self-pay; when no signed
 * consent (自费项目告知确认书) covers it, SELF_PAY_NOT_CONSENTED: the hospital bears it (办法 15(2);
 * 协议 18). A HIS code absent from the lookup counts as unmapped; a mapped item whose mapping is not
 * valid on the line's day (valid from / valid to) is outside the catalogue on that day.
 */
export function catalogueFindings(
  line: FeeLine,
  match: CatalogueMatch | undefined,
  signedConsents: ReadonlySet<string>,
): CatalogueJudgement {
  if (match?.kind === 'mapped' && coversDay(match, line.serviceDate)) {
    return { insurerCode: match.insurerCode, findings: [] };
  }
  const findings =
    match?.kind === 'outside' || match?.kind === 'mapped'
      ? [finding('ITEM_OUTSIDE_CATALOGUE', line.lineId, M.itemOutsideCatalogue(line))]
      : [finding('ITEM_NOT_MAPPED', line.lineId, M.itemNotMapped(line, line.hisItemCode))];
  const consent = line.selfPayConsentFormId;
  if (consent === null || !signedConsents.has(consent)) {
    findings.push(finding('SELF_PAY_NOT_CONSENTED', line.lineId, M.selfPayNotConsented(line, consent)));
  }
  return { insurerCode: null, findings };
}

/** The mapping is valid on `day` (bounds inclusive; a missing bound is open). */
function coversDay(
  match: { readonly validFrom?: string | null; readonly validTo?: string | null },
  day: string,
): boolean {
  return (!match.validFrom || match.validFrom <= day) && (!match.validTo || day <= match.validTo);
}
