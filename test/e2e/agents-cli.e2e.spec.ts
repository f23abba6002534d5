import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { agentServicesOn } from '../../src/agents/standalone-agents';
import { GATEWAY_FEATURES, GATEWAY_SCHEMA } from '../../src/gateway.features';
import {
  auditServiceOn,
  type GatewayConfig,
  loadConfig,
  loadKeyring,
  openDataSource,
  PiiCryptoService,
  runMigrations,
  SystemClock,
} from '../../src/platform';
import type { AgentAuthentication } from '../../src/agents/agents.service';
import { cli, hospitalYaml } from '../support/cli-run';

jest.setTimeout(60_000);

/** `gateway agents …` on the hospital's database, and the desk agent's side through the same services. */
describe('gateway agents (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-agents-cli-'));
  const config = hospitalYaml(dir, 'server:\n  host: 10.20.0.5\n  port: 8443\n');

  /** The hospital's database as the CLI opens it (with its migrations applied). */
  const onDatabase = async <T>(work: (ds: DataSource, gw: GatewayConfig) => Promise<T>): Promise<T> => {
    const { config: gw } = loadConfig({ features: GATEWAY_FEATURES, overlayFile: config, env: {} });
    const ds = await openDataSource(gw.database, gw.dataDir, GATEWAY_SCHEMA);
    try {
      await runMigrations(ds);
      return await work(ds, gw);
    } finally {
      await ds.destroy();
    }
  };
  const pii = (gw: GatewayConfig) => new PiiCryptoService(loadKeyring(gw.pii));
  /** What the desk agent does with a code, and with its credential, through the registry's services. */
  const asAgent = <T>(work: (s: ReturnType<typeof agentServicesOn>) => Promise<T>): Promise<T> =>
    onDatabase((ds, gw) => {
      const clock = new SystemClock();
      return work(agentServicesOn(ds, gw, { clock, pii: pii(gw), audit: auditServiceOn(ds, pii(gw), clock) }));
    });

  beforeAll(async () => {
    expect((await cli(['pii', 'init', join(dir, 'keys.json')])).code).toBe(0);
  });

  it('enroll prints a one-time code, its expiry and the command for the desk PC', async () => {
    const missing = await cli(['agents', 'enroll', '--config', config]);
    expect(missing).toMatchObject({ code: 2, err: expect.stringContaining('--desk') });
    const badTtl = await cli(['agents', 'enroll', '--config', config, '--desk', '门诊挂号3', '--ttl', '1h']);
    expect(badTtl).toMatchObject({ code: 2, err: expect.stringContaining('--ttl 1h') });
    const tooLong = await cli(['agents', 'enroll', '--config', config, '--desk', '门诊挂号3', '--ttl', '5000']);
    expect(tooLong).toMatchObject({ code: 2, err: expect.stringContaining('ttlMinutes: 有效期应为 1 到 1440') });

    const before = Date.now();
    const r = await cli(['agents', 'enroll', '--config', config, '--desk', '门诊挂号3', '--ttl', '15']);
    const after = Date.now();
    expect(r.code).toBe(0);
    const code = /\b[A-Z2-9]{5}-[A-Z2-9]{5}\b/.exec(r.out)?.[0] as string;
    expect(code).toBeDefined();
    expect(r.out).toContain(`npx gateway agent --central wss://10.20.0.5:8443 --enrol ${code}`);
    const expiresAt = Date.parse(/until (\S+):/.exec(r.out)?.[1] as string);
    // Issued while the command ran (it opens and migrates the database first, which a busy machine may take
    // seconds over): 15 minutes after a moment between `before` and `after`.
    expect(expiresAt - before).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
    expect(expiresAt - after).toBeLessThanOrEqual(15 * 60_000);

    const central = await cli([
      'agents',
      'enroll',
      '--config',
      config,
      '--desk',
      '西药房1',
      '--central',
      'wss://gw.hospital.local',
    ]);
    expect(central.out).toMatch(
      /npx gateway agent --central wss:\/\/gw\.hospital\.local --enrol [A-Z2-9]{5}-[A-Z2-9]{5}/,
    );
  });

  it('list, rename, move and revoke an enrolled agent; the revoked agent is refused', async () => {
    const r = await cli(['agents', 'enroll', '--config', config, '--desk', '门诊挂号5', '--name', '挂号5号窗口']);
    const code = /\b[A-Z2-9]{5}-[A-Z2-9]{5}\b/.exec(r.out)?.[0] as string;
    const { agentId, credential } = await asAgent((s) => s.enrolments.exchange({ code, hostname: 'GH-PC-05' }, null));
    expect(await asAgent((s) => s.enrolments.exchange({ code }, null)).catch((e: { code: string }) => e.code)).toBe(
      'AGENT_ENROLMENT_USED',
    );

    const listed = await cli(['agents', 'list', '--config', config]);
    expect(listed.out).toMatch(new RegExp(`${agentId}\\s+门诊挂号5\\s+挂号5号窗口\\s+-\\s+active`));

    expect((await cli(['agents', 'rename', agentId, '--config', config])).err).toContain('--name');
    const renamed = await cli(['agents', 'rename', agentId, '--config', config, '--name', '挂号五号']);
    expect(renamed).toMatchObject({ code: 0, out: expect.stringContaining('"挂号五号" at desk 门诊挂号5') });
    const moved = await cli(['agents', 'move', agentId, '--config', config, '--desk', '急诊挂号1']);
    expect(moved).toMatchObject({ code: 0, out: expect.stringContaining('at desk 急诊挂号1') });

    expect((await cli(['agents', 'revoke', agentId, '--config', config])).err).toContain('--reason');
    const revoked = await cli(['agents', 'revoke', agentId, '--config', config, '--reason', '工位电脑报废']);
    expect(revoked).toMatchObject({ code: 0, out: expect.stringContaining('is revoked') });
    expect(await asAgent((s) => s.agents.authenticate(credential))).toEqual<AgentAuthentication>({
      ok: false,
      code: 'AGENT_REVOKED',
      message: expect.any(String) as string,
    });

    expect((await cli(['agents', 'list', '--config', config])).out).not.toContain(agentId);
    expect((await cli(['agents', 'list', '--all', '--config', config])).out).toMatch(
      new RegExp(`${agentId}\\s+急诊挂号1\\s+挂号五号.*revoked \\d{4}-\\d{2}-\\d{2} \\(工位电脑报废\\)`),
    );
    const again = await cli(['agents', 'move', agentId, '--config', config, '--desk', '门诊挂号5']);
    expect(again).toMatchObject({ code: 2, err: expect.stringContaining('已被吊销') });

    const audit = await onDatabase(async (ds, gw) =>
      (await auditServiceOn(ds, pii(gw), new SystemClock()).find({ limit: 50 }))
        .filter((e) => e.details?.agentId === agentId)
        .map((e) => [e.action, e.actorType]),
    );
    expect(audit).toEqual([
      ['agent.revoke', 'cli'],
      ['agent.move', 'cli'],
      ['agent.rename', 'cli'],
      ['agent.enrol', 'system'],
    ]);
  });

  it('says what to do with an unknown command or agent', async () => {
    expect((await cli(['agents', 'bless', '--config', config])).err).toContain('agents enroll --desk');
    const unknown = await cli([
      'agents',
      'revoke',
      '0190aaaa-0000-7000-8000-000000000000',
      '--config',
      config,
      '--reason',
      'x',
    ]);
    expect(unknown).toMatchObject({ code: 2, err: expect.stringContaining('没有桌面代理 0190aaaa') });
  });
});
