import type { ConfigCheck, GatewayConfig, GatewayFeature } from '../platform';
import { checkHospitalAgainstReference } from './hospital-check';
import { readInstitutionDataset, referenceDir } from './institutions.service';
import { ReferenceConfig } from './reference.config';

/** The hospital, checked against the agreement lists (a warning when it is not found there). */
function checkReferenceConfig(config: GatewayConfig): ConfigCheck {
  const check: ConfigCheck = { issues: [], warnings: [] };
  try {
    check.warnings.push(
      ...checkHospitalAgainstReference(config.hospital, readInstitutionDataset(referenceDir(config))),
    );
  } catch (e) {
    check.issues.push({
      key: 'reference.dir',
      value: config.reference.dir,
      expected: `a folder with institutions.json (${(e as Error).message})`,
    });
  }
  return check;
}

export const REFERENCE_FEATURE: GatewayFeature = {
  name: 'reference',
  config: [{ key: 'reference', type: ReferenceConfig }],
  checkConfig: checkReferenceConfig,
};
