/**
 * The configuration as GET /api/v1/admin/config shows it: with the real default.yaml and every
 * feature's sections (so in the integration tier: the platform's own specs import no feature).
 */
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { GATEWAY_FEATURES } from '../../src/gateway.features';
import type { GatewayFeature } from '../../src/platform/gateway-feature';
import { configOrigins, configSources, loadConfig, sandboxConfigFile } from '../../src/platform/config/config-loader';
import {
  looksSecret,
  MASKED,
  maskConfig,
  maskUrlPassword,
  maskUrlSecrets,
} from '../../src/platform/config/config-secrets';

const MARKER = 'LEAKMARKER7f3a';

const HOSPITAL = {
  fixmedinsCode: 'H64010600001',
  name: '宁夏回族自治区人民医院',
  admdvs: '640106',
  creditCode: '1264000045400281XQ',
};

/** A later feature's section whose secrets nobody declared: the name rule must catch them. */
class VendorCredentialsConfig {
  @IsString() user: string;
  @IsString() pin: string;
}
class VendorConfig {
  @IsString() endpoint: string;
  @IsString() appId: string;
  @IsString() appSecret: string;
  @IsString() clientPassword: string;
  @IsString() sm4Key: string;
  @IsString() accessToken: string;
  @IsString() privateKeyPem: string;
  @IsString() signingKey: string;
  @IsString() keyFile: string;
  @IsString() insurerPublicKey: string;
  /** A whole section named as a secret is masked whole, whatever its keys. */
  @IsOptional() @ValidateNested() @Type(() => VendorCredentialsConfig) credentials: VendorCredentialsConfig;
}
const VENDOR: GatewayFeature = { name: 'vendor', config: [{ key: 'vendor', type: VendorConfig }] };

function configWithEverySecretSet() {
  const features = [...GATEWAY_FEATURES, VENDOR];
  return loadConfig({
    features,
    env: {
      // The database URL's password with the characters that break naive parsing.
      GW_DATABASE__URL: `postgres://gateway:${MARKER}-p@ss:w/rd@10.20.0.5:5432/gateway?sslpassword=${MARKER}q`,
    },
    overrides: {
      mode: 'sandbox',
      hospital: HOSPITAL,
      pii: {
        keyringFile: '/etc/gateway/keys/pii-keyring.json',
        keyring: {
          active: `${MARKER}id`,
          keys: [
            { id: `${MARKER}id`, key: `${MARKER}k1` },
            { id: 'old', key: `${MARKER}k2` },
          ],
          hmacKey: `${MARKER}h`,
        },
      },
      upstream: {
        baseUrl: `https://nxgs:${MARKER}u@insurer.example/api?token=${MARKER}t&x=1`,
        signing: { keyFile: '/etc/gateway/keys/sm2.key', insurerPublicKey: `04${'ab'.repeat(64)}` },
      },
      vendor: {
        endpoint: 'https://vendor.example',
        appId: 'nx-app-1',
        appSecret: `${MARKER}a`,
        clientPassword: `${MARKER}b`,
        sm4Key: `${MARKER}c`,
        accessToken: `${MARKER}d`,
        privateKeyPem: `${MARKER}e`,
        signingKey: `${MARKER}s`,
        keyFile: '/etc/vendor/key.pem',
        insurerPublicKey: '04cafe',
        credentials: { user: 'nx', pin: `${MARKER}p` },
      },
    },
  }).config;
}

