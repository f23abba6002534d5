import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, Min, ValidateNested, IsIP, IsObject, Length } from 'class-validator';
import { CONFIG_TEXT } from '../platform';

/** `upstream:` — the insurer link and the outbox dispatcher; `sandboxInsurer:` — the insurer started inside the gateway. */
export class UpstreamSigningConfig {
  /** JSON file { "id": "<key id>", "privateKey": "<64 hex>", "publicKey": "<130 hex>" }: the gateway's SM2 key. */
  @IsString({ message: CONFIG_TEXT })
  keyFile: string;

  /** The insurer's SM2 public key (130 hex characters, 04…), to verify replies. */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^$|^04[0-9a-fA-F]{128}$/, {
    message: 'expected an uncompressed SM2 public key: 130 hex characters starting with 04',
  })
  insurerPublicKey: string;
}

export class UpstreamTlsConfig {
  /** PEM file of the CA that signed the insurer's certificate; empty = the system CAs. */
  @IsString({ message: CONFIG_TEXT })
  caFile: string;

  /** PEM client certificate and key, when the insurer requires mutual TLS. */
  @IsString({ message: CONFIG_TEXT })
  certFile: string;

  @IsString({ message: CONFIG_TEXT })
  keyFile: string;
}

export class DispatcherConfig {
  @IsBoolean({ message: 'expected true or false' })
  enabled: boolean;

  /** Messages in flight at once, per gateway instance. */
  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected 1 to 64' })
  @Max(64, { message: 'expected 1 to 64' })
  concurrency: number;

  /** How often to look for due messages when the queue was empty, in ms. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(10, { message: 'expected at least 10 ms' })
  pollIntervalMs: number;

  /** How long a claimed message belongs to one instance before others may take it over, in ms. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1000, { message: 'expected at least 1000 ms' })
  leaseMs: number;

  /** First retry delay; doubles per attempt, with full jitter, up to backoffMaxMs. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1, { message: 'expected at least 1 ms' })
  backoffBaseMs: number;

  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1, { message: 'expected at least 1 ms' })
  backoffMaxMs: number;

  /** At most this many sends per second per instance, so a backlog drains without a storm. */
  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected at least 1 per second' })
  maxSendsPerSecond: number;

  /** Delivered messages keep their bodies (envelope, reply) this many days; metadata is kept. 0 = forever. */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(0, { message: 'expected 0 (keep) or more days' })
  keepDeliveredBodiesDays: number;
}

export class EmergencyConfig {
  /** The insurer unreachable this long (ms) → emergency mode. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(100, { message: 'expected at least 100 ms' })
  afterMs: number;

  /** In emergency mode, one probe message at most this often (ms). */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(50, { message: 'expected at least 50 ms' })
  probeIntervalMs: number;
}

export class UpstreamConfig {
  /** Base URL of the insurer interface, e.g. https://gs.nx.hrss.local/fsi; empty = no insurer link (messages queue). */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^$|^https?:\/\/[^\s]+$/, { message: 'expected an http(s) URL or an empty string' })
  baseUrl: string;

  /** recer_sys_code of the envelope: the receiving system's code. */
  @IsString({ message: CONFIG_TEXT })
  @Length(1, 20, { message: 'expected 1 to 20 characters' })
  recerSysCode: string;

  /** Per-request timeout in ms, unless timeoutsMs names the transaction. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(100, { message: 'expected at least 100 ms' })
  defaultTimeoutMs: number;

  /** A protocol profile file mapping our transactions to this insurer's wire format; empty = as documented. */
  @IsString({ message: CONFIG_TEXT })
  profileFile: string;

  /** Timeouts by transaction code, e.g. { "2207": 20000 }. */
  @IsObject({ message: 'expected a mapping of transaction code to milliseconds' })
  timeoutsMs: Record<string, number>;

  @ValidateNested()
  @Type(() => UpstreamSigningConfig)
  signing: UpstreamSigningConfig;

  @ValidateNested()
  @Type(() => UpstreamTlsConfig)
  tls: UpstreamTlsConfig;

  @ValidateNested()
  @Type(() => DispatcherConfig)
  dispatcher: DispatcherConfig;

  @ValidateNested()
  @Type(() => EmergencyConfig)
  emergency: EmergencyConfig;
}

export class SandboxInsurerConfig {
  /** Start the sandbox insurer inside the gateway (sandbox mode only) and send to it. */
  @IsBoolean({ message: 'expected true or false' })
  enabled: boolean;

  @IsIP(undefined, { message: 'expected an IP address, e.g. 127.0.0.1' })
  host: string;

  @IsInt({ message: 'expected a whole number' })
  @Min(0, { message: 'expected a port from 0 to 65535' })
  @Max(65535, { message: 'expected a port from 0 to 65535' })
  port: number;
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    upstream: UpstreamConfig;
    sandboxInsurer: SandboxInsurerConfig;
  }
}
