import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditService } from '../../platform/audit/audit.service';
import { Clock } from '../../platform/clock';
import type { DispatcherConfig } from '../upstream.config';
import { uuidv7 } from '../../platform/ids';
import type { SendOutcome, UpstreamClient } from '../client/upstream-client';
import { ReplyEnvelope, RequestEnvelope, signEnvelope, Unsigned } from '../protocol/envelope';
import type { ProtocolProfile } from '../protocol/profile';
import { INFCODE, INFNO } from '../protocol/transactions';
import type { GatewaySigningKey } from '../signing-keys';
import type { LinkMonitor } from '../link-monitor';
import { RateLimiter } from '../rate-limiter';
import type { UpstreamMetrics } from '../upstream-metrics';
import { backoffMs } from './backoff';
import { claimDue } from './claim';
import { AttemptOutcome, OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxService } from './outbox.service';

export interface DispatcherDeps {
  dataSource: DataSource;
  outbox: OutboxService;
  client: UpstreamClient;
  key: GatewaySigningKey;
  audit: AuditService;
  clock: Clock;
  config: DispatcherConfig;
  /** The circuit breaker; one per process, shared with /health. */
  monitor: LinkMonitor;
  /** How our transactions look on this insurer's wire. */
  profile: ProtocolProfile;
  metrics?: UpstreamMetrics;
}

/** How often to try 9001 sign-in again until it succeeds. */
const SIGN_IN_RETRY_MS = 60_000;

/** Delay before asking about a message whose fate is unknown: short, a query is cheap and safe. */
const UNKNOWN_RETRY_BASE_MS = 200;

/**
 * Sends what the outbox holds. Several dispatchers (one per gateway instance) may run against
 * one PostgreSQL: rows are claimed with a lease, and every state change after a send is
 * conditional on still holding that claim.
 *
 * The rules: a verified reply settles a message (delivered or rejected, final); a message that
 * might have arrived (timeout, dropped reply, crash, unverifiable reply) is never resent
 * blindly — the next step is a 9201 query by msgid, and only "never received" allows a resend.
 */
