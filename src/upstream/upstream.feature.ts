import type { ConfigCheck, GatewayConfig, GatewayFeature } from '../platform';
import { Outbox1764115200000 } from './migrations/1764115200000-Outbox';
import { MsgidSequence } from './outbox/msgid-sequence.entity';
import { OutboxAttempt } from './outbox/outbox-attempt.entity';
import { OutboxMessage } from './outbox/outbox-message.entity';
import { OUTBOX_BODY_CONTEXTS } from './outbox/outbox-message.repository';
import { readSigningKey } from './signing-keys';
import { SandboxInsurerConfig, UpstreamConfig } from './upstream.config';
import { UPSTREAM_ERRORS } from './upstream.errors';

/** The insurer link: a signing key and the insurer's public key when there is one; what happens without. */
function checkUpstreamConfig(config: GatewayConfig): ConfigCheck {
  const check: ConfigCheck = { issues: [], warnings: [] };
  const { issues, warnings } = check;
  if (config.mode === 'production' && config.sandboxInsurer.enabled) {
    issues.push({
      key: 'sandboxInsurer.enabled',
      value: true,
      expected: 'false in production (the sandbox insurer is for development and demos)',
    });
  }
  const upstream = config.upstream;
  if (upstream.baseUrl) {
    if (!upstream.signing.insurerPublicKey) {
      issues.push({
        key: 'upstream.signing.insurerPublicKey',
        value: '',
        expected: "the insurer's SM2 public key (130 hex characters, 04…) to verify its replies",
      });
    }
    try {
      readSigningKey(upstream.signing.keyFile);
    } catch (e) {
      issues.push({
        key: 'upstream.signing.keyFile',
        value: upstream.signing.keyFile,
        expected: `the gateway's signing key file (${(e as Error).message})`,
      });
    }
  } else if (!(config.mode === 'sandbox' && config.sandboxInsurer.enabled)) {
    warnings.push('upstream.baseUrl is empty: nothing is sent to the insurer; messages wait in the outbox');
    const needHsm = config.devices.filter((d) => d.kind === 'ssse-card' && (d.cardAuth ?? 'hsm') === 'hsm');
    if (needHsm.length > 0) {
      warnings.push(
        `${needHsm.map((d) => d.id).join(', ')}: 3rd-generation cards need the insurer's HSM (1165), and no insurer link is configured; they will stop at "authentication required"`,
      );
    }
  }
  return check;
}

export const UPSTREAM_FEATURE: GatewayFeature = {
  name: 'upstream',
  entities: [OutboxMessage, OutboxAttempt, MsgidSequence],
  migrations: [Outbox1764115200000],
  config: [
    { key: 'upstream', type: UpstreamConfig },
    { key: 'sandboxInsurer', type: SandboxInsurerConfig },
  ],
  checkConfig: checkUpstreamConfig,
  errors: [UPSTREAM_ERRORS],
  // The bodies were stored in clear before they were encrypted: the re-encryption encrypts those rows.
  piiColumns: (['draft', 'envelope', 'reply'] as const).map((column) => ({
    table: 'outbox_message',
    idColumn: 'id',
    column,
    context: OUTBOX_BODY_CONTEXTS[column],
    legacyPlaintext: true,
  })),
};
