import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseToken } from '../../src/platform/auth/api-key-token';
import { auditServiceOn } from '../../src/platform/standalone';
import { SystemClock } from '../../src/platform/clock';
import { loadConfig } from '../../src/platform/config/config-loader';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_FEATURES, GATEWAY_SCHEMA } from '../../src/gateway.features';
import { loadKeyring } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { agreementSourcePath } from '../../src/reference/agreement-source';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { cli, hospitalYaml } from '../support/cli-run';
import { TEST_HOSPITAL } from '../support/test-config';

describe('gateway CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cli-'));
  const config = hospitalYaml(dir);

  it('config check names every bad key and exits non-zero', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(config, 'utf8')
        .replace('fixmedinsCode: H64010600001', 'fixmedinsCode: 12AB')
        .replace('admdvs: "640106"', 'admdvs: "6401"') + 'server:\n  port: -1\n',
    );
    const r = await cli(['config', 'check', bad]);
    expect(r.code).toBe(78);
    expect(r.err).toContain('hospital.fixmedinsCode: "12AB" — expected');
    expect(r.err).toContain('hospital.admdvs: "6401" — expected a 6-digit region code');
    expect(r.err).toContain('server.port: -1 — expected a port from 0 to 65535');
    expect(r.err).toContain('3 problems');
  });

  it('config check refuses a production config without its keyring, saying how to make one', async () => {
    const r = await cli(['config', 'check', config]);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`pii init ${dir}/keys.json`);
  });

  it('pii init writes a private keyring once; rotate adds a key', async () => {
    const keys = join(dir, 'keys.json');
    expect((await cli(['pii', 'init', keys])).code).toBe(0);
    expect(statSync(keys).mode & 0o777).toBe(0o600);
    const again = await cli(['pii', 'init', keys]);
    expect(again.code).toBe(2);
    expect(again.err).toContain('never overwritten');
    const before = JSON.parse(readFileSync(keys, 'utf8'));
    expect((await cli(['pii', 'rotate', keys])).code).toBe(0);
    const after = JSON.parse(readFileSync(keys, 'utf8'));
    expect(after.keys).toHaveLength(2);
    expect(after.active).not.toBe(before.active);
    expect(after.keys[1].algorithm).toBe('sm4-gcm');
    expect(after.lookupKeys).toEqual(before.lookupKeys);
    expect(after.activeLookup).toBe(before.activeLookup);
  });

  it('config check passes a good config and warns when the hospital is not in the agreement list', async () => {
    const ok = await cli(['config', 'check', config]);
    expect(ok.code).toBe(0);
    expect(ok.err).not.toContain('hospital.');
    expect(ok.err).toContain('warning: upstream.baseUrl is empty');
    expect(ok.out).toContain('Configuration is valid');

    writeFileSync(join(dir, 'other.yaml'), readFileSync(config, 'utf8').replace(TEST_HOSPITAL.name, '某某不存在医院'));
    const warned = await cli(['config', 'check', join(dir, 'other.yaml')]);
    expect(warned.code).toBe(0);
    expect(warned.err).toMatch(/warning: hospital\.name: "某某不存在医院" is not in the agreement institution list/);
  });

  it('takes the config from GATEWAY_CONFIG and single keys from GW_* variables', async () => {
    const r = await cli(['config', 'check'], { GATEWAY_CONFIG: config, GW_SERVER__PORT: 'eighty' });
    expect(r.code).toBe(78);
    expect(r.err).toContain('server.port: "eighty" — expected');
    expect(r.err).toContain('a whole number');
  });

  it('migrate applies the migrations once', async () => {
    const first = await cli(['migrate', '--config', config]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Applied \d+ migration/);
    expect((await cli(['migrate', '--config', config])).out).toContain('is up to date');
  });

  it('apikey create prints the token once; list never shows it; revoke takes a reason', async () => {
    const created = await cli([
      'apikey',
      'create',
      '--config',
      config,
      '--name',
      'HIS 门诊',
      '--scopes',
      'identity,trace-codes',
      '--allow-ip',
      '10.20.0.0/24',
    ]);
    expect(created.code).toBe(0);
    const token = /gwk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(created.out)?.[0] as string;
    expect(token).toBeDefined();
    const id = parseToken(token)?.id as string;

    const listed = await cli(['apikey', 'list', '--config', config]);
    expect(listed.out).toContain(id);
    expect(listed.out).toContain('identity,trace-codes');
    expect(listed.out).not.toContain(parseToken(token)?.secret as string);
    expect(
      readFileSync(join(dir, 'data', 'gw.sqlite')).includes(Buffer.from(parseToken(token)?.secret as string)),
    ).toBe(false);

    expect((await cli(['apikey', 'revoke', id, '--config', config])).err).toContain('--reason');
    expect((await cli(['apikey', 'revoke', id, '--config', config, '--reason', 'HIS moved'])).code).toBe(0);
    expect((await cli(['apikey', 'list', '--config', config])).out).not.toContain(id);
    expect((await cli(['apikey', 'list', '--all', '--config', config])).out).toMatch(new RegExp(`${id}.*revoked`));
  });

  it('apikey create explains bad scopes', async () => {
    const r = await cli(['apikey', 'create', '--config', config, '--name', 'x', '--scopes', 'root']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('未知的权限范围 root');
  });

  it('reference import rebuilds the institution lists and names the suspicious credit codes', async () => {
    const seed = agreementSourcePath();
    if (!existsSync(seed)) {
      throw new Error(`${seed} is missing: it is part of the repository (config/reference/source/)`);
    }
    const out = join(dir, 'reference');
    const r = await cli(['reference', 'import', '--seed', seed, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Imported 93 institutions (version 2026-03: 74 medical, 14 rehab, 5 assistive-device)');
    expect(r.err).toContain('附件4 #8');
    expect(r.err).toContain('附件5 #6');
    expect(readFileSync(join(out, 'institutions.json'), 'utf8')).toBe(
      readFileSync(join(__dirname, '..', '..', 'config', 'reference', 'institutions.json'), 'utf8'),
    );
  });

  it('outbox list, show, cancel and the month-end export of undelivered settlements', async () => {
    const { config: gw } = loadConfig({ features: GATEWAY_FEATURES, overlayFile: config, env: {} });
    const ds = await openDataSource(gw.database, gw.dataDir, GATEWAY_SCHEMA);
    let msgids: string[];
    try {
      await runMigrations(ds);
      const clock = new SystemClock();
      const pii = new PiiCryptoService(loadKeyring(gw.pii));
      const outbox = standaloneOutbox(ds, gw, clock, auditServiceOn(ds, pii, clock), pii);
      const queued = await outbox.enqueueNow([
        { infno: '2207', input: { psn_no: 'P1', medfee_sumamt: 123.45 } },
        { infno: '2304', input: { psn_no: 'P2', medfee_sumamt: 1000 } },
        { infno: '3201', input: { begndate: '2026-10-01', enddate: '2026-10-31' } },
        { infno: '2208', input: { psn_no: 'P3', setl_id: 'ST1', mdtrt_id: 'MZ1' } },
      ]);
      msgids = queued.map((m) => m.msgid);
    } finally {
      await ds.destroy();
    }
    const listed = await cli(['outbox', 'list', '--config', config]);
    expect(listed.out).toMatch(/pending 4/);
    const shown = await cli(['outbox', 'show', msgids[0], '--config', config]);
    expect(shown.out).toContain(`${msgids[0]} (`);
    expect(shown.out).toContain('status pending');
    expect((await cli(['outbox', 'cancel', msgids[2], '--config', config, '--reason', 'test'])).code).toBe(0);

    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const out = join(dir, 'exports');
    const exported = await cli(['outbox', 'export', '--month', month, '--out', out, '--config', config]);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain(`3 undelivered settlement message(s) of ${month}`);
    const lines = readFileSync(join(out, `undelivered-${month}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msgid)).toEqual([msgids[0], msgids[1], msgids[3]]);
    expect(lines[0].request.input).toEqual({ psn_no: 'P1', medfee_sumamt: 123.45 });
    const summary = readFileSync(join(out, `summary-${month}.txt`), 'utf8');
    expect(summary).toContain('2207 门诊结算：1 条，医疗费用合计 123.45 元');
    expect(summary).toContain('2304 住院结算：1 条，医疗费用合计 1000.00 元');
    expect(summary).toContain('2208 门诊结算撤销：1 条');
    expect((await cli(['outbox', 'export', '--month', '2026-13', '--config', config])).code).toBe(2);
  });

  it('prints usage for an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: npm run gateway');
  });
});
