import type { InsurerPersonAnswer } from '../../identity/rules/evidence';

/**
 * R11 (协议 33, rehab 协议 24): at admission and at discharge the hospital checks a cross-province
 * worker's identity and filing (备案). Pure: the insurer's 1101 answer behind the MATCH and the day of
 * the admission or discharge ('yyyy-MM-dd'). Null when there is nothing to refuse (a worker insured in
 * Ningxia, or a filing valid that day); else why, in Chinese, for the desk.
 */
export function crossProvinceFilingProblem(
  answer: Pick<InsurerPersonAnswer, 'cross_province'>,
  day: string,
): { reason: 'no-filing' | 'not-valid'; message: string } | null {
  const cross = answer.cross_province;
  if (cross === null) {
    return null;
  }
  const filing = cross.filing;
  if (filing === null) {
    return {
      reason: 'no-filing',
      message: `该职工为跨省异地就医人员（参保地 ${cross.insuplc_admdvs}），未办理异地就医备案：请先到参保地经办机构办理备案`,
    };
  }
  if (!(filing.valid_from <= day && day <= filing.valid_to)) {
    return {
      reason: 'not-valid',
      message: `该职工的异地就医备案（${filing.filing_no}，有效期 ${filing.valid_from} 至 ${filing.valid_to}）在 ${day} 不在有效期内：请办理备案变更或续期`,
    };
  }
  return null;
}
