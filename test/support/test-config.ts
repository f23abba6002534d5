import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/platform/config/config-loader';
import { GATEWAY_FEATURES } from '../../src/gateway.features';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { generateKeyringDocument } from '../../src/platform/pii/keyring';

/** A hospital that is in the agreement list (附件4 #11), so reference checks pass. */
export const TEST_HOSPITAL = {
  fixmedinsCode: 'H64010600001',
  name: '宁夏回族自治区人民医院',
  admdvs: '640106',
  creditCode: '1264000045400281XQ',
};

/**
 * A full, validated config for tests: the real default.yaml, a temporary data folder,
 * a fresh in-memory keyring, and whatever the test overrides.
 */
export function testConfig(overrides: Record<string, unknown> = {}): GatewayConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-test-'));
  return loadConfig({
    features: GATEWAY_FEATURES,
    env: {},
    overrides: deepAssign(
      {
        mode: 'sandbox',
        dataDir,
        hospital: TEST_HOSPITAL,
        database: { url: `sqlite:${join(dataDir, 'test.sqlite')}` },
        pii: { keyringFile: '', keyring: generateKeyringDocument('ktest') },
        logging: { level: 'silent' },
      },
      overrides,
    ),
  }).config;
}

function deepAssign(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const cur = out[k];
    out[k] =
      cur && typeof cur === 'object' && !Array.isArray(cur) && v && typeof v === 'object' && !Array.isArray(v)
        ? deepAssign(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