export class Dispatcher {
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger(Dispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private wake: (() => void) | undefined;

  private readonly dataSource: DataSource;
  private readonly outbox: OutboxService;
  private readonly client: UpstreamClient;
  private readonly key: GatewaySigningKey;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly config: DispatcherConfig;
  readonly monitor: LinkMonitor;
  private readonly profile: ProtocolProfile;
  private readonly limiter: RateLimiter;
  private readonly metrics: UpstreamMetrics | undefined;

  constructor(deps: DispatcherDeps) {
    this.dataSource = deps.dataSource;
    this.outbox = deps.outbox;
    this.client = deps.client;
    this.key = deps.key;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.config = deps.config;
    this.monitor = deps.monitor;
    this.profile = deps.profile;
    this.limiter = new RateLimiter(deps.config.maxSendsPerSecond);
    this.metrics = deps.metrics;
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    void this.loop();
  }

  /**
   * 9001 sign-in: the insurer hands out a sign_no that later envelopes carry. Tried at start
   * and then every SIGN_IN_RETRY_MS until it succeeds; sending does not wait for it.
   */
  async signIn(): Promise<string | undefined> {
    const draft = await this.outbox.detachedDraft({ infno: INFNO.signIn, input: {} });
    const outcome = await this.client.send(INFNO.signIn, JSON.stringify(this.sign({ ...draft, input: { opter_no: draft.opter } })));
    if (outcome.kind === 'reply') {
      this.monitor.reachable();
      const signNo = (this.profile.decodeOutput(INFNO.signIn, outcome.reply.output) as { sign_no?: unknown } | null)?.sign_no;
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
    const claimed = await claimDue(this.dataSource, this.instanceId, now, new Date(now.getTime() + this.config.leaseMs), granted);
    this.limiter.giveBack(granted - claimed.length);
    for (const message of claimed) {
      const work = this.process(message)
        .catch((err: unknown) => this.logger.error({ err, msgid: message.msgid }, 'dispatching a message failed; it stays claimed until its lease runs out'))
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
    if (this.dataSource.options.type === 'postgres') {
      return 0;
    }
    const now = this.clock.now();
    const result = await this.dataSource
      .getRepository(OutboxMessage)
      .update({ status: 'sending' }, { status: 'unknown', queryFirst: true, claimedBy: null, leaseUntil: null, nextAttemptAt: now, updatedAt: now });
    const recovered = result.affected ?? 0;
    if (recovered > 0) {
      this.logger.warn(`recovered ${recovered} message(s) left in "sending" by a previous run; each is checked with the insurer before any resend`);
    }
    return recovered;
  }

  private async loop(): Promise<void> {
    await this.recoverOrphans().catch((err: unknown) => this.logger.error({ err }, 'recovering orphaned messages failed'));
    let nextSignIn = 0;
    while (this.running) {
      if (!this.outbox.signNo && Date.now() >= nextSignIn) {
        nextSignIn = Date.now() + SIGN_IN_RETRY_MS;
        await this.signIn().catch((err: unknown) => this.logger.warn({ err }, 'sign-in (9001) failed; retrying later'));
      }
      let claimed = 0;
      try {
        claimed = await this.tick();
      } catch (err) {
        this.logger.error({ err }, 'claiming outbox messages failed');
      }
      if (!this.running) {
        break;
      }
      // Busy: come back as soon as a slot frees. Idle or held back: poll.
      const full = this.inFlight.size >= this.config.concurrency;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (!full && claimed === 0) {
          this.timer = setTimeout(resolve, Math.max(this.limiter.waitMs(), this.monitor.mode === 'emergency' ? 50 : this.config.pollIntervalMs));
        } else if (!full) {
          setImmediate(resolve);
        }
      });
      this.wake = undefined;
    }
  }

  private async process(message: OutboxMessage): Promise<void> {
    if (message.queryFirst) {
      const known = await this.query(message);
      if (known !== 'not-received') {
        return;
      }
    }
    await this.send(message);
  }

  /** Asks the insurer what became of `message`. Settles it when the answer is known. */
  private async query(message: OutboxMessage): Promise<'settled' | 'not-received' | 'still-unknown'> {
    const started = this.clock.now();
    const queryMessage = await this.outbox.detachedDraft({ infno: INFNO.queryByMsgid, input: { omsgid: message.msgid, oinfno: this.profile.wireInfno(message.infno) } });
    const outcome = await this.client.send(INFNO.queryByMsgid, JSON.stringify(this.sign(queryMessage)));
    if (outcome.kind === 'reply' && outcome.reply.infcode === INFCODE.unknownMsgid) {
      await this.recordAttempt(message, 'query', started, outcome, 'not-received', 'the insurer never received it: sending');
      return 'not-received';
    }
    if (outcome.kind === 'reply' && outcome.reply.infcode === INFCODE.ok) {
      const original = (this.profile.decodeOutput(INFNO.queryByMsgid, outcome.reply.output) as { reply?: ReplyEnvelope } | null)?.reply;
      if (original && typeof original.infcode === 'number') {
        const settled: AttemptOutcome = original.infcode === INFCODE.ok ? 'delivered' : 'rejected';
        await this.recordAttempt(message, 'query', started, outcome, settled, `query by msgid: infcode ${original.infcode}`);
        await this.finish(message, settled === 'delivered' ? 'delivered' : 'rejected', original);
        return 'settled';
      }
    }
    await this.recordAttempt(message, 'query', started, outcome, this.outcomeOf(outcome), 'query by msgid gave no answer');
    await this.retry(message, 'unknown', describe(outcome));
    return 'still-unknown';
  }

  private async send(message: OutboxMessage): Promise<void> {
    let envelope = message.envelope;
    if (!envelope) {
      // Signed once and stored before the first send, so every resend is byte-identical.
      envelope = JSON.stringify(this.sign(JSON.parse(message.draft as string) as Unsigned<RequestEnvelope>));
      await this.dataSource.getRepository(OutboxMessage).update({ id: message.id, claimedBy: this.instanceId }, { envelope });
    }
    const started = this.clock.now();
    const outcome = await this.client.send(message.infno, envelope);
    const result = this.outcomeOf(outcome);
    await this.recordAttempt(message, 'send', started, outcome, result, describe(outcome));
    switch (result) {
      case 'delivered':
      case 'rejected': {
        await this.finish(message, result, (outcome as { reply: ReplyEnvelope }).reply);
        return;
      }
      case 'unavailable':
      case 'not-sent':
        await this.retry(message, 'pending', describe(outcome));
        return;
      case 'bad-signature':
        await this.audit.record({
          actor: { type: 'system', id: 'upstream.dispatcher' },
          action: 'upstream.reply.bad-signature',
          outcome: 'failure',
          details: { msgid: message.msgid, infno: message.infno },
        });
        await this.retry(message, 'unknown', describe(outcome));
        return;
      case 'unknown':
      case 'not-received':
        await this.retry(message, 'unknown', describe(outcome));
        return;
    }
  }

  /** Our draft → the signed wire envelope (the profile maps the code and field names). */
  private sign(draft: Unsigned<RequestEnvelope>): RequestEnvelope {
    return signEnvelope<RequestEnvelope>(
      {
        ...draft,
        infno: this.profile.wireInfno(draft.infno),
        input: this.profile.encodeInput(draft.infno, draft.input),
        cainfo: this.key.id,
        sign_no: draft.sign_no || this.outbox.signNo,
      },
      this.key,
    );
  }

  private outcomeOf(outcome: SendOutcome): AttemptOutcome {
    switch (outcome.kind) {
      case 'reply':
        if (outcome.reply.infcode === INFCODE.ok) {
          return 'delivered';
        }
        return outcome.reply.infcode === INFCODE.unavailable ? 'unavailable' : 'rejected';
      case 'bad-signature':
        return 'bad-signature';
      case 'not-sent':
        return 'not-sent';
      case 'unknown':
        return 'unknown';
    }
  }

  /**
   * The final update, claim-guarded, and in the same transaction the capability's completion hook
   * (OutboxService.onSettled): it runs only when this update took effect, so exactly once per message.
   */
  private async finish(message: OutboxMessage, status: 'delivered' | 'rejected', reply: ReplyEnvelope): Promise<void> {
    const now = this.clock.now();
    const fields = { infcode: reply.infcode, reply: JSON.stringify(reply), lastError: reply.err_msg };
    const output = reply.output === undefined || reply.output === null ? null : this.profile.decodeOutput(message.infno, reply.output);
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        OutboxMessage,
        { id: message.id, claimedBy: this.instanceId, status: 'sending' },
        { status, ...fields, finishedAt: now, updatedAt: now, claimedBy: null, leaseUntil: null, queryFirst: false },
      );
      if (result.affected === 1) {
        const settled: OutboxMessage = { ...message, status, ...fields, finishedAt: now, updatedAt: now, claimedBy: null, leaseUntil: null, queryFirst: false };
        await this.outbox.runSettledHandlers(manager, settled, { status, infcode: reply.infcode, output, errMsg: reply.err_msg ?? null });
      }
    });
  }

  private async retry(message: OutboxMessage, status: 'pending' | 'unknown', error: string): Promise<void> {
    const now = this.clock.now();
    const attempts = message.attempts + 1;
    const delay = status === 'unknown'
      ? backoffMs(attempts, UNKNOWN_RETRY_BASE_MS, this.config.backoffMaxMs)
      : backoffMs(attempts, this.config.backoffBaseMs, this.config.backoffMaxMs);
    await this.dataSource.getRepository(OutboxMessage).update(
      { id: message.id, claimedBy: this.instanceId, status: 'sending' },
      {
        status,
        attempts,
        nextAttemptAt: new Date(now.getTime() + delay),
        lastError: error.slice(0, 500),
        updatedAt: now,
        claimedBy: null,
        leaseUntil: null,
        queryFirst: status === 'unknown',
      },
    );
  }

  private async recordAttempt(message: OutboxMessage, kind: 'send' | 'query', started: Date, outcome: SendOutcome, result: AttemptOutcome, detail: string): Promise<void> {
    if (outcome.kind === 'reply') {
      this.monitor.reachable();
    } else if (outcome.kind === 'not-sent' || outcome.kind === 'unknown') {
      this.monitor.unreachable();
    }
    this.metrics?.observe(kind, result, outcome.latencyMs);
    const attempt: QueryDeepPartialEntity<OutboxAttempt> = {
      id: uuidv7(),
      messageId: message.id,
      kind,
      instanceId: this.instanceId,
      startedAt: started,
      latencyMs: outcome.latencyMs,
      outcome: result,
      httpStatus: outcome.httpStatus,
      detail: detail.slice(0, 500),
    };
    await this.dataSource.getRepository(OutboxAttempt).insert(attempt);
  }
}

function describe(outcome: SendOutcome): string {
  switch (outcome.kind) {
    case 'reply':
      return outcome.reply.infcode === INFCODE.ok ? 'infcode 0' : `infcode ${outcome.reply.infcode}: ${outcome.reply.err_msg ?? ''}`;
    case 'bad-signature':
    case 'not-sent':
    case 'unknown':
      return outcome.detail;
  }
}

