import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  IsIP,
  Length,
} from 'class-validator';
import { NotSecret, Secret } from './config-secrets';

/**
 * The one typed configuration object. Built once at start-up by `loadConfig()` from
 * `config/default.yaml`, an optional overlay file and `GW_*` environment variables,
 * then validated here. Nothing else in the code base reads `process.env`.
 *
 * Every constraint carries a message phrased as "expected …" so that the config
 * report reads `key: value — expected …`.
 */

/** YAML turns 640104 or 126401004540409473 into numbers: say so. */
export const CONFIG_TEXT = 'expected text (put the value in quotes in YAML)';

export const GATEWAY_MODES = ['production', 'sandbox'] as const;
export type GatewayMode = (typeof GATEWAY_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Bad API keys from one address (docs/security.md, "Request limits, brute-force protection and key expiry"). */
export class BadKeyConfig {
  /** Invalid keys from one address within `windowMinutes` before its bad attempts are slowed down. */
  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected 1 to 1000 failures' })
  @Max(1000, { message: 'expected 1 to 1000 failures' })
  threshold: number;

  @IsInt({ message: 'expected a whole number of minutes' })
  @Min(1, { message: 'expected 1 to 1440 minutes' })
  @Max(1440, { message: 'expected 1 to 1440 minutes' })
  windowMinutes: number;

  /** The first pause once the threshold is reached; it doubles with every further bad key. */
  @IsInt({ message: 'expected a whole number of seconds' })
  @Min(1, { message: 'expected 1 to 3600 seconds' })
  @Max(3600, { message: 'expected 1 to 3600 seconds' })
  baseDelaySeconds: number;

  /** The longest pause. */
  @IsInt({ message: 'expected a whole number of seconds' })
  @Min(1, { message: 'expected 1 to 86400 seconds' })
  @Max(86400, { message: 'expected 1 to 86400 seconds' })
  maxDelaySeconds: number;
}

/** A tighter limit for one route, e.g. a CPU-heavy PDF preview: `{ route: "POST /api/v1/forms/preview", perKey: 600 }`. */
export class RouteLimitConfig {
  /** The method and the route pattern as the API documents it (`/api/docs`), path parameters as `:name`. */
  @Matches(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, {
    message: 'expected "<METHOD> <route pattern>", e.g. "POST /api/v1/forms/preview"',
  })
  route: string;

  /** Requests per window to this route with one key or session (one address when the request has none). */
  @NotSecret()
  @IsInt({ message: 'expected a whole number of requests' })
  @Min(1, { message: 'expected at least 1 request' })
  perKey: number;
}

/** Requests per API key (or staff session) and per client address, counted in fixed windows per instance. */
export class RateLimitConfig {
  @IsBoolean({ message: 'expected true or false' })
  enabled: boolean;

  @IsInt({ message: 'expected a whole number of seconds' })
  @Min(1, { message: 'expected 1 to 3600 seconds' })
  @Max(3600, { message: 'expected 1 to 3600 seconds' })
  windowSeconds: number;

  /** Requests per window with one API key (by the key id in the token) or one staff session. */
  @NotSecret()
  @IsInt({ message: 'expected a whole number of requests' })
  @Min(1, { message: 'expected at least 1 request' })
  perKey: number;

  /** Requests per window from one client address, whatever the key. */
  @IsInt({ message: 'expected a whole number of requests' })
  @Min(1, { message: 'expected at least 1 request' })
  perAddress: number;

  /** Addresses or CIDR ranges never limited (the monitoring host, the load balancer's probes). */
  @IsArray({ message: 'expected a list of IP addresses or CIDR ranges' })
  @IsString({ each: true, message: 'expected a list of IP addresses or CIDR ranges' })
  exemptAddresses: string[];

  /** Tighter limits for single routes, on top of `perKey`. */
  @IsArray({ message: 'expected a list of { route, perKey }' })
  @ValidateNested({ each: true })
  @Type(() => RouteLimitConfig)
  routes: RouteLimitConfig[];

  @NotSecret()
  @ValidateNested()
  @Type(() => BadKeyConfig)
  badKeys: BadKeyConfig;
}

export const CLIENT_CERTIFICATE_MODES = ['off', 'optional', 'required'] as const;
export type ClientCertificateMode = (typeof CLIENT_CERTIFICATE_MODES)[number];

/** One client certificate allowed for one API key (docs/security.md#transport-https-mutual-tls-security-headers-tlcp). */
export class ClientCertBindingConfig {
  /** The API key's id: the 12 hex characters after `gwk_` (`gateway apikey list`). */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^[0-9a-f]{12}$/, { message: 'expected an API key id: 12 lower-case hex characters (gateway apikey list)' })
  keyId: string;

  /** SHA-256 fingerprint of the client certificate: `openssl x509 -noout -fingerprint -sha256 -in client.pem`. */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^\s*(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}\s*$|^\s*[0-9A-Fa-f]{64}\s*$/, {
    message: 'expected a SHA-256 fingerprint: 64 hex characters, with or without colons (AB:CD:…)',
  })
  sha256: string;
}

