import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { SystemClock } from '../../src/platform/clock';
import { Transactions } from '../../src/platform/database/transactions';
import { PiiReencryptionService } from '../../src/platform/pii/pii-reencryption.service';
import { UpstreamClient } from '../../src/upstream/client/upstream-client';
import { LinkMonitor } from '../../src/upstream/link-monitor';
import { Dispatcher } from '../../src/upstream/outbox/dispatcher';
import { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import { OutboxMessageDetailDto } from '../../src/upstream/outbox/outbox.dto';
import { DOCUMENTED_PROFILE } from '../../src/upstream/protocol/profile';
import { generateSm2Keys } from '../../src/upstream/protocol/sm2-signer';
import { GatewaySigningKey } from '../../src/upstream/signing-keys';
import { UPSTREAM_FEATURE } from '../../src/upstream/upstream.feature';
import { availableDatabases, DbKind } from '../support/databases';
import { openDispatcherWorld, type DispatcherWorld } from '../support/dispatcher-world';
import { eventually } from '../support/eventually';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-outbox-pii-'));
const gatewayKey: GatewaySigningKey = { id: 'gw-pii-1', ...generateSm2Keys() };
const CERTNO = '64010419850312001X';
const NAME = '马晓燕';
const BODIES = ['draft', 'envelope', 'reply'] as const;

/** A 3201 reconciliation query (valid for any period) carrying a person's ID number and name. */
const personal = (n: number) => ({
  infno: '3201',
  input: { begndate: '2026-10-01', enddate: '2026-10-31', n, certno: CERTNO, psn_name: NAME },
});

/**
 * The outbox's bodies (draft, signed envelope, the insurer's reply) hold ID numbers and names: they
 * are stored encrypted (PiiCryptoService), read back as plaintext through the outbox, and rows
 * written in clear before that stay readable until the re-encryption encrypts them.
 */
describe.each(availableDatabases())('outbox bodies encrypted at rest on %s', (kind: DbKind) => {
  let world: DispatcherWorld;
  const clock = new SystemClock();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    world = await openDispatcherWorld(kind, dataDir, gatewayKey, clock, {
      defaultTimeoutMs: 1500,
      dispatcher: { concurrency: 2, pollIntervalMs: 20, leaseMs: 5000, backoffBaseMs: 50, backoffMaxMs: 400 },
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  /** The row as stored, bodies untouched (no decryption). */
  const stored = (id: string): Promise<OutboxMessage> => world.ds.getRepository(OutboxMessage).findOneByOrFail({ id });
  const dispatchUntilDelivered = async (ids: string[]): Promise<void> => {
    const d = new Dispatcher({
      dataSource: world.ds,
      outbox: world.outbox,
      client: new UpstreamClient(world.config.upstream, world.sandbox.publicKey),
      key: gatewayKey,
      audit: world.audit,
      clock,
      config: world.config.upstream.dispatcher,
      profile: DOCUMENTED_PROFILE,
      monitor: new LinkMonitor(clock, { emergencyAfterMs: 60_000, probeIntervalMs: 1000 }),
      pii: world.pii,
    });
    d.start();
    try {
      await eventually(
        async () => (await world.outbox.findByIds(ids)).every((m) => m.status === 'delivered'),
        'delivered',
        10_000,
        50,
      );
    } finally {
      await d.stop();
    }
  };

  it('stores draft, envelope and reply encrypted; the outbox and its DTO show them decoded', async () => {
    const [queued] = await world.outbox.enqueueNow([personal(1)]);
    expect(JSON.parse(queued.draft as string).input.certno).toBe(CERTNO);
    await dispatchUntilDelivered([queued.id]);

    const row = await stored(queued.id);
    for (const body of BODIES) {
      expect(row[body]?.startsWith(world.pii.activePrefix)).toBe(true);
      expect(row[body]).not.toContain(CERTNO);
      expect(row[body]).not.toContain(NAME);
    }

    const { message, attempts } = await world.outbox.get(queued.msgid);
    expect(JSON.parse(message.draft as string).input).toMatchObject({ certno: CERTNO, psn_name: NAME });
    const envelope = JSON.parse(message.envelope as string) as { msgid: string; input: object; signData: string };
    expect(envelope).toMatchObject({ msgid: queued.msgid, input: { certno: CERTNO, psn_name: NAME } });
    const atInsurer = world.sandbox.message(queued.msgid)?.reply;
    expect(JSON.parse(message.reply as string)).toEqual(atInsurer);
    expect(OutboxMessageDetailDto.fromMessage(message, attempts).reply).toEqual(atInsurer);
  });

  it('reads and sends a row queued in clear before the bodies were encrypted; the re-encryption then encrypts it', async () => {
    const [queued] = await world.outbox.enqueueNow([personal(2)]);
    // A message queued by the gateway before this change: its draft stored as plaintext.
    await world.ds.getRepository(OutboxMessage).update({ id: queued.id }, { draft: queued.draft });
    expect((await stored(queued.id)).draft).toBe(queued.draft);
    expect((await world.outbox.get(queued.id)).message.draft).toBe(queued.draft);

    await dispatchUntilDelivered([queued.id]);
    const sent = (await world.outbox.get(queued.id)).message;
    expect(JSON.parse(sent.envelope as string).input).toMatchObject({ certno: CERTNO, n: 2 });
    // What the dispatcher wrote is encrypted; the legacy draft stays as it was until the re-encryption.
    const before = await stored(queued.id);
    expect(before.draft).toBe(queued.draft);
    expect(before.envelope?.startsWith(world.pii.activePrefix)).toBe(true);
    // And a delivered message whose envelope and reply were kept in clear.
    const [legacy] = await world.outbox.enqueueNow([personal(3)]);
    await world.ds.getRepository(OutboxMessage).update(
      { id: legacy.id },
      {
        status: 'delivered',
        draft: legacy.draft,
        envelope: sent.envelope?.replace('"n":2', '"n":3'),
        reply: sent.reply,
      },
    );

    const reencryption = new PiiReencryptionService(
      new Transactions(world.ds),
      world.pii,
      UPSTREAM_FEATURE.piiColumns ?? [],
      clock,
    );
    const plaintextBefore = Object.fromEntries((await reencryption.status()).map((s) => [s.name, s.plaintext]));
    expect(plaintextBefore).toEqual({
      'outbox_message.draft': 2,
      'outbox_message.envelope': 1,
      'outbox_message.reply': 1,
    });
    const batches = await reencryption.run({ batchSize: 2 });
    expect(batches.reduce((n, b) => n + b.failed, 0)).toBe(0);
    expect(batches.reduce((n, b) => n + b.moved, 0)).toBe(4);
    for (const s of await reencryption.status()) {
      expect([s.name, s.plaintext, s.unknown]).toEqual([s.name, 0, 0]);
    }

    for (const [id, expected] of [
      [queued.id, { draft: queued.draft, envelope: sent.envelope, reply: sent.reply }],
      [legacy.id, { draft: legacy.draft, envelope: sent.envelope?.replace('"n":2', '"n":3'), reply: sent.reply }],
    ] as const) {
      const row = await stored(id);
      for (const body of BODIES) {
        expect(row[body]?.startsWith(world.pii.activePrefix)).toBe(true);
        expect(row[body]).not.toContain(CERTNO);
      }
      // Decrypted, each body is byte for byte what was stored in clear (a resend stays identical).
      expect((await world.outbox.get(id)).message).toMatchObject(expected);
    }
  });
  it('sets aside a message whose body cannot be decrypted, for an hour, with the reason; the rest of the claim is sent', async () => {
    const [lost, good] = await world.outbox.enqueueNow([personal(4), personal(5)]);
    // A body made with a key this keyring does not have (lost, or another installation's).
    const unreadable = `pii2:sm4:lost:${Buffer.alloc(40, 1).toString('base64url')}`;
    await world.ds.getRepository(OutboxMessage).update({ id: lost.id }, { draft: unreadable });
    const before = Date.now();

    await dispatchUntilDelivered([good.id]);

    const row = await stored(lost.id);
    expect(row).toMatchObject({ status: 'pending', claimedBy: null, leaseUntil: null, draft: unreadable });
    expect(row.lastError).toContain('PII key lost is not in the keyring');
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 59 * 60_000);
    expect(world.sandbox.message(lost.msgid)).toBeUndefined();
  });
});
