import { createServer, RequestListener, Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { FastifyInstance, LightMyRequestResponse, InjectOptions } from 'fastify';
import { generateSm2Keys, isSm2PublicKey, SignatureKeys } from '../upstream/protocol/sm2-signer';
import { registerControlRoutes } from './control-routes';
import { FaultControl } from './faults';
import { AuditOffice, DEFAULT_AUDIT_DELAY_SECONDS } from './audits';
import { Ledger } from './ledger';
import { Listener } from './listener';
import { MessageStore, MessageView, SandboxStats } from './message-store';
import { PeopleDirectory } from './people';
import { TransactionProcessor } from './processor';
import { QrKind, QrTokens } from './qr-tokens';
import { SEED_PEOPLE, SeedPerson } from './seed-people';
import { registerTransactionRoute } from './transaction-route';
import { HANDLERS } from './transactions';
import { SANDBOX_HSM_SECRET } from './transactions/card-hsm-auth';

/**
 * The sandbox insurer: a real HTTP server playing the insurer side of the protocol
 * (docs/upstream-protocol.md) for development, demos and tests. Strict like a real insurer,
 * idempotent by msgid, with seeded people and switchable faults. Plain Fastify, no Nest.
 */
export interface SandboxInsurerOptions {
  /** cainfo → SM2 public key (hex) of each gateway allowed to call. More can be added at run time. */
  gatewayKeys: Record<string, string>;
  /** The insurer's signing keys; generated when omitted (fine for tests). */
  insurerKeys?: SignatureKeys;
  /** `cainfo` of every reply. */
  insurerKeyId?: string;
  clock?: { now(): Date };
  /** Lifetime of minted QR tokens. */
  qrTtlSeconds?: number;
  /** Seconds after a settlement before its audit result (3501) is released; default 60. */
  auditDelaySeconds?: number;
  people?: readonly SeedPerson[];
  /** Hex secret of the simulated card HSM (1165). */
  hsmSecret?: string;
  /** Source of the fault draws (errorRate, commitThenDrop); tests can make it deterministic. */
  random?: () => number;
  logger?: boolean;
}

export interface StartOptions {
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** Also listen here for /sandbox/* only; it stays open while the main port is down. */
  controlPort?: number;
}

export const DEFAULT_INSURER_KEY_ID = 'nx-gsbx-sandbox-01';
export const DEFAULT_QR_TTL_SECONDS = 60;
/** Uploads carry base64 PDFs of up to 10 MB. */
const BODY_LIMIT = 16 * 1024 * 1024;

export class SandboxInsurer {
  readonly app: FastifyInstance;
  readonly faults: FaultControl;
  readonly insurerKeyId: string;
  readonly publicKey: string;
  private readonly clock: { now(): Date };
  private readonly qrTtlSeconds: number;
  private readonly messages = new MessageStore();
  private readonly qrTokens = new QrTokens();
  private readonly people: PeopleDirectory;
  private readonly gatewayKeys: Map<string, string>;
  private readonly listener: Listener;
  private lifetime = new AbortController();

  constructor(options: SandboxInsurerOptions) {
    for (const [cainfo, key] of Object.entries(options.gatewayKeys)) {
      if (!isSm2PublicKey(key)) {
        throw new Error(`gateway key ${cainfo} is not an uncompressed SM2 public key (130 hex characters, 04…)`);
      }
    }
    const insurerKeys = options.insurerKeys ?? generateSm2Keys();
    this.insurerKeyId = options.insurerKeyId ?? DEFAULT_INSURER_KEY_ID;
    this.publicKey = insurerKeys.publicKey;
    this.clock = options.clock ?? { now: () => new Date() };
    this.qrTtlSeconds = options.qrTtlSeconds ?? DEFAULT_QR_TTL_SECONDS;
    this.people = new PeopleDirectory(options.people ?? SEED_PEOPLE);
    this.gatewayKeys = new Map(Object.entries(options.gatewayKeys));

    const captured: { handler?: RequestListener; server?: Server } = {};
    this.app = Fastify({
      logger: options.logger ?? false,
      bodyLimit: BODY_LIMIT,
      // We own the sockets (see Listener): Fastify only routes.
      serverFactory: (handler) => {
        captured.handler = handler;
        captured.server = createServer(handler);
        return captured.server;
      },
    });
    if (!captured.handler || !captured.server) {
      throw new Error('Fastify did not call serverFactory');
    }
    this.listener = new Listener(captured.server, captured.handler);
    this.faults = new FaultControl((down) => this.listener.setDown(down), options.random);

    const ledger = new Ledger(new AuditOffice((options.auditDelaySeconds ?? DEFAULT_AUDIT_DELAY_SECONDS) * 1000));
    const processor = new TransactionProcessor({
      clock: this.clock,
      insurerKeys,
      insurerKeyId: this.insurerKeyId,
      gatewayKeys: this.gatewayKeys,
      messages: this.messages,
      ledger,
      people: this.people,
      qrTokens: this.qrTokens,
      hsmSecret: options.hsmSecret ?? SANDBOX_HSM_SECRET,
      handlers: HANDLERS,
    });
    registerTransactionRoute(this.app, {
      processor,
      faults: this.faults,
      messages: this.messages,
      listener: this.listener,
      delay: (ms) => this.delay(ms),
    });
    registerControlRoutes(this.app, {
      faults: this.faults,
      messages: this.messages,
      listener: this.listener,
      mintQrToken: (certno, kind) => this.mintQrToken(certno, kind),
      gatewayKeys: this.gatewayKeys,
      people: this.people,
      ledger,
      clock: this.clock,
    });
  }

  /** Listens and returns the base URL (`http://host:port`). */
  async start(options: StartOptions = {}): Promise<string> {
    await this.app.ready();
    this.lifetime = new AbortController();
    await this.listener.start(options.host ?? '127.0.0.1', options.port ?? 0, options.controlPort);
    if (this.faults.get().down) {
      await this.listener.setDown(true);
    }
    return this.url;
  }

  get url(): string {
    const url = this.listener.url;
    if (url === undefined) {
      throw new Error('the sandbox insurer is not started');
    }
    return url;
  }

  get controlUrl(): string | undefined {
    return this.listener.controlUrl;
  }

  async stop(): Promise<void> {
    this.lifetime.abort();
    await this.listener.stop();
    await this.app.close();
  }

  /** In-process requests (Fastify inject): no socket, so `down`, timeout and drops do not apply. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.app.inject(options);
  }

  stats(): SandboxStats {
    return this.messages.stats();
  }

  message(msgid: string): MessageView | undefined {
    return this.messages.view(msgid);
  }

  /** A QR token for this person, as their phone would show it; undefined for an unknown certno. */
  mintQrToken(certno: string, kind: QrKind = 'ecard'): { token: string; expiresAt: string } | undefined {
    if (this.people.byCertNo(certno) === undefined) {
      return undefined;
    }
    const record = this.qrTokens.mint(certno, kind, this.clock.now(), this.qrTtlSeconds);
    return { token: record.token, expiresAt: record.expiresAt.toISOString() };
  }

  registerGatewayKey(cainfo: string, publicKey: string): void {
    if (!isSm2PublicKey(publicKey)) {
      throw new Error(`gateway key ${cainfo} is not an uncompressed SM2 public key`);
    }
    this.gatewayKeys.set(cainfo, publicKey);
  }

  private async delay(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.lifetime.signal });
      return true;
    } catch {
      return false;
    }
  }
}
