import type { OperatorType, ReplyEnvelope } from './protocol/envelope';
import { RequestEnvelope, signEnvelope } from './protocol/envelope';
import type { ProtocolProfile } from './protocol/profile';
import { INFCODE, INFNO } from './protocol/transactions';
import type { UpstreamClient } from './client/upstream-client';
import type { LinkMonitor } from './link-monitor';
import type { OutboxService } from './outbox/outbox.service';
import type { GatewaySigningKey } from './signing-keys';
import {
  UpstreamNotConfiguredError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
  UpstreamUnknownOutcomeError,
} from './upstream.errors';

/** What the insurer holds for one of our messages (9201): its stored reply, the output read as the original's. */
export interface StoredReply {
  reply: ReplyEnvelope;
  /** The stored reply's output, decoded as the original transaction's (our field names); null when none. */
  output: unknown;
}

export interface CallResult<O> {
  output: O;
  msgid: string;
  warning: string | null;
  reply: ReplyEnvelope<O>;
}

/**
 * Request–reply calls that answer a person at the desk now and change nothing at the insurer
 * (person and eligibility query, QR decode, card HSM step). They are signed and verified like
 * every message but not queued: a lost query is simply asked again. Anything with effects
 * (settlement, reversal, uploads) must go through the outbox.
 */
export class UpstreamCalls {
  constructor(
    /** null when no insurer link is configured: every call then says so. */
    private readonly connection: { client: UpstreamClient; key: GatewaySigningKey } | null,
    private readonly outbox: OutboxService,
    private readonly monitor: LinkMonitor,
    private readonly profile: ProtocolProfile,
  ) {}

  async call<O>(
    infno: string,
    input: unknown,
    operator?: { type: OperatorType; id: string; name: string },
  ): Promise<CallResult<O>> {
    if (!this.connection) {
      throw new UpstreamNotConfiguredError();
    }
    const { client, key } = this.connection;
    const draft = await this.outbox.detachedDraft({ infno, input, operator });
    const envelope = signEnvelope<RequestEnvelope>(
      {
        ...draft,
        infno: this.profile.wireInfno(infno),
        input: this.profile.encodeInput(infno, input),
        cainfo: key.id,
        sign_no: this.outbox.signNo,
      },
      key,
    );
    const outcome = await client.send(infno, JSON.stringify(envelope));
    switch (outcome.kind) {
      case 'reply': {
        this.monitor.reachable();
        const reply = outcome.reply as ReplyEnvelope<O>;
        if (reply.infcode === INFCODE.ok && reply.output !== null) {
          return {
            output: this.profile.decodeOutput(infno, reply.output) as O,
            msgid: draft.msgid,
            warning: reply.warn_msg,
            reply,
          };
        }
        if (reply.infcode === INFCODE.unavailable) {
          throw new UpstreamUnavailableError(reply.err_msg ?? 'insurer unavailable');
        }
        throw new UpstreamRejectedError(reply.infcode, reply.err_msg ?? `infcode ${reply.infcode}`);
      }
      case 'not-sent':
        this.monitor.unreachable();
        throw new UpstreamUnavailableError(outcome.detail);
      case 'unknown':
        this.monitor.unreachable();
        throw new UpstreamUnknownOutcomeError(draft.msgid, outcome.detail);
      case 'bad-signature':
        throw new UpstreamUnknownOutcomeError(draft.msgid, outcome.detail);
    }
  }

  /**
   * 9201: asks the insurer what became of one of our messages (`msgid` of transaction `infno`, our
   * code). Its stored reply, or null when it never received that msgid. Changes nothing at the
   * insurer; IT's review of a settlement uses it (the dispatcher asks its own way, MessageDelivery).
   */
  async queryByMsgid(msgid: string, infno: string): Promise<StoredReply | null> {
    try {
      const { output } = await this.call<{ reply?: ReplyEnvelope }>(INFNO.queryByMsgid, {
        omsgid: msgid,
        oinfno: this.profile.wireInfno(infno),
      });
      const reply = output?.reply;
      if (!reply || typeof reply.infcode !== 'number') {
        throw new UpstreamUnknownOutcomeError(msgid, '9201 answered without the stored reply');
      }
      const stored = reply.output === undefined || reply.output === null ? null : reply.output;
      return { reply, output: stored === null ? null : this.profile.decodeOutput(infno, stored) };
    } catch (e) {
      if (e instanceof UpstreamRejectedError && e.infcode === INFCODE.unknownMsgid) {
        return null;
      }
      throw e;
    }
  }
}
