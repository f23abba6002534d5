import type { HospitalConfig } from '../platform';
import { checkCreditCode } from './credit-code';
import type { InstitutionDataset } from './institution';

/**
 * Warnings (never errors) about the hospital's identity in config, compared with the
 * agreement lists: a hospital may have joined after the list was published, so a miss is
 * something to look at, not a reason to refuse to start.
 */
export function checkHospitalAgainstReference(hospital: HospitalConfig, dataset: InstitutionDataset): string[] {
  const warnings: string[] = [];
  const check = checkCreditCode(hospital.creditCode);
  if (!check.valid && check.reason === 'checksum') {
    warnings.push(
      `hospital.creditCode: "${hospital.creditCode}" fails the GB 32100 check (expected check character ${check.expectedCheck ?? '?'}) — verify it against the business licence`,
    );
  }
  const byCode = dataset.institutions.find((i) => i.creditCode === hospital.creditCode);
  const name = hospital.name.replace(/\s+/g, '');
  const byName = dataset.institutions.find((i) => i.name.replace(/\s+/g, '') === name);
  if (!byCode) {
    warnings.push(
      `hospital.creditCode: "${hospital.creditCode}" is not in the agreement institution list (${dataset.version}) — check the code, or ignore if the agreement is newer than the list`,
    );
  }
  if (!byName) {
    warnings.push(
      `hospital.name: "${hospital.name}" is not in the agreement institution list (${dataset.version}) — use the name exactly as in the agreement`,
    );
  }
  if (byCode && byName && byCode !== byName) {
    warnings.push(
      `hospital.creditCode and hospital.name belong to different institutions in the list (${byCode.name} / ${byName.name})`,
    );
  }
  return warnings;
}
