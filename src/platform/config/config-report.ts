import { existsSync } from 'node:fs';
import { GatewayConfig } from './gateway-config';
import { ConfigIssue } from './config-loader';
import { decodeKeyring, KeyringError, readKeyringFile } from '../pii/keyring';
import { checkHospitalAgainstReference } from '../../reference/hospital-check';
import { readInstitutionDataset, referenceDir } from '../../reference/institutions.service';

/**
 * Checks beyond the shape of the config that `config check` and start-up both run:
 * errors that would stop the gateway (an unusable keyring) and warnings (the hospital not
 * found in the agreement lists).
 */
export function checkConfigSemantics(config: GatewayConfig): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];

  if (!config.pii.keyring) {
    if (!config.pii.keyringFile) {
      issues.push({ key: 'pii.keyringFile', value: '', expected: 'a keyring file path, or the keyring in GW_PII__KEYRING' });
    } else if (!existsSync(config.pii.keyringFile)) {
      if (!config.pii.createKeyringIfMissing) {
        issues.push({
          key: 'pii.keyringFile',
          value: config.pii.keyringFile,
          expected: `an existing keyring file — create it with: npm run gateway -- pii init ${config.pii.keyringFile}`,
        });
      }
    } else {
      try {
        decodeKeyring(readKeyringFile(config.pii.keyringFile));
      } catch (e) {
        issues.push({ key: 'pii.keyringFile', value: config.pii.keyringFile, expected: `a valid keyring (${(e as KeyringError).message})` });
      }
    }
  } else {
    try {
      decodeKeyring(config.pii.keyring);
    } catch (e) {
      issues.push({ key: 'pii.keyring', value: '(not shown)', expected: `a valid keyring (${(e as KeyringError).message})` });
    }
  }
  if (config.mode === 'production' && config.pii.createKeyringIfMissing) {
    issues.push({ key: 'pii.createKeyringIfMissing', value: true, expected: 'false in production (keys must be provisioned and backed up)' });
  }

  try {
    warnings.push(...checkHospitalAgainstReference(config.hospital, readInstitutionDataset(referenceDir(config))));
  } catch (e) {
    issues.push({ key: 'reference.dir', value: config.reference.dir, expected: `a folder with institutions.json (${(e as Error).message})` });
  }
  return { issues, warnings };
}
