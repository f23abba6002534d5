import { Type } from 'class-transformer';
import {
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
  IsObject,
  IsArray,
  Length,
} from 'class-validator';

/**
 * The one typed configuration object. Built once at start-up by `loadConfig()` from
 * `config/default.yaml`, an optional overlay file and `GW_*` environment variables,
 * then validated here. Nothing else in the code base reads `process.env`.
 *
 * Every constraint carries a message phrased as "expected …" so that the config
 * report reads `key: value — expected …`.
 */

/** YAML turns 640104 or 126401004540409473 into numbers: say so. */
const TEXT = 'expected text (put the value in quotes in YAML)';

export const GATEWAY_MODES = ['production', 'sandbox'] as const;
export type GatewayMode = (typeof GATEWAY_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
}

export class DatabaseConfig {
  /** `sqlite:<path>` (relative to the working directory), `sqlite::memory:`, or `postgres://…`. Empty = `sqlite:<dataDir>/gateway.sqlite`. */
  @IsString({ message: TEXT })
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
  @IsString({ message: TEXT })
  @Matches(/^$|^[a-z_][a-z0-9_]{0,62}$/, { message: 'expected a lower-case SQL identifier' })
  schema: string;
}

export class HospitalConfig {
  /** 定点医药机构编号 (fixmedins_code): the insurer's 12-character institution code. */
  @IsString({ message: TEXT })
  @Matches(/^[A-Z0-9]{12}$/, { message: 'expected 12 characters (upper-case letters and digits)' })
  fixmedinsCode: string;

  /** The institution's registered name, as in the agreement. */
  @IsString({ message: TEXT })
  @Length(2, 100, { message: 'expected the institution name (2 to 100 characters)' })
  name: string;

  /** 行政区划代码 of the institution's location: 6 digits, Ningxia starts with 64. */
  @IsString({ message: TEXT })
  @Matches(/^\d{6}$/, { message: 'expected a 6-digit region code (行政区划代码), e.g. 640104' })
  admdvs: string;

  /** 统一社会信用代码 (18 characters, GB 32100). A failing check character is a warning only. */
  @IsString({ message: TEXT })
  @Matches(/^[0-9A-HJ-NPQRTUWXY]{18}$/, {
    message: 'expected an 18-character unified social credit code (digits and upper-case letters, no I/O/S/V/Z)',
  })
  creditCode: string;
}

export class KeyringEntryConfig {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'expected a key id of 1 to 32 letters, digits, _ or -' })
  id: string;

  /** base64 of 32 random bytes. */
  @IsString({ message: TEXT })
  key: string;
}

export class PiiKeyringConfig {
  @IsString({ message: TEXT })
  active: string;

  @ValidateNested({ each: true })
  @Type(() => KeyringEntryConfig)
  keys: KeyringEntryConfig[];

  /** base64 of at least 32 random bytes; never rotated (lookups depend on it). */
  @IsString({ message: TEXT })
  hmacKey: string;
}

export class PiiConfig {
  /** Path of a JSON keyring file (see docs/configuration.md). */
  @IsString({ message: TEXT })
  keyringFile: string;

  /** The keyring inline, usually from the environment: GW_PII__KEYRING='{"active":…}'. Wins over keyringFile. */
  @IsOptional()
  @ValidateNested()
  @Type(() => PiiKeyringConfig)
  keyring?: PiiKeyringConfig;

  /** Sandbox convenience: create a fresh keyring file when it does not exist. Never in production. */
  @IsBoolean({ message: 'expected true or false' })
  createKeyringIfMissing: boolean;
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

export class ReferenceConfig {
  /** Folder holding institutions.json (written by `gateway reference import`). */
  @IsString({ message: TEXT })
  @IsNotEmpty({ message: 'expected a folder path' })
  dir: string;
}

export class UpstreamSigningConfig {
  /** JSON file { "id": "<key id>", "privateKey": "<64 hex>", "publicKey": "<130 hex>" }: the gateway's SM2 key. */
  @IsString({ message: TEXT })
  keyFile: string;

