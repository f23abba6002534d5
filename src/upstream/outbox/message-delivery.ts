import { type AuditService, type Clock, systemPrincipal, type Transactions, uuidv7 } from '../../platform';
import type { DispatcherConfig } from '../upstream.config';
import type { SendOutcome, UpstreamClient } from '../client/upstream-client';
import type { LinkMonitor } from '../link-monitor';
import { ReplyEnvelope, RequestEnvelope, signEnvelope, Unsigned } from '../protocol/envelope';
import type { ProtocolProfile } from '../protocol/profile';
import { INFCODE, INFNO } from '../protocol/transactions';
import type { GatewaySigningKey } from '../signing-keys';
import type { UpstreamMetrics } from '../upstream.metrics';
import { backoffMs } from './backoff';
import type { AttemptOutcome } from './outbox-attempt.entity';
import type { OutboxMessage } from './outbox-message.entity';
import type { OutboxMessageRepository } from './outbox-message.repository';
import type { OutboxService } from './outbox.service';

export interface MessageDeliveryDeps {
  /** Whose claim this delivery acts under (every change after a send is conditional on it). */
  instanceId: string;
  messages: OutboxMessageRepository;
  transactions: Transactions;
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

/** Delay before asking about a message whose fate is unknown: short, a query is cheap and safe. */
const UNKNOWN_RETRY_BASE_MS = 200;

/**
 * Delivers one claimed message: sends it, or first asks the insurer about it by msgid (9201) when
 * it may already have arrived, records the attempt, and settles or reschedules it — every change
 * conditional on still holding the claim.
 *
 * The rules: a verified reply settles a message (delivered or rejected, final); a message that
 * might have arrived (timeout, dropped reply, crash, unverifiable reply) is never resent
 * blindly — the next step is a 9201 query by msgid, and only "never received" allows a resend.
 */
export class MessageDelivery {
  constructor(private readonly deps: MessageDeliveryDeps) {}

  async deliver(message: OutboxMessage): Promise<void> {
    if (message.queryFirst) {
      const known = await this.query(message);
      if (known !== 'not-received') {
        return;
      }
    }
    await this.send(message);
  }

  /** Our draft → the signed wire envelope (the profile maps the code and field names). */
  sign(draft: Unsigned<RequestEnvelope>): RequestEnvelope {
    const { profile, key, outbox } = this.deps;
    return signEnvelope<RequestEnvelope>(
      {
        ...draft,
        infno: profile.wireInfno(draft.infno),
        input: profile.encodeInput(draft.infno, draft.input),
        cainfo: key.id,
        sign_no: draft.sign_no || outbox.signNo,
      },
      key,
    );
  }

  /** Asks the insurer what became of `message`. Settles it when the answer is known. */
  private async query(message: OutboxMessage): Promise<'settled' | 'not-received' | 'still-unknown'> {
    const { clock, outbox, client, profile } = this.deps;
    const started = clock.now();
    const queryMessage = await outbox.detachedDraft({
      infno: INFNO.queryByMsgid,
      input: { omsgid: message.msgid, oinfno: profile.wireInfno(message.infno) },
    });
    const outcome = await client.send(INFNO.queryByMsgid, JSON.stringify(this.sign(queryMessage)));
    if (outcome.kind === 'reply' && outcome.reply.infcode === INFCODE.unknownMsgid) {
      await this.recordAttempt(
        message,
        'query',
        started,
        outcome,
        'not-received',
        'the insurer never received it: sending',
      );
      return 'not-received';
    }
    if (outcome.kind === 'reply' && outcome.reply.infcode === INFCODE.ok) {
      const original = (
        profile.decodeOutput(INFNO.queryByMsgid, outcome.reply.output) as { reply?: ReplyEnvelope } | null
      )?.reply;
      if (original && typeof original.infcode === 'number') {
        const settled: AttemptOutcome = original.infcode === INFCODE.ok ? 'delivered' : 'rejected';
        await this.recordAttempt(
          message,
          'query',
          started,
          outcome,
          settled,
          `query by msgid: infcode ${original.infcode}`,
        );
        await this.finish(message, settled === 'delivered' ? 'delivered' : 'rejected', original);
        return 'settled';
      }
    }
    await this.recordAttempt(message, 'query', started, outcome, outcomeOf(outcome), 'query by msgid gave no answer');
    await this.retry(message, 'unknown', describe(outcome));
    return 'still-unknown';
  }