describe('the configuration as shown (secrets masked)', () => {
  it('never shows a secret: with every known secret set to a marker, the marker appears nowhere in the JSON', () => {
    const config = configWithEverySecretSet();
    const shown = maskConfig(config, configOrigins(config));
    const json = JSON.stringify({ ...shown, sources: configSources(config) });
    expect(json).not.toContain(MARKER);
    // …and the masking is visible, not silent.
    expect(json).toContain(MASKED);
  });

  it('masks declared secrets whole but says whether they are set', () => {
    const config = configWithEverySecretSet();
    const { tree, leaves } = maskConfig(config, configOrigins(config));
    const pii = tree.pii as Record<string, unknown>;
    expect(pii.keyring).toBe(MASKED);
    expect(pii.keyringFile).toBe('/etc/gateway/keys/pii-keyring.json');
    expect(leaves.find((l) => l.path === 'pii.keyring')).toEqual({
      path: 'pii.keyring',
      value: MASKED,
      masked: true,
      origin: 'override',
    });
    const plain = maskConfig({ ...config, pii: { ...config.pii, keyring: undefined } });
    expect(plain.leaves.some((l) => l.path.startsWith('pii.keyring.'))).toBe(false);
  });

  it('shows the database URL with its password masked only, and says the value came from the environment', () => {
    const config = configWithEverySecretSet();
    const leaf = maskConfig(config, configOrigins(config)).leaves.find((l) => l.path === 'database.url');
    expect(leaf).toEqual({
      path: 'database.url',
      value: `postgres://gateway:${MASKED}@10.20.0.5:5432/gateway?sslpassword=${MASKED}`,
      masked: true,
      origin: 'env',
    });
  });

  it('masks by name what nobody declared, but not paths, public keys or durations', () => {
    const config = configWithEverySecretSet();
    expect(maskConfig(config).tree.vendor).toEqual({
      endpoint: 'https://vendor.example',
      appId: 'nx-app-1',
      appSecret: MASKED,
      clientPassword: MASKED,
      sm4Key: MASKED,
      accessToken: MASKED,
      privateKeyPem: MASKED,
      signingKey: MASKED,
      keyFile: '/etc/vendor/key.pem',
      insurerPublicKey: '04cafe',
      credentials: MASKED,
    });
    const identity = maskConfig(config).tree.identity as Record<string, unknown>;
    expect(identity.tokenTtlMs).toBe(config.identity.tokenTtlMs);
  });

  it('shows what is declared not secret although its name looks it: limits per key, the sections about keys', () => {
    const config = configWithEverySecretSet();
    const { leaves } = maskConfig(config, configOrigins(config));
    const masked = new Set(leaves.filter((l) => l.masked).map((l) => l.path));
    expect(looksSecret('perKey')).toBe(true);
    for (const path of [
      'server.rateLimit.perKey',
      'server.rateLimit.badKeys.threshold',
      'apiKeys.adminMaxDays',
      'staff.passwordMaxAgeDays',
    ]) {
      expect({ path, masked: masked.has(path) }).toEqual({ path, masked: false });
      expect(leaves.some((l) => l.path === path)).toBe(true);
    }
  });

  it('keeps everything else as it is, with where it came from', () => {
    const config = configWithEverySecretSet();
    const { leaves } = maskConfig(config, configOrigins(config));
    const byPath = new Map(leaves.map((l) => [l.path, l]));
    expect(byPath.get('server.port')).toMatchObject({ value: 8080, masked: false, origin: 'default' });
    expect(byPath.get('hospital.fixmedinsCode')).toMatchObject({ value: 'H64010600001', origin: 'override' });
    expect(byPath.get('upstream.signing.keyFile')).toMatchObject({ value: '/etc/gateway/keys/sm2.key', masked: false });
    expect(byPath.get('devices')).toMatchObject({ value: [], origin: 'default' });
    expect(byPath.get('upstream.timeoutsMs')).toMatchObject({ value: {} });
  });

  it('records the overlay file and single GW_ variables as origins', () => {
    const config = loadConfig({
      features: GATEWAY_FEATURES,
      overlayFile: sandboxConfigFile(),
      env: { GW_SERVER__PORT: '9090' },
    }).config;
    const { leaves } = maskConfig(config, configOrigins(config));
    const byPath = new Map(leaves.map((l) => [l.path, l]));
    expect(byPath.get('server.port')).toMatchObject({ value: 9090, origin: 'env' });
    expect(byPath.get('server.host')).toMatchObject({ origin: 'default' });
    expect(byPath.get('hospital.name')).toMatchObject({ origin: 'file' });
    expect(byPath.get('devices[0].id')).toMatchObject({ value: 'desk1-idcard', origin: 'file' });
    expect(configSources(config)).toEqual([
      expect.stringMatching(/default\.yaml$/),
      expect.stringMatching(/sandbox\.yaml$/),
      'env GW_SERVER__PORT',
    ]);
  });
});

describe('secret names and URLs', () => {
  it.each([
    'password',
    'dbPassword',
    'clientSecret',
    'apiToken',
    'hmacKey',
    'key',
    'keys',
    'sm4Key',
    'keyring',
    'privateKey',
    'credentials',
    'passphrase',
  ])('%s looks secret', (name) => expect(looksSecret(name)).toBe(true));
  it.each([
    'keyFile',
    'keyringFile',
    'privateKeyPath',
    'insurerPublicKey',
    'tokenTtlMs',
    'host',
    'fixmedinsCode',
    'name',
  ])('%s does not', (name) => expect(looksSecret(name)).toBe(false));

  it('masks URL passwords and secret query values, and nothing else', () => {
    expect(maskUrlSecrets('https://u:pw@h/x?a=1&apiKey=zz')).toEqual({
      text: `https://u:${MASKED}@h/x?a=1&apiKey=${MASKED}`,
      masked: true,
    });
    expect(maskUrlSecrets('postgres://postgres@127.0.0.1:5432/test')).toEqual({
      text: 'postgres://postgres@127.0.0.1:5432/test',
      masked: false,
    });
    expect(maskUrlPassword('postgres://u:a@b/c@h:5432/db')).toEqual({
      text: `postgres://u:${MASKED}@h:5432/db`,
      masked: true,
    });
    expect(maskUrlPassword('sqlite:./data/gw.sqlite')).toEqual({ text: 'sqlite:./data/gw.sqlite', masked: false });
  });
});