  /** The insurer's SM2 public key (130 hex characters, 04…), to verify replies. */
  @IsString({ message: TEXT })
  @Matches(/^$|^04[0-9a-fA-F]{128}$/, { message: 'expected an uncompressed SM2 public key: 130 hex characters starting with 04' })
  insurerPublicKey: string;
}

export class UpstreamTlsConfig {
  /** PEM file of the CA that signed the insurer's certificate; empty = the system CAs. */
  @IsString({ message: TEXT })
  caFile: string;

  /** PEM client certificate and key, when the insurer requires mutual TLS. */
  @IsString({ message: TEXT })
  certFile: string;

  @IsString({ message: TEXT })
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
  @IsString({ message: TEXT })
  @Matches(/^$|^https?:\/\/[^\s]+$/, { message: 'expected an http(s) URL or an empty string' })
  baseUrl: string;

  /** recer_sys_code of the envelope: the receiving system's code. */
  @IsString({ message: TEXT })
  @Length(1, 20, { message: 'expected 1 to 20 characters' })
  recerSysCode: string;

  /** Per-request timeout in ms, unless timeoutsMs names the transaction. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(100, { message: 'expected at least 100 ms' })
  defaultTimeoutMs: number;

  /** A protocol profile file mapping our transactions to this insurer's wire format; empty = as documented. */
  @IsString({ message: TEXT })
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

export class IdentityConfig {
  /** While the insurer is unreachable, a cached 1101 answer this young (ms) may stand in for it. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(0, { message: 'expected 0 (never use the cache) or more milliseconds' })
  maxCoverageCacheAgeMs: number;

  /** How long a verification token stays valid (ms); at most 24 h. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1000, { message: 'expected at least 1000 ms' })
  @Max(86_400_000, { message: 'expected at most 86400000 ms (24 h)' })
  tokenTtlMs: number;

  /** How long a verification session stays open for new evidence (ms). */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1000, { message: 'expected at least 1000 ms' })
  sessionTtlMs: number;
}

export class FormsRetentionConfig {
  /**
   * The day the hospital's agreement with the insurer ends (YYYY-MM-DD). A signed form is kept until
   * this day (or its signing day, whichever is later) plus keepYearsAfterAgreement. Empty = not
   * known: signed forms are then never pruned.
   */
  @IsString({ message: TEXT })
  @Matches(/^$|^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'expected a date YYYY-MM-DD, or "" when not known' })
  agreementEndDate: string;

  /** 协议 23 (rehab agreement 13): medical papers are kept at least two years after the agreement ends. */
  @IsInt({ message: 'expected a whole number of years' })
  @Min(2, { message: 'expected at least 2 years (协议 23: kept at least two years after the agreement ends)' })
  @Max(100, { message: 'expected at most 100 years' })
  keepYearsAfterAgreement: number;

  /** Unsigned drafts untouched this many days are deleted. */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(1, { message: 'expected at least 1 day' })
  draftDays: number;

  /** How often the pruning job runs (ms). */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1000, { message: 'expected at least 1000 ms' })
  intervalMs: number;
}

export class FormsConfig {
  /** A system font file (TTF/OTF/TTC) to draw forms with; empty = the CJK font npm installs with the gateway. */
  @IsString({ message: TEXT })
  fontPath: string;

  /** Where signed form PDFs are kept; empty = <dataDir>/forms. */
  @IsString({ message: TEXT })
  storageDir: string;

  @ValidateNested()
  @Type(() => FormsRetentionConfig)
  retention: FormsRetentionConfig;
}