/** `server.tls`: HTTPS with the hospital's certificate, optionally mutual TLS for HIS clients. */
export class ServerTlsConfig {
  /** PEM server certificate (followed by its intermediates); empty = plain HTTP. */
  @IsString({ message: CONFIG_TEXT })
  certFile: string;

  /** PEM private key of that certificate. */
  @IsString({ message: CONFIG_TEXT })
  keyFile: string;

  /** The key file's passphrase, when it is encrypted; empty = not encrypted. */
  @Secret()
  @IsString({ message: CONFIG_TEXT })
  passphrase: string;

  /** PEM of the CA(s) that sign client certificates; needed when clientCertificates is not off. */
  @IsString({ message: CONFIG_TEXT })
  caFile: string;

  /** off: no client certificates; optional: asked for, checked when sent; required: no connection without one. */
  @IsIn(CLIENT_CERTIFICATE_MODES, { message: `expected one of ${CLIENT_CERTIFICATE_MODES.join(', ')}` })
  clientCertificates: ClientCertificateMode;

  /** Which client certificate may use which API key. */
  @IsArray({ message: 'expected a list of { keyId, sha256 }' })
  @ValidateNested({ each: true })
  @Type(() => ClientCertBindingConfig)
  clientCertBindings: ClientCertBindingConfig[];
}

export class ServerConfig {
  @IsIP(undefined, { message: 'expected an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0' })
  host: string;

  @IsInt({ message: 'expected a whole number' })
  @Min(0, { message: 'expected a port from 0 to 65535' })
  @Max(65535, { message: 'expected a port from 0 to 65535' })
  port: number;

  @IsBoolean({ message: 'expected true or false' })
  trustProxy: boolean;

  @IsInt({ message: 'expected a whole number of bytes' })
  @Min(1024, { message: 'expected at least 1024 bytes' })
  bodyLimitBytes: number;

  /** For the few routes that carry files or code batches (a scanned signed form, 100,000 trace codes): `@LargeBody()`. */
  @IsInt({ message: 'expected a whole number of bytes' })
  @Min(1024, { message: 'expected at least 1024 bytes' })
  largeBodyLimitBytes: number;

  @ValidateNested()
  @Type(() => RateLimitConfig)
  rateLimit: RateLimitConfig;

  @ValidateNested()
  @Type(() => ServerTlsConfig)
  tls: ServerTlsConfig;
}

export class DatabaseConfig {
  /** `sqlite:<path>` (relative to the working directory), `sqlite::memory:`, or `postgres://…`. Empty = `sqlite:<dataDir>/gateway.sqlite`. */
  @Secret('url-password')
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^$|^sqlite:.+|^postgres(ql)?:\/\/.+/, {
    message: 'expected sqlite:<path> or postgres://user@host:port/database',
  })
  url: string;

  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected at least 1 connection' })
  @Max(200, { message: 'expected at most 200 connections' })
  poolSize: number;

  @IsBoolean({ message: 'expected true or false' })
  migrateOnStart: boolean;

  /** PostgreSQL schema to use; empty = the server default (public). */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^$|^[a-z_][a-z0-9_]{0,62}$/, { message: 'expected a lower-case SQL identifier' })
  schema: string;
}

export class HospitalConfig {
  /** 定点医药机构编号 (fixmedins_code): the insurer's 12-character institution code. */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^[A-Z0-9]{12}$/, { message: 'expected 12 characters (upper-case letters and digits)' })
  fixmedinsCode: string;

  /** The institution's registered name, as in the agreement. */
  @IsString({ message: CONFIG_TEXT })
  @Length(2, 100, { message: 'expected the institution name (2 to 100 characters)' })
  name: string;

  /** 行政区划代码 of the institution's location: 6 digits, Ningxia starts with 64. */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^\d{6}$/, { message: 'expected a 6-digit region code (行政区划代码), e.g. 640104' })
  admdvs: string;

  /** 统一社会信用代码 (18 characters, GB 32100). A failing check character is a warning only. */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^[0-9A-HJ-NPQRTUWXY]{18}$/, {
    message: 'expected an 18-character unified social credit code (digits and upper-case letters, no I/O/S/V/Z)',
  })
  creditCode: string;
}

