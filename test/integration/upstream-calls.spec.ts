import { mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/platform/audit/audit.service';
import { auditServiceOn } from '../../src/platform/standalone';
import { SystemClock } from '../../src/platform/clock';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { SEED } from '../../src/sandbox/seed-people';
import { UpstreamClient } from '../../src/upstream/client/upstream-client';
import { LinkMonitor } from '../../src/upstream/link-monitor';
import { OutboxService } from '../../src/upstream/outbox/outbox.service';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { DOCUMENTED_PROFILE, mappingProfile } from '../../src/upstream/protocol/profile';
import { generateSm2Keys } from '../../src/upstream/protocol/sm2-signer';
import { INFNO } from '../../src/upstream/protocol/transactions';
import { UpstreamCalls } from '../../src/upstream/upstream-calls';
import {
  UpstreamNotConfiguredError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
  UpstreamUnknownOutcomeError,
} from '../../src/upstream/upstream.errors';
import { testDatabase } from '../support/databases';
import { testConfig } from '../support/test-config';

/** A man in the middle: forwards to the insurer and changes one field of every reply. */
function tamperingProxy(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      void fetch(`${target}${req.url ?? ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(async (r) => {
        const reply = (await r.json()) as { output?: { baseinfo?: { psn_name?: string } } };
        if (reply.output?.baseinfo) {
          reply.output.baseinfo.psn_name = '冒名顶替';
        }
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe(UpstreamCalls.name, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-calls-'));
  const key = { id: 'gw-calls', ...generateSm2Keys() };
  const clock = new SystemClock();
  let ds: DataSource;
  let sandbox: SandboxInsurer;
  let outbox: OutboxService;
  let url: string;
  let audit: AuditService;

  beforeAll(async () => {
    const { database } = await testDatabase('sqlite', dataDir);
    ds = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    sandbox = new SandboxInsurer({ gatewayKeys: { [key.id]: key.publicKey } });
    url = await sandbox.start();
    const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));
    audit = auditServiceOn(ds, pii, clock);
    outbox = standaloneOutbox(ds, testConfig(), clock, audit, pii);
  });
  afterAll(async () => {
    await sandbox.stop();
    await ds.destroy();
  });
  afterEach(async () => {
    await sandbox.faults.reset();
  });

  const calls = (baseUrl = url, timeout = 1000) => {
    const config = testConfig({ upstream: { baseUrl, defaultTimeoutMs: timeout } });
    const monitor = new LinkMonitor(clock, { emergencyAfterMs: 60_000, probeIntervalMs: 1000 });
    return {
      sut: new UpstreamCalls(
        { client: new UpstreamClient(config.upstream, sandbox.publicKey), key },
        outbox,
        monitor,
        DOCUMENTED_PROFILE,
      ),
      monitor,
    };
  };

  it('returns the verified output of a query', async () => {
    const { sut, monitor } = calls();
    const result = await sut.call<{ baseinfo: { psn_name: string; certno: string } }>(INFNO.personQuery, {
      certno: SEED.activeFingers.certno,
    });
    expect(result.output.baseinfo).toMatchObject({ psn_name: '马建国', certno: SEED.activeFingers.certno });
    expect(result.msgid).toMatch(/^H64010600001\d{18}$/);
    expect(monitor.lastContactAt).not.toBeNull();
  });

  it('asks what became of a message by msgid (9201): the stored reply, its output read as the original’s; null when never received', async () => {
    const config = testConfig({ upstream: { baseUrl: url, defaultTimeoutMs: 1000 } });
    const profile = mappingProfile({ name: 'renamed', fields: { '1101': { personName: 'psn_name' } } });
    const sut = new UpstreamCalls(
      { client: new UpstreamClient(config.upstream, sandbox.publicKey), key },
      outbox,
      new LinkMonitor(clock, { emergencyAfterMs: 60_000, probeIntervalMs: 1000 }),
      profile,
    );
    const first = await sut.call(INFNO.personQuery, { certno: SEED.activeFingers.certno });
    const stored = await sut.queryByMsgid(first.msgid, INFNO.personQuery);
    expect(stored?.reply).toEqual(sandbox.message(first.msgid)?.reply);
    expect(stored?.output).toEqual(first.output);
    expect((stored?.output as { baseinfo: Record<string, unknown> }).baseinfo).toMatchObject({ personName: '马建国' });
    const never = (await outbox.detachedDraft({ infno: INFNO.personQuery, input: {} })).msgid;
    await expect(sut.queryByMsgid(never, INFNO.personQuery)).resolves.toBeNull();
  });

  it('maps a business refusal, a refused connection and a timeout to their typed errors', async () => {
    const { sut } = calls();
    await expect(sut.call(INFNO.personQuery, { certno: '110105194912310021' })).rejects.toBeInstanceOf(
      UpstreamRejectedError,
    );
    await sandbox.faults.set({ timeout: true });
    await expect(sut.call(INFNO.personQuery, { certno: SEED.activeFingers.certno })).rejects.toBeInstanceOf(
      UpstreamUnknownOutcomeError,
    );
    await sandbox.faults.reset();
    const closed = calls('http://127.0.0.1:9').sut; // nothing listens on the discard port
    await expect(closed.call(INFNO.personQuery, { certno: SEED.activeFingers.certno })).rejects.toBeInstanceOf(
      UpstreamUnavailableError,
    );
    const none = new UpstreamCalls(
      null,
      outbox,
      new LinkMonitor(clock, { emergencyAfterMs: 1, probeIntervalMs: 1 }),
      DOCUMENTED_PROFILE,
    );
    await expect(none.call(INFNO.personQuery, {})).rejects.toMatchObject({ code: 'UPSTREAM_NOT_CONFIGURED' });
    expect(new UpstreamNotConfiguredError().status).toBe(503);
  });

  it('refuses a reply altered on the way: the tampered content never reaches the caller', async () => {
    const proxy = await tamperingProxy(url);
    try {
      const { sut } = calls(proxy.url);
      const error = await sut.call(INFNO.personQuery, { certno: SEED.activeFingers.certno }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamUnknownOutcomeError);
      expect((error as UpstreamUnknownOutcomeError).detail).toContain('signature');
    } finally {
      proxy.server.close();
    }
  });
});