  private async send(message: OutboxMessage): Promise<void> {
    const { messages, instanceId, clock, client, audit } = this.deps;
    let envelope = message.envelope;
    if (!envelope) {
      // Signed once and stored before the first send, so every resend is byte-identical.
      envelope = JSON.stringify(this.sign(JSON.parse(message.draft as string) as Unsigned<RequestEnvelope>));
      await messages.storeEnvelope(message.id, instanceId, envelope);
    }
    const started = clock.now();
    const outcome = await client.send(message.infno, envelope);
    const result = outcomeOf(outcome);
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
        await audit.record({
          actor: systemPrincipal('upstream.dispatcher'),
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

  /**
   * The final update, claim-guarded, and in the same transaction the capability's completion hook
   * (OutboxService.onSettled): it runs only when this update took effect, so exactly once per message.
   */
  private async finish(message: OutboxMessage, status: 'delivered' | 'rejected', reply: ReplyEnvelope): Promise<void> {
    const { messages, transactions, outbox, instanceId, clock, profile } = this.deps;
    const now = clock.now();
    const fields = { infcode: reply.infcode, reply: JSON.stringify(reply), lastError: reply.err_msg };
    const output =
      reply.output === undefined || reply.output === null ? null : profile.decodeOutput(message.infno, reply.output);
    const changes = {
      status,
      ...fields,
      finishedAt: now,
      updatedAt: now,
      claimedBy: null,
      leaseUntil: null,
      queryFirst: false,
    };
    await transactions.run(async (manager) => {
      if (await messages.settle(manager, message.id, instanceId, changes)) {
        const settled: OutboxMessage = { ...message, ...changes };
        await outbox.runSettledHandlers(manager, settled, {
          status,
          infcode: reply.infcode,
          output,
          errMsg: reply.err_msg ?? null,
          warnMsg: reply.warn_msg ?? null,
        });
      }
    });
  }

  private async retry(message: OutboxMessage, status: 'pending' | 'unknown', error: string): Promise<void> {
    const { messages, instanceId, clock, config } = this.deps;
    const now = clock.now();
    const attempts = message.attempts + 1;
    const delay =
      status === 'unknown'
        ? backoffMs(attempts, UNKNOWN_RETRY_BASE_MS, config.backoffMaxMs)
        : backoffMs(attempts, config.backoffBaseMs, config.backoffMaxMs);
    await messages.reschedule(message.id, instanceId, {
      status,
      attempts,
      nextAttemptAt: new Date(now.getTime() + delay),
      lastError: error.slice(0, 500),
      updatedAt: now,
      claimedBy: null,
      leaseUntil: null,
      queryFirst: status === 'unknown',
    });
  }

  private async recordAttempt(
    message: OutboxMessage,
    kind: 'send' | 'query',
    started: Date,
    outcome: SendOutcome,
    result: AttemptOutcome,
    detail: string,
  ): Promise<void> {
    const { messages, instanceId, monitor, metrics } = this.deps;
    if (outcome.kind === 'reply') {
      monitor.reachable();
    } else if (outcome.kind === 'not-sent' || outcome.kind === 'unknown') {
      monitor.unreachable();
    }
    metrics?.observe(kind, result, outcome.latencyMs);
    await messages.recordAttempt({
      id: uuidv7(),
      messageId: message.id,
      kind,
      instanceId,
      startedAt: started,
      latencyMs: outcome.latencyMs,
      outcome: result,
      httpStatus: outcome.httpStatus,
      detail: detail.slice(0, 500),
    });
  }
}

function outcomeOf(outcome: SendOutcome): AttemptOutcome {
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

function describe(outcome: SendOutcome): string {
  switch (outcome.kind) {
    case 'reply':
      return outcome.reply.infcode === INFCODE.ok
        ? 'infcode 0'
        : `infcode ${outcome.reply.infcode}: ${outcome.reply.err_msg ?? ''}`;
    case 'bad-signature':
    case 'not-sent':
    case 'unknown':
      return outcome.detail;
  }
}