/** Ciphers a PII key can be for: SM4-GCM (GB/T 32907, the default) or AES-256-GCM (older keyrings). */
export const PII_CIPHERS = ['sm4-gcm', 'aes-256-gcm'] as const;
export type PiiCipher = (typeof PII_CIPHERS)[number];

/** Keyed hashes for lookups: HMAC-SM3 (GB/T 32905) with SM4 keys, HMAC-SHA256 with AES keys. */
export const PII_LOOKUP_ALGORITHMS = ['hmac-sm3', 'hmac-sha256'] as const;
export type PiiLookupAlgorithm = (typeof PII_LOOKUP_ALGORITHMS)[number];

export class KeyringEntryConfig {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'expected a key id of 1 to 32 letters, digits, _ or -' })
  id: string;

  /** Absent means aes-256-gcm (keyrings written before SM4 stay readable unchanged). */
  @IsOptional()
  @IsIn(PII_CIPHERS, { message: `expected one of ${PII_CIPHERS.join(', ')}` })
  algorithm?: PiiCipher;

  /** base64 of 16 random bytes (sm4-gcm) or 32 (aes-256-gcm). */
  @Secret()
  @IsString({ message: CONFIG_TEXT })
  key: string;
}

export class LookupKeyConfig {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'expected a key id of 1 to 32 letters, digits, _ or -' })
  id: string;

  @IsIn(PII_LOOKUP_ALGORITHMS, { message: `expected one of ${PII_LOOKUP_ALGORITHMS.join(', ')}` })
  algorithm: PiiLookupAlgorithm;

  /** base64 of at least 32 random bytes. */
  @Secret()
  @IsString({ message: CONFIG_TEXT })
  key: string;
}

export class PiiKeyringConfig {
  @IsString({ message: CONFIG_TEXT })
  active: string;

  @ValidateNested({ each: true })
  @Type(() => KeyringEntryConfig)
  keys: KeyringEntryConfig[];

  /**
   * The lookup key of keyrings made before SM4 (HMAC-SHA256, id `legacy` among the lookup keys);
   * base64 of at least 32 bytes. Kept as long as the database holds hashes made with it (the audit log always does).
   */
  @Secret()
  @IsOptional()
  @IsString({ message: CONFIG_TEXT })
  hmacKey?: string;

  /** Lookup (keyed-hash) keys, oldest first. */
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => LookupKeyConfig)
  lookupKeys?: LookupKeyConfig[];

  /** The lookup key new hashes are made with; absent means `legacy` (the hmacKey). */
  @IsOptional()
  @IsString({ message: CONFIG_TEXT })
  activeLookup?: string;
}

export class PiiConfig {
  /** Path of a JSON keyring file (see docs/configuration.md). */
  @IsString({ message: CONFIG_TEXT })
  keyringFile: string;

  /** The keyring inline, usually from the environment: GW_PII__KEYRING='{"active":…}'. Wins over keyringFile. */
  @Secret()
  @IsOptional()
  @ValidateNested()
  @Type(() => PiiKeyringConfig)
  keyring?: PiiKeyringConfig;

  /** Sandbox convenience: create a fresh keyring file when it does not exist. Never in production. */
  @IsBoolean({ message: 'expected true or false' })
  createKeyringIfMissing: boolean;

  /**
   * After a rotation (`gateway pii rotate`), move the stored rows to the active key in the background
   * (a job, batch after batch, until done). Off: only `gateway pii reencrypt` moves them.
   */
  @IsBoolean({ message: 'expected true or false' })
  reencryptInBackground: boolean;

  /** Rows per re-encryption batch; each batch is one short transaction. */
  @IsInt({ message: 'expected a whole number of rows' })
  @Min(1, { message: 'expected 1 to 5000 rows' })
  @Max(5000, { message: 'expected 1 to 5000 rows' })
  reencryptBatchSize: number;
}

