import { readSigningKey, GatewaySigningKey } from './signing-keys';
import type { UpstreamConfig } from './upstream.config';

/** Where the insurer is and which keys speak to it. */
export interface UpstreamLink {
  baseUrl: string;
  insurerPublicKey: string;
  signingKey: GatewaySigningKey;
  /** "config" for a real insurer, "sandbox" for the in-process sandbox insurer. */
  source: 'config' | 'sandbox';
}

/**
 * Provided by the sandbox module in sandbox mode (an insurer it started itself). Production
 * code only ever receives it as an optional injection; configuration always wins.
 */
export const SANDBOX_UPSTREAM_LINK = Symbol('SandboxUpstreamLink');

/** The link in use: null when none is configured (messages then wait in the outbox). */
export const UPSTREAM_LINK = Symbol('UpstreamLink');

export function resolveUpstreamLink(
  config: UpstreamConfig,
  sandbox: UpstreamLink | null | undefined,
): UpstreamLink | null {
  if (config.baseUrl) {
    return {
      baseUrl: config.baseUrl,
      insurerPublicKey: config.signing.insurerPublicKey,
      signingKey: readSigningKey(config.signing.keyFile),
      source: 'config',
    };
  }
  return sandbox ?? null;
}
