import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_FEATURES } from '../../src/gateway.features';
import { checkConfigSemantics, ConfigError, envNameToPath, loadConfig, PLATFORM_FEATURE } from '../../src/platform';

const HOSPITAL = `
hospital:
  fixmedinsCode: H64010400001
  name: 宁夏回族自治区人民医院
  admdvs: "640104"
  creditCode: "126401004540409473"
pii:
  keyringFile: /tmp/none.json
`;

function overlay(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
  const file = join(dir, 'overlay.yaml');
  writeFileSync(file, text);
  return file;
}

function loadError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  it('layers default.yaml, the overlay and GW_* variables, converting to the types of the keys', () => {
    const { config, sources } = loadConfig({
      features: GATEWAY_FEATURES,
      overlayFile: overlay(HOSPITAL),
      env: {
        GW_SERVER__PORT: '9001',
        GW_HOSPITAL__FIXMEDINS_CODE: '012345678901',
        GW_LOGGING__REQUEST_BODIES: 'true',
        OTHER: 'x',
      },
    });
    expect(config.server.port).toBe(9001);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.hospital.fixmedinsCode).toBe('012345678901');
    expect(config.hospital.name).toBe('宁夏回族自治区人民医院');
    expect(config.logging.requestBodies).toBe(true);
    expect(sources).toEqual([
      expect.stringMatching(/default\.yaml$/),
      expect.stringMatching(/overlay\.yaml$/),
      'env GW_HOSPITAL__FIXMEDINS_CODE',
      'env GW_LOGGING__REQUEST_BODIES',
      'env GW_SERVER__PORT',
    ]);
  });

  it('names every bad key with its value and what is expected', () => {
    const file = overlay(`${HOSPITAL}
server:
  port: 70000
logging:
  level: loud
`);
    const error = loadError(() =>
      loadConfig({ features: GATEWAY_FEATURES, overlayFile: file, env: { GW_HOSPITAL__FIXMEDINS_CODE: '12AB' } }),
    );
    expect(error.issues.map((i) => i.key).sort()).toEqual(['hospital.fixmedinsCode', 'logging.level', 'server.port']);
    expect(error.message).toContain('hospital.fixmedinsCode: "12AB" — expected');
    expect(error.message).toContain('12 characters');
    expect(error.message).toContain('server.port: 70000 — expected a port from 0 to 65535');
    expect(error.message).toContain(
      'logging.level: "loud" — expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('reports misspelt keys instead of ignoring them', () => {
    const error = loadError(() =>
      loadConfig({ features: GATEWAY_FEATURES, overlayFile: overlay(`${HOSPITAL}\nserver:\n  prot: 8080\n`), env: {} }),
    );
    expect(error.issues).toEqual([
      { key: 'server.prot', value: 8080, expected: 'no such key — remove it or check its spelling' },
    ]);
  });

  it("validates the features' sections as strictly as the platform's: bad values, misspelt keys, lists", () => {
    const file = overlay(`${HOSPITAL}
identity:
  tokenTtlMs: 5
  tokenTtl: 1
upstream:
  dispatcher:
    concurency: 2
devices: {}
`);
    const error = loadError(() => loadConfig({ features: GATEWAY_FEATURES, overlayFile: file, env: {} }));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { key: 'identity.tokenTtlMs', value: 5, expected: 'at least 1000 ms' },
        { key: 'identity.tokenTtl', value: 1, expected: 'no such key — remove it or check its spelling' },
        { key: 'upstream.dispatcher.concurency', value: 2, expected: 'no such key — remove it or check its spelling' },
        { key: 'devices', value: {}, expected: 'a list of devices' },
      ]),
    );
  });

  it('refuses the section of a feature that is not registered, as any unknown key', () => {
    const error = loadError(() =>
      loadConfig({ features: [PLATFORM_FEATURE], overlayFile: overlay(HOSPITAL), env: {} }),
    );
    expect(error.issues.map((i) => i.key)).toEqual([
      'reference',
      'calendar',
      'upstream',
      'sandboxInsurer',
      'identity',
      'forms',
      'devices',
      'agents',
      'settlement',
      'auditResults',
    ]);
    expect(new Set(error.issues.map((i) => i.expected))).toEqual(
      new Set(['no such key — remove it or check its spelling']),
    );
  });

  it('says to quote numbers that YAML read as numbers', () => {
    const error = loadError(() =>
      loadConfig({ features: GATEWAY_FEATURES, overlayFile: overlay(HOSPITAL.replace('"640104"', '640104')), env: {} }),
    );
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ key: 'hospital.admdvs', value: 640104 });
    expect(error.issues[0].expected).toContain('quotes');
  });

  it('points at the line of a YAML syntax error', () => {
    const error = loadError(() =>
      loadConfig({ features: GATEWAY_FEATURES, overlayFile: overlay('server:\n  port: [8080\n'), env: {} }),
    );
    expect(error.issues[0].key).toMatch(/overlay\.yaml:\d+:\d+$/);
    expect(error.issues[0].expected).toContain('valid YAML');
  });

  it('refuses a missing overlay file with the path', () => {
    const error = loadError(() =>
      loadConfig({ features: GATEWAY_FEATURES, overlayFile: '/nonexistent/hospital.yaml', env: {} }),
    );
    expect(error.issues[0]).toMatchObject({ key: '/nonexistent/hospital.yaml' });
  });

  it('requires the hospital identity in production defaults', () => {
    const error = loadError(() => loadConfig({ features: GATEWAY_FEATURES, env: {} }));
    expect(error.issues.map((i) => i.key)).toEqual(
      expect.arrayContaining(['hospital.fixmedinsCode', 'hospital.name', 'hospital.admdvs', 'hospital.creditCode']),
    );
  });

  it('defaults the staff sessions as docs/console.md says, and refuses the sandbox accounts in production', () => {
    const { config } = loadConfig({
      features: GATEWAY_FEATURES,
      overlayFile: overlay(`${HOSPITAL}staff:\n  sandboxAccounts: true\n`),
      env: {},
    });
    expect(config.staff).toEqual({
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      maxFailedLogins: 5,
      lockoutMinutes: 15,
      passwordMaxAgeDays: 90,
      sandboxAccounts: true,
    });
    expect(checkConfigSemantics(config, GATEWAY_FEATURES).issues.map((i) => i.key)).toContain('staff.sandboxAccounts');
    const bad = loadError(() =>
      loadConfig({
        features: GATEWAY_FEATURES,
        overlayFile: overlay(`${HOSPITAL}staff:\n  sessionIdleMinutes: 0\n`),
        env: {},
      }),
    );
    expect(bad.issues.map((i) => i.key)).toEqual(['staff.sessionIdleMinutes']);
  });

  it('checks the files of server.tls as the start does, naming the file', () => {
    const { config } = loadConfig({
      features: GATEWAY_FEATURES,
      overlayFile: overlay(`${HOSPITAL}server:\n  tls:\n    certFile: /nowhere/gw.crt\n    keyFile: /nowhere/gw.key\n`),
      env: {},
    });
    const issue = checkConfigSemantics(config, GATEWAY_FEATURES).issues.find((i) => i.key.startsWith('server.tls'));
    expect(issue).toMatchObject({ key: 'server.tls.certFile', value: '/nowhere/gw.crt' });
    expect(issue?.expected).toMatch(/cannot read \/nowhere\/gw\.crt \(no such file\)/);
  });

  it('takes a whole section as JSON from the environment', () => {
    const keyring = {
      active: 'a',
      keys: [{ id: 'a', key: Buffer.alloc(32, 1).toString('base64') }],
      hmacKey: Buffer.alloc(32, 2).toString('base64'),
    };
    const { config } = loadConfig({
      features: GATEWAY_FEATURES,
      overlayFile: overlay(HOSPITAL),
      env: { GW_PII__KEYRING: JSON.stringify(keyring) },
    });
    expect(config.pii.keyring?.active).toBe('a');
  });
});

describe(envNameToPath.name, () => {
  it.each([
    ['GW_SERVER__PORT', ['server', 'port']],
    ['GW_HOSPITAL__FIXMEDINS_CODE', ['hospital', 'fixmedinsCode']],
    ['GW_DATA_DIR', ['dataDir']],
    ['GW_server__port', undefined],
    ['GW___X', undefined],
  ])('%s → %j', (name, path) => {
    expect(envNameToPath(name)).toEqual(path);
  });
});

describe('config files shipped in config/', () => {
  it.each(['sandbox.yaml', 'example-hospital.yaml'])('%s holds only real keys with valid values', (file) => {
    const { config } = loadConfig({
      features: GATEWAY_FEATURES,
      overlayFile: join(__dirname, '..', '..', 'config', file),
      env: {},
    });
    expect(config.hospital.fixmedinsCode).toMatch(/^[A-Z0-9]{12}$/);
  });
});