export class LoggingConfig {
  @IsIn(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` })
  level: LogLevel;

  /** Log request bodies (redacted) at debug level; for troubleshooting only. */
  @IsBoolean({ message: 'expected true or false' })
  requestBodies: boolean;
}

export class ApiDocsConfig {
  @IsBoolean({ message: 'expected true or false' })
  enabled: boolean;
}

/** Staff accounts of the console (docs/console.md#staff-accounts-and-sessions). */
export class StaffConfig {
  /** A session unused this long ends. */
  @IsInt({ message: 'expected a whole number of minutes' })
  @Min(1, { message: 'expected 1 to 1440 minutes' })
  @Max(1440, { message: 'expected 1 to 1440 minutes' })
  sessionIdleMinutes: number;

  /** A session ends this long after the login, however busy. */
  @IsInt({ message: 'expected a whole number of hours' })
  @Min(1, { message: 'expected 1 to 72 hours' })
  @Max(72, { message: 'expected 1 to 72 hours' })
  sessionMaxHours: number;

  /** Wrong passwords in a row that lock the account. */
  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected 1 to 100 attempts' })
  @Max(100, { message: 'expected 1 to 100 attempts' })
  maxFailedLogins: number;

  /** How long a locked account stays locked (IT can unlock it at once with `gateway staff reset`). */
  @IsInt({ message: 'expected a whole number of minutes' })
  @Min(1, { message: 'expected 1 to 1440 minutes' })
  @Max(1440, { message: 'expected 1 to 1440 minutes' })
  lockoutMinutes: number;

  /**
   * A password older than this many days must be changed at the next login (等保 鉴别信息定期更换);
   * 0: passwords never expire.
   */
  @NotSecret()
  @IsInt({ message: 'expected a whole number of days' })
  @Min(0, { message: 'expected 0 (never) to 365 days' })
  @Max(365, { message: 'expected 0 (never) to 365 days' })
  passwordMaxAgeDays: number;

  /** Sandbox only: create the documented demo accounts (desk1, pharmacy1, it1) at start when missing. */
  @IsBoolean({ message: 'expected true or false' })
  sandboxAccounts: boolean;
}

/** API keys' lifetimes (docs/security.md). */
export class ApiKeysConfig {
  /** The longest lifetime of a key with the admin scope (such a key must have an expiry). */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(1, { message: 'expected 1 to 3650 days' })
  @Max(3650, { message: 'expected 1 to 3650 days' })
  adminMaxDays: number;

  /** Keys expiring within this many days are named in the log at start and daily, and /health `apiKeys` degrades. */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(0, { message: 'expected 0 to 365 days' })
  @Max(365, { message: 'expected 0 to 365 days' })
  expiryWarningDays: number;
}

/** The audit trail's chain, checkpoints and retention (docs/security.md#retention-and-export-for-the-assessor). */
export class AuditConfig {
  /**
   * How long audit entries are kept, in Beijing calendar months. The law (网络安全法 Art. 21) asks for
   * at least 6; the database refuses to delete younger entries whatever this says.
   */
  @IsInt({ message: 'expected a whole number of months' })
  @Min(6, { message: 'expected at least 6 months (网络安全法 Art. 21 requires logs be kept no less than 6 months)' })
  @Max(120, { message: 'expected 6 to 120 months' })
  retentionMonths: number;

  /** How often the chain's head is written to the log and audit_checkpoint (when it moved). */
  @IsInt({ message: 'expected a whole number of minutes' })
  @Min(1, { message: 'expected 1 to 1440 minutes' })
  @Max(1440, { message: 'expected 1 to 1440 minutes' })
  checkpointMinutes: number;

  /** `gateway audit verify` fails when an entry has waited longer than this to be sealed. */
  @IsInt({ message: 'expected a whole number of minutes' })
  @Min(1, { message: 'expected 1 to 1440 minutes' })
  @Max(1440, { message: 'expected 1 to 1440 minutes' })
  maxUnsealedMinutes: number;
}

/**
 * The platform's sections. Each capability adds its own (`identity:`, `upstream:`, …) through its
 * GatewayFeature, and types them by augmenting this class:
 * `declare module '…/platform/config/gateway-config' { interface GatewayConfig { identity: IdentityConfig } }`.
 * Validation is the same for all sections: see `configClassFor()` in config-loader.ts.
 */
export class GatewayConfig {
  @IsIn(GATEWAY_MODES, { message: `expected one of ${GATEWAY_MODES.join(', ')}` })
  mode: GatewayMode;

  /** Where the gateway keeps its files (SQLite database, keys in sandbox, forms later). */
  @IsString({ message: CONFIG_TEXT })
  @IsNotEmpty({ message: 'expected a folder path' })
  dataDir: string;

  @ValidateNested()
  @Type(() => ServerConfig)
  server: ServerConfig;

  @ValidateNested()
  @Type(() => DatabaseConfig)
  database: DatabaseConfig;

  @ValidateNested()
  @Type(() => HospitalConfig)
  hospital: HospitalConfig;

  @ValidateNested()
  @Type(() => PiiConfig)
  pii: PiiConfig;

  @ValidateNested()
  @Type(() => LoggingConfig)
  logging: LoggingConfig;

  @ValidateNested()
  @Type(() => ApiDocsConfig)
  apiDocs: ApiDocsConfig;

  @ValidateNested()
  @Type(() => StaffConfig)
  staff: StaffConfig;

  @NotSecret()
  @ValidateNested()
  @Type(() => ApiKeysConfig)
  apiKeys: ApiKeysConfig;

  @ValidateNested()
  @Type(() => AuditConfig)
  audit: AuditConfig;
}
