import axios, { AxiosError, AxiosInstance } from 'axios';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { UpstreamConfig } from '../upstream.config';
import { ReplyEnvelope, verifyEnvelope } from '../protocol/envelope';
import { sm2VerifyKey, Sm2VerifyKey } from '../protocol/sm2-signer';

/** What became of one HTTP exchange with the insurer. */
export type SendOutcome =
  /** A reply whose signature verified. */
  | { kind: 'reply'; reply: ReplyEnvelope; httpStatus: number; latencyMs: number }
  /** A reply arrived but its signature did not verify: its content cannot be trusted. */
  | { kind: 'bad-signature'; httpStatus: number; latencyMs: number; detail: string }
  /** Nothing reached the insurer (connection refused, name not resolved, HTTP 4xx): safe to send again. */
  | { kind: 'not-sent'; httpStatus: number | null; latencyMs: number; detail: string }
  /** It may have arrived (timeout, reset, 5xx): resolve by query before sending again. */
  | { kind: 'unknown'; httpStatus: number | null; latencyMs: number; detail: string };

/** Connection errors raised before a request could have been written. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/**
 * The HTTP transport to the insurer: POST <baseUrl>/api/transaction with a signed envelope.
 * Verifies every reply's signature and classifies failures, but never retries by itself:
 * whether to resend is the outbox dispatcher's decision.
 */
export class UpstreamClient {
  private readonly http: AxiosInstance;
  /** The insurer's key, prepared once for verifying every reply (a key that is no curve point verifies nothing). */
  private readonly insurerKey: Sm2VerifyKey | string;

  constructor(
    private readonly config: UpstreamConfig,
    insurerPublicKey: string,
  ) {
    this.insurerKey = preparedKey(insurerPublicKey);
    const tls = config.tls;
    this.http = axios.create({
      baseURL: config.baseUrl.replace(/\/+$/, ''),
      headers: { 'content-type': 'application/json; charset=utf-8' },
      // We judge statuses ourselves; axios must not turn them into exceptions.
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      maxRedirects: 0,
      httpAgent: new HttpAgent({ keepAlive: true }),
      httpsAgent: new Agent({
        keepAlive: true,
        ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
        cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
        key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
      }),
    });
  }

  timeoutFor(infno: string): number {
    const specific = Number(this.config.timeoutsMs[infno]);
    return Number.isFinite(specific) && specific > 0 ? specific : this.config.defaultTimeoutMs;
  }

  async send(infno: string, signedEnvelope: string): Promise<SendOutcome> {
    const started = performance.now();
    const latency = (): number => Math.round(performance.now() - started);
    try {
      const res = await this.http.post<string>('/api/transaction', signedEnvelope, { timeout: this.timeoutFor(infno) });
      if (res.status >= 500) {
        return { kind: 'unknown', httpStatus: res.status, latencyMs: latency(), detail: `HTTP ${res.status}` };
      }
      if (res.status !== 200) {
        return { kind: 'not-sent', httpStatus: res.status, latencyMs: latency(), detail: `HTTP ${res.status}` };
      }
      let reply: unknown;
      try {
        reply = JSON.parse(res.data);
      } catch {
        return { kind: 'bad-signature', httpStatus: res.status, latencyMs: latency(), detail: 'reply is not JSON' };
      }
      if (typeof reply !== 'object' || reply === null || !verifyEnvelope(reply, this.insurerKey)) {
        return {
          kind: 'bad-signature',
          httpStatus: res.status,
          latencyMs: latency(),
          detail: 'reply signature does not verify with the insurer public key',
        };
      }
      return { kind: 'reply', reply: reply as ReplyEnvelope, httpStatus: res.status, latencyMs: latency() };
    } catch (e) {
      const err = e as AxiosError;
      const code = err.code ?? '';
      const detail = `${code || 'error'}: ${err.message}`.slice(0, 300);
      if (NOT_SENT_CODES.has(code)) {
        return { kind: 'not-sent', httpStatus: null, latencyMs: latency(), detail };
      }
      return { kind: 'unknown', httpStatus: null, latencyMs: latency(), detail };
    }
  }
}

function preparedKey(publicKey: string): Sm2VerifyKey | string {
  try {
    return sm2VerifyKey(publicKey);
  } catch {
    return publicKey;
  }
}
