/**
 * Dispatcher throughput against the sandbox insurer, side by side with a bare loop of axios
 * posts doing the same cryptographic work (sign each request, verify each reply) without any
 * durability; and the time to drain a backlog. The sandbox runs as its own process. Every SM2
 * signature and verification on both sides (bare loop, dispatcher, sandbox insurer) goes through
 * sm2-signer.ts, i.e. sm-crypto-v2. Issue 17's aim: outbox/bare ≥ 0.9, with the backlog drain reported.
 */
import axios from 'axios';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditServiceOn } from '../../src/platform/standalone';
import { SystemClock } from '../../src/platform/clock';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { UpstreamClient } from '../../src/upstream/client/upstream-client';
import { LinkMonitor } from '../../src/upstream/link-monitor';
import { Dispatcher } from '../../src/upstream/outbox/dispatcher';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { DOCUMENTED_PROFILE } from '../../src/upstream/protocol/profile';
import { RequestEnvelope, signEnvelope, verifyEnvelope } from '../../src/upstream/protocol/envelope';
import { beijingDateTime, beijingTimestamp, formatMsgid } from '../../src/upstream/protocol/msgid';
import { writeSigningKey } from '../../src/upstream/signing-keys';
import { testConfig, TEST_HOSPITAL } from '../support/test-config';

const CONCURRENCY = 4;
/** Issue 17: the durable outbox keeps at least this share of the bare loop's rate. */
const RATIO_AIM = 0.9;

async function startSandbox(
  dir: string,
  keyFile: string,
): Promise<{ url: string; publicKey: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      join(__dirname, '..', '..', 'src', 'sandbox', 'main.js'),
      '--port',
      '0',
      '--control-port',
      '0',
      '--data-dir',
      dir,
      '--gateway-key-file',
      keyFile,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 10_000) {
        out += d.toString();
      }
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const publicKey = /insurer public key: (04[0-9a-f]{128})/i.exec(out)?.[1];
      if (url && publicKey) {
        resolve({ url, publicKey, stop: () => child.kill('SIGTERM') });
      }
    });
  });
}

export async function benchDispatcher(messages: number, backlog: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-outbox-'));
  const key = writeSigningKey(join(dir, 'signing.json'), 'gw-bench');
  const sandbox = await startSandbox(join(dir, 'sandbox'), join(dir, 'signing.json'));
  try {
    // 1. Bare loop: sign, post, verify — nothing stored.
    const http = axios.create({ baseURL: sandbox.url, validateStatus: () => true });
    let seq = 0;
    const second = beijingTimestamp(new Date(Date.now() + 3600_000)); // a second the outbox will not use
    const bareStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (seq < messages) {
          seq++;
          const msgid = formatMsgid(TEST_HOSPITAL.fixmedinsCode, second, seq);
          const envelope = signEnvelope<RequestEnvelope>(
            {
              infno: '3201',
              msgid,
              mdtrtarea_admvs: TEST_HOSPITAL.admdvs,
              insuplc_admdvs: TEST_HOSPITAL.admdvs,
              recer_sys_code: 'NXGS',
              dev_no: '',
              dev_safe_info: '',
              cainfo: key.id,
              signtype: 'SM2',
              infver: 'V1.0',
              opter_type: '1',
              opter: 'bench',
              opter_name: 'bench',
              inf_time: beijingDateTime(new Date()),
              fixmedins_code: TEST_HOSPITAL.fixmedinsCode,
              fixmedins_name: TEST_HOSPITAL.name,
              sign_no: '',
              input: { begndate: '2026-10-01', enddate: '2026-10-31' },
            },
            key,
          );
          const res = await http.post<object>('/api/transaction', envelope);
          if (res.status !== 200 || !verifyEnvelope(res.data, sandbox.publicKey)) {
            throw new Error(`bare loop: unexpected answer ${res.status}`);
          }
        }
      }),
    );
    const bareRate = messages / ((performance.now() - bareStarted) / 1000);

    // 2. The outbox: enqueue (durable), dispatch, settle — on SQLite.
    const config = testConfig({
      hospital: TEST_HOSPITAL,
      upstream: {
        baseUrl: sandbox.url,
        dispatcher: {
          concurrency: CONCURRENCY,
          pollIntervalMs: 20,
          leaseMs: 30_000,
          backoffBaseMs: 100,
          backoffMaxMs: 2000,
          // The production pacing (maxSendsPerSecond, 50 by default) is a policy towards the insurer,
          // not overhead: lifted here so the bench compares the machinery with the bare loop.
          maxSendsPerSecond: 1_000_000,
        },
      },
    });
    const ds = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    const clock = new SystemClock();
    const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));
    const audit = auditServiceOn(ds, pii, clock);
    const outbox = standaloneOutbox(ds, config, clock, audit, pii);
    const dispatcher = () =>
      new Dispatcher({
        dataSource: ds,
        outbox,
        client: new UpstreamClient(config.upstream, sandbox.publicKey),
        key: key,
        audit,
        clock,
        config: config.upstream.dispatcher,
        profile: DOCUMENTED_PROFILE,
        monitor: new LinkMonitor(clock, { emergencyAfterMs: 60_000, probeIntervalMs: 1000 }),
        pii,
      });
    const input = (n: number) => ({ infno: '3201', input: { begndate: '2026-10-01', enddate: '2026-10-31', n } });
    const drain = async (count: number): Promise<number> => {
      for (let i = 0; i < count; i += 1000) {
        await outbox.enqueueNow(Array.from({ length: Math.min(1000, count - i) }, (_, j) => input(i + j)));
      }
      const started = performance.now();
      const d = dispatcher();
      d.start();
      for (;;) {
        const c = await outbox.countByStatus();
        if (c.pending + c.unknown + c.sending === 0) {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await d.stop();
      return (performance.now() - started) / 1000;
    };
    const outboxSeconds = await drain(messages);
    const outboxRate = messages / outboxSeconds;
    const ratio = outboxRate / bareRate;
    process.stdout.write(
      `\nDispatcher to the sandbox insurer (separate process), ${messages} messages, ${CONCURRENCY} in flight, SM2 (sm-crypto-v2) signed and verified on both sides (pacing lifted)\n` +
        `  bare axios loop (sign, post, verify)   ${bareRate.toFixed(1).padStart(7)} msg/s\n` +
        `  outbox + dispatcher (durable, SQLite)  ${outboxRate.toFixed(1).padStart(7)} msg/s\n` +
        `  ratio outbox/bare: ${ratio.toFixed(2)} (aim ≥ ${RATIO_AIM}): ${ratio >= RATIO_AIM ? 'met' : 'NOT met'}\n`,
    );
    if (backlog > 0) {
      const seconds = await drain(backlog);
      process.stdout.write(
        `  drain a backlog of ${backlog} messages: ${seconds.toFixed(1)} s (${(backlog / seconds).toFixed(1)} msg/s; ` +
          `${(backlog / seconds / bareRate).toFixed(2)} of the bare loop's rate, a longer run than the ${messages} above)\n`,
      );
    }
    await ds.destroy();
  } finally {
    sandbox.stop();
  }
}