export const DEVICE_KINDS = ['id-card', 'scanner', 'ssse-card'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const DEVICE_TRANSPORTS = ['serial', 'hid', 'pcsc', 'simulated'] as const;
export type DeviceTransport = (typeof DEVICE_TRANSPORTS)[number];
/** Which transports each kind of device can use; the first is the default. */
export const TRANSPORTS_BY_KIND: Readonly<Record<DeviceKind, readonly DeviceTransport[]>> = {
  'id-card': ['serial', 'simulated'],
  scanner: ['serial', 'hid', 'simulated'],
  'ssse-card': ['pcsc', 'simulated'],
};
export const SCANNER_TERMINATORS = ['CR', 'LF', 'CRLF', 'TAB', 'none'] as const;
/**
 * How a 3rd-generation social-security card is authenticated before its number and name can be
 * read: the insurer's HSM (transaction 1165), a simulated PSAM (sandbox only), or not at all
 * (such cards then stop at "authentication required").
 */
export const CARD_AUTH_MODES = ['hsm', 'simulated-psam', 'none'] as const;
export type CardAuthMode = (typeof CARD_AUTH_MODES)[number];

export class DeviceConfig {
  /** Stable name, used in events, logs and the console, e.g. desk1-idcard. */
  @IsString({ message: TEXT })
  @Matches(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: 'expected a short name of lower-case letters, digits and -' })
  id: string;

  @IsIn(DEVICE_KINDS, { message: `expected one of ${DEVICE_KINDS.join(', ')}` })
  kind: DeviceKind;

  /** How it is attached; default: pcsc for ssse-card, serial for the others. */
  @IsOptional()
  @IsIn(DEVICE_TRANSPORTS, { message: `expected one of ${DEVICE_TRANSPORTS.join(', ')}` })
  transport?: DeviceTransport;

  /** The desk or workstation it belongs to: events go to that desk's console and HIS session. */
  @IsString({ message: TEXT })
  @Length(1, 40, { message: 'expected 1 to 40 characters' })
  desk: string;

  /**
   * serial: /dev/ttyUSB0, /dev/ttyACM0, COM3 or a pty; hid: VID:PID in hex (0c2e:0b61) or a
   * /dev/hidraw path; pcsc: the reader name or its beginning; simulated: not used.
   */
  @IsOptional()
  @IsString({ message: TEXT })
  @IsNotEmpty({ message: 'expected a port path, VID:PID or reader name' })
  path?: string;

  @IsOptional()
  @IsInt({ message: 'expected a whole number' })
  @IsIn([9600, 19200, 38400, 57600, 115200], { message: 'expected 9600, 19200, 38400, 57600 or 115200' })
  baudRate?: number;

  /** Serial scanners only: what ends a code (factory setting is usually CR). */
  @IsOptional()
  @IsIn(SCANNER_TERMINATORS, { message: `expected one of ${SCANNER_TERMINATORS.join(', ')}` })
  terminator?: (typeof SCANNER_TERMINATORS)[number];

  /** Social-security card readers only; default hsm. */
  @IsOptional()
  @IsIn(CARD_AUTH_MODES, { message: `expected one of ${CARD_AUTH_MODES.join(', ')}` })
  cardAuth?: CardAuthMode;
}

/** The transport a device uses, its default filled in. */
export function deviceTransport(device: Pick<DeviceConfig, 'kind' | 'transport'>): DeviceTransport {
  return device.transport ?? TRANSPORTS_BY_KIND[device.kind][0];
}

export class GatewayConfig {
  @IsIn(GATEWAY_MODES, { message: `expected one of ${GATEWAY_MODES.join(', ')}` })
  mode: GatewayMode;

  /** Where the gateway keeps its files (SQLite database, keys in sandbox, forms later). */
  @IsString({ message: TEXT })
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
  @Type(() => ReferenceConfig)
  reference: ReferenceConfig;

  @ValidateNested()
  @Type(() => UpstreamConfig)
  upstream: UpstreamConfig;

  @ValidateNested()
  @Type(() => SandboxInsurerConfig)
  sandboxInsurer: SandboxInsurerConfig;

  @ValidateNested()
  @Type(() => IdentityConfig)
  identity: IdentityConfig;

  @ValidateNested()
  @Type(() => FormsConfig)
  forms: FormsConfig;

  /** Card readers and scanners attached to this gateway. */
  @IsArray({ message: 'expected a list of devices' })
  @ValidateNested({ each: true })
  @Type(() => DeviceConfig)
  devices: DeviceConfig[];
}
