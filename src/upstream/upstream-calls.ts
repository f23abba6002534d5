import type { OperatorType, ReplyEnvelope } from './protocol/envelope';
import { RequestEnvelope, signEnvelope } from './protocol/envelope';
import type { ProtocolProfile } from './protocol/profile';
import { INFCODE } from './protocol/transactions';
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
}
