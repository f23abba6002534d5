import { FINDING_MESSAGES as M } from './finding-messages';
import { finding, type Finding } from './findings';
import { isIsoDay } from './money';
import { visitStartDate, type PreAuditVisit, type WorkerFacts } from './pre-audit-input';

/**
 * Visit-level rules: may this worker's visit be charged to the fund at all? Each failure refuses the
 * settlement and says what to do. Pure.
 */

/** VISIT_DATA_INVALID: dates that are not real days, a notice before the admission. */
export function visitDataFindings(visit: PreAuditVisit, worker: WorkerFacts | null): Finding[] {
  const problems: string[] = [];
  const start = visitStartDate(visit);
  if (!isIsoDay(start)) {
    problems.push(visit.kind === 'outpatient' ? `就诊日期 ${start} 不是有效日期` : `入院日期 ${start} 不是有效日期`);
  }
  if (visit.kind === 'inpatient' && visit.dischargeNoticeDate !== null) {
    const notice = visit.dischargeNoticeDate;
    if (!isIsoDay(notice)) {
      problems.push(`出院通知日期 ${notice} 不是有效日期`);
    } else if (isIsoDay(start) && notice < start) {
      problems.push(`出院通知日期 ${notice} 早于入院日期 ${start}`);
    }
  }
  if (worker !== null && worker.injuryDate !== null && !isIsoDay(worker.injuryDate)) {
    problems.push(`受伤日期 ${worker.injuryDate} 不是有效日期`);
  }
  if (!visit.hospitalCode.trim()) {
    problems.push('缺少本院机构编码');
  }
  return problems.map((p) => finding('VISIT_DATA_INVALID', null, M.visitDataInvalid(p)));
}

/**
 * NO_DETERMINATION / DETERMINATION_PENDING (办法 26: pay as self-pay now, convert after the
 * determination) and VISIT_BEFORE_INJURY (care before the injury does not treat it). For a
 * conversion (自费转工伤) the same codes say that the conversion must wait for the determination.
 */
export function determinationFindings(visit: PreAuditVisit, worker: WorkerFacts, conversion = false): Finding[] {
  const out: Finding[] = [];
  if (worker.injuryStatus === 'pending') {
    const message = conversion ? M.conversionDeterminationPending() : M.determinationPending();
    out.push(finding('DETERMINATION_PENDING', null, message));
  } else if (worker.injuryStatus !== 'determined') {
    out.push(finding('NO_DETERMINATION', null, conversion ? M.conversionNoDetermination() : M.noDetermination()));
  }
  const start = visitStartDate(visit);
  const injury = worker.injuryDate;
  if (injury !== null && isIsoDay(injury) && isIsoDay(start) && start < injury) {
    out.push(finding('VISIT_BEFORE_INJURY', null, M.visitBeforeInjury(start, injury)));
  }
  return out;
}

/** Institution codes as comparable text. */
function institutionKey(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * Where the worker may be treated: a cross-province worker needs a filing valid on the visit's first
 * day (协议 33: checked at admission) and is not bound to signed institutions; a local worker's
 * outpatient visit must be at one of the signed institutions (办法 18); admission is not
 * restricted (办法 19: agreement institutions are recognised region-wide).
 */
export function placeFindings(visit: PreAuditVisit, worker: WorkerFacts): Finding[] {
  const cross = worker.crossProvince;
  if (cross !== null) {
    const filing = cross.filing;
    if (filing === null) {
      return [finding('CROSS_PROVINCE_NO_FILING', null, M.crossProvinceNoFiling())];
    }
    const start = visitStartDate(visit);
    const covered =
      isIsoDay(start) &&
      isIsoDay(filing.validFrom) &&
      isIsoDay(filing.validTo) &&
      filing.validFrom <= start &&
      start <= filing.validTo;
    return covered
      ? []
      : [
          finding(
            'CROSS_PROVINCE_FILING_NOT_VALID',
            null,
            M.crossProvinceFilingNotValid(start, filing.validFrom, filing.validTo),
          ),
        ];
  }
  if (visit.kind === 'inpatient') {
    return [];
  }
  const here = institutionKey(visit.hospitalCode);
  const signed = worker.signedInstitutionCodes.some((c) => institutionKey(c) === here);
  return signed ? [] : [finding('NOT_SIGNED_HERE', null, M.notSignedHere())];
}

/**
 * Every visit-level eligibility finding, in a stable order. With no worker facts (no verification
 * token: person, card and code were not checked, so the insurer's record is not known) the person
 * rules cannot run: PERSON_NOT_VERIFIED refuses the settlement in their place (协议 9: no 记账
 * without 人、卡、码相符), and everything else is still judged.
 */
export function visitFindings(visit: PreAuditVisit, worker: WorkerFacts | null, conversion = false): Finding[] {
  if (worker === null) {
    return [...visitDataFindings(visit, null), finding('PERSON_NOT_VERIFIED', null, M.personNotVerified())];
  }
  return [
    ...visitDataFindings(visit, worker),
    ...determinationFindings(visit, worker, conversion),
    ...placeFindings(visit, worker),
  ];
}
