import { existsSync } from 'node:fs';
import { GatewayConfig } from './gateway-config';
import { ConfigIssue } from './config-loader';
import { decodeKeyring, KeyringError, readKeyringFile } from '../pii/keyring';
import type { ConfigCheck, GatewayFeature } from '../gateway-feature';
import { tlsServerOptions, TlsSetupError } from '../web/tls';

/**
 * Checks beyond the shape of the config that `config check` and start-up both run:
 * errors that would stop the gateway (an unusable keyring) and warnings (the hospital not
 * found in the agreement lists). The platform checks its own sections; each feature its own.
 */
export function checkConfigSemantics(config: GatewayConfig, features: readonly GatewayFeature[]): ConfigCheck {
  const issues: ConfigIssue[] = checkPlatformConfig(config);
  const warnings: string[] = [];
  checkTls(config, issues, warnings);
  for (const feature of features) {
    const found = feature.checkConfig?.(config);
    if (found) {
      issues.push(...found.issues);
      warnings.push(...found.warnings);
    }
  }
  return { issues, warnings };
}

function checkPlatformConfig(config: GatewayConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!config.pii.keyring) {
    if (!config.pii.keyringFile) {
      issues.push({
        key: 'pii.keyringFile',
        value: '',
        expected: 'a keyring file path, or the keyring in GW_PII__KEYRING',
      });
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
        issues.push({
          key: 'pii.keyringFile',
          value: config.pii.keyringFile,
          expected: `a valid keyring (${(e as KeyringError).message})`,
        });
      }
    }
  } else {
    try {
      decodeKeyring(config.pii.keyring);
    } catch (e) {
      issues.push({
        key: 'pii.keyring',
        value: '(not shown)',
        expected: `a valid keyring (${(e as KeyringError).message})`,
      });
    }
  }
  if (config.mode === 'production' && config.pii.createKeyringIfMissing) {
    issues.push({
      key: 'pii.createKeyringIfMissing',
      value: true,
      expected: 'false in production (keys must be provisioned and backed up)',
    });
  }
  if (config.mode === 'production' && config.staff.sandboxAccounts) {
    issues.push({
      key: 'staff.sandboxAccounts',
      value: true,
      expected: 'false in production (the sandbox accounts have published passwords)',
    });
  }
  return issues;
}

/** server.tls: the files read and checked as the start will (a wrong one named with what to do). */
function checkTls(config: GatewayConfig, issues: ConfigIssue[], warnings: string[]): void {
  const tls = config.server.tls;
  try {
    warnings.push(...(tlsServerOptions(tls)?.warnings ?? []));
  } catch (e) {
    if (!(e instanceof TlsSetupError)) {
      throw e;
    }
    const key = /^server\.tls\.([A-Za-z]+)/.exec(e.message);
    const prop = (key?.[1] ?? 'certFile') as keyof typeof tls;
    issues.push({
      key: key?.[0] ?? 'server.tls',
      value: prop === 'passphrase' ? '(not shown)' : tls[prop],
      expected: `a usable TLS setting: ${e.message}`,
    });
  }
}
