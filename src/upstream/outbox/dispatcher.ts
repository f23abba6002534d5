import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Clock, isDatabaseUnavailable, type PiiCryptoService, Transactions } from '../../platform';
import type { DispatcherConfig } from '../upstream.config';
import type { UpstreamClient } from '../client/upstream-client';
import type { ProtocolProfile } from '../protocol/profile';
import { INFCODE, INFNO } from '../protocol/transactions';
import type { LinkMonitor } from '../link-monitor';
import { RateLimiter } from '../rate-limiter';
import { MessageDelivery, type MessageDeliveryDeps } from './message-delivery';
import { OutboxMessageRepository } from './outbox-message.repository';
import { OutboxService } from './outbox.service';

/** What the loop needs: the outbox's database, and what each delivery needs but its claim and repositories. */
export interface DispatcherDeps extends Omit<MessageDeliveryDeps, 'instanceId' | 'messages' | 'transactions'> {
  /** The outbox's database: the dispatcher reaches it only through OutboxMessageRepository and Transactions. */
  dataSource: DataSource;
  /** Encrypts and decrypts the message bodies (OutboxMessageRepository). */
  pii: PiiCryptoService;
}

/** How often to try 9001 sign-in again until it succeeds. */
const SIGN_IN_RETRY_MS = 60_000;

/**
 * Sends what the outbox holds. Several dispatchers (one per gateway instance) may run against
 * one PostgreSQL: rows are claimed with a lease, and every state change after a send is
 * conditional on still holding that claim. This is the loop (claiming, pacing, sign-in, orphans);
 * what happens to one claimed message is MessageDelivery's.
 */
export class Dispatcher {
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger(Dispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The database is away (restart, failover): said once, the loop keeps polling until it is back. */
  private databaseAway = false;

  private readonly messages: OutboxMessageRepository;
  private readonly outbox: OutboxService;
  private readonly client: UpstreamClient;
  private readonly clock: Clock;
  private readonly config: DispatcherConfig;
  readonly monitor: LinkMonitor;
  private readonly profile: ProtocolProfile;
  private readonly limiter: RateLimiter;
  private readonly delivery: MessageDelivery;

  constructor(deps: DispatcherDeps) {
    this.messages = new OutboxMessageRepository(deps.dataSource, deps.pii);
    this.outbox = deps.outbox;
    this.client = deps.client;
    this.clock = deps.clock;
    this.config = deps.config;
    this.monitor = deps.monitor;
    this.profile = deps.profile;
    this.limiter = new RateLimiter(deps.config.maxSendsPerSecond);
    this.delivery = new MessageDelivery({
      ...deps,
      instanceId: this.instanceId,
      messages: this.messages,
      transactions: new Transactions(deps.dataSource),
    });
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.unsubscribe = this.outbox.onCommitted(() => this.nudge());
    void this.loop();
  }

  /** Messages were just committed: stop waiting for the next poll (no-op while busy or stopped). */
  private nudge(): void {
    clearTimeout(this.timer);
    this.wake?.();
  }

  /**
   * 9001 sign-in: the insurer hands out a sign_no that later envelopes carry. Tried at start
   * and then every SIGN_IN_RETRY_MS until it succeeds; sending does not wait for it.
   */
  async signIn(): Promise<string | undefined> {
    const draft = await this.outbox.detachedDraft({ infno: INFNO.signIn, input: {} });
    const outcome = await this.client.send(
      INFNO.signIn,
      JSON.stringify(this.delivery.sign({ ...draft, input: { opter_no: draft.opter } })),
    );
    if (outcome.kind === 'reply') {
      this.monitor.reachable();
      const signNo = (this.profile.decodeOutput(INFNO.signIn, outcome.reply.output) as { sign_no?: unknown } | null)
        ?.sign_no;
      if (outcome.reply.infcode === INFCODE.ok && typeof signNo === 'string' && signNo) {
        this.outbox.signNo = signNo;
        return signNo;
      }
      this.logger.warn({ infcode: outcome.reply.infcode, err: outcome.reply.err_msg }, 'sign-in (9001) refused');
    } else if (outcome.kind !== 'bad-signature') {
      this.monitor.unreachable();
    }
    return undefined;
  }

  /** Stops claiming and waits for messages in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.wake?.();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims and sends once (tests and the CLI drive it step by step). Returns how many were claimed. */
  async tick(): Promise<number> {
    // Emergency mode lets one probe through now and then; the rate limit spreads a backlog out.
    const wanted = this.monitor.allowance(this.config.concurrency - this.inFlight.size);
    const granted = this.limiter.take(wanted);
    if (granted <= 0) {
      return 0;
    }
    const now = this.clock.now();
    const claimed = await this.messages.claimDue(
      this.instanceId,
      now,
      new Date(now.getTime() + this.config.leaseMs),
      granted,
    );
    this.limiter.giveBack(granted - claimed.length);
    for (const message of claimed) {
      const work = this.delivery
        .deliver(message)
        .catch((err: unknown) =>
          isDatabaseUnavailable(err)
            ? this.logger.warn(
                { msgid: message.msgid },
                'the database went away while this message was being sent: once its lease runs out, the insurer is asked about it (9201) before any resend',
              )
            : this.logger.error(
                { err, msgid: message.msgid },
                'dispatching a message failed; it stays claimed until its lease runs out',
              ),
        )
        .finally(() => {
          this.inFlight.delete(work);
          this.wake?.();
        });
      this.inFlight.add(work);
    }
    return claimed.length;
  }

  /**
   * SQLite belongs to one gateway process, so at start every `sending` row is an orphan of a
   * crashed run: it becomes unknown (ask before resending) at once. On PostgreSQL other
   * instances may be alive and sending; there the lease decides (see claimDue).
   */
  async recoverOrphans(): Promise<number> {
    const recovered = await this.messages.releaseOrphans(this.clock.now());
    if (recovered > 0) {
      this.logger.warn(
        `recovered ${recovered} message(s) left in "sending" by a previous run; each is checked with the insurer before any resend`,
      );
    }
    return recovered;
  }

  private async loop(): Promise<void> {
    await this.recoverOrphans().catch((err: unknown) =>
      this.logger.error({ err }, 'recovering orphaned messages failed'),
    );
    let nextSignIn = 0;
    while (this.running) {
      if (!this.outbox.signNo && Date.now() >= nextSignIn) {
        nextSignIn = Date.now() + SIGN_IN_RETRY_MS;
        await this.signIn().catch((err: unknown) => this.logger.warn({ err }, 'sign-in (9001) failed; retrying later'));
      }
      let claimed = 0;
      try {
        claimed = await this.tick();
        if (this.databaseAway) {
          this.databaseAway = false;
          this.logger.warn('the database is back: dispatching again');
        }
      } catch (err) {
        if (!isDatabaseUnavailable(err)) {
          this.logger.error({ err }, 'claiming outbox messages failed');
        } else if (!this.databaseAway) {
          this.databaseAway = true;
          this.logger.warn(
            { err },
            'the database is unavailable: no message is claimed until it is back (messages being sent are settled after, by a query where needed)',
          );
        }
      }
      if (!this.running) {
        break;
      }
      // Busy: come back as soon as a slot frees. Idle or held back: poll.
      const full = this.inFlight.size >= this.config.concurrency;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (!full && claimed === 0) {
          this.timer = setTimeout(
            resolve,
            Math.max(this.limiter.waitMs(), this.monitor.mode === 'emergency' ? 50 : this.config.pollIntervalMs),
          );
        } else if (!full) {
          setImmediate(resolve);
        }
      });
      this.wake = undefined;
    }
  }
}
