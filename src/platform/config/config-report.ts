import { existsSync } from 'node:fs';
import { GatewayConfig } from './gateway-config';
import { ConfigIssue } from './config-loader';
import { checkDevices } from './device-config-check';
import { decodeKeyring, KeyringError, readKeyringFile } from '../pii/keyring';
import { checkHospitalAgainstReference } from '../../reference/hospital-check';
import { readInstitutionDataset, referenceDir } from '../../reference/institutions.service';
import { readSigningKey } from '../../upstream/signing-keys';

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
  if (config.mode === 'production' && config.sandboxInsurer.enabled) {
    issues.push({ key: 'sandboxInsurer.enabled', value: true, expected: 'false in production (the sandbox insurer is for development and demos)' });
  }
  if (config.mode === 'production' && config.pii.createKeyringIfMissing) {
    issues.push({ key: 'pii.createKeyringIfMissing', value: true, expected: 'false in production (keys must be provisioned and backed up)' });
  }

  issues.push(...checkDevices(config));

  const upstream = config.upstream;
  if (upstream.baseUrl) {
    if (!upstream.signing.insurerPublicKey) {
      issues.push({ key: 'upstream.signing.insurerPublicKey', value: '', expected: "the insurer's SM2 public key (130 hex characters, 04…) to verify its replies" });
    }
    try {
      readSigningKey(upstream.signing.keyFile);
    } catch (e) {
      issues.push({ key: 'upstream.signing.keyFile', value: upstream.signing.keyFile, expected: `the gateway's signing key file (${(e as Error).message})` });
    }
  } else if (!(config.mode === 'sandbox' && config.sandboxInsurer.enabled)) {
    warnings.push('upstream.baseUrl is empty: nothing is sent to the insurer; messages wait in the outbox');
    const needHsm = config.devices.filter((d) => d.kind === 'ssse-card' && (d.cardAuth ?? 'hsm') === 'hsm');
    if (needHsm.length > 0) {
      warnings.push(`${needHsm.map((d) => d.id).join(', ')}: 3rd-generation cards need the insurer's HSM (1165), and no insurer link is configured; they will stop at "authentication required"`);
    }
  }

  try {
    warnings.push(...checkHospitalAgainstReference(config.hospital, readInstitutionDataset(referenceDir(config))));
  } catch (e) {
    issues.push({ key: 'reference.dir', value: config.reference.dir, expected: `a folder with institutions.json (${(e as Error).message})` });
  }
  return { issues, warnings };
}
