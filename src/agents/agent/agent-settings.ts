import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { JOURNAL_DEFAULTS } from './journal/event-journal';
import { OFFLINE_POLICY_DEFAULTS } from './journal/offline-policy';

/** The optional settings file in the agent's data directory (IT edits it; the centre never does). */
export const SETTINGS_FILE = 'agent.yaml';

/** `local:` — the agent's own HTTP server on the desk PC (status page, localhost reader service). */
export class AgentLocalSettings {
  /** The port on 127.0.0.1. */
  @IsInt({ message: 'expected a port number' })
  @Min(1, { message: 'expected a port from 1 to 65535' })
  @Max(65535, { message: 'expected a port from 1 to 65535' })
  port!: number;

  /** Also answer the reader calls browser-based HIS pages make (read the card now, status). */
  @IsOptional()
  @IsBoolean({ message: 'expected true or false' })
  readerApi?: boolean;

  /** The origins (scheme://host[:port]) of the HIS pages allowed to call the reader service. */
  @IsOptional()
  @IsArray({ message: 'expected a list of origins' })
  @Matches(/^https?:\/\/[^/\s]+$/, { each: true, message: 'expected an origin such as http://his.hospital.local:8080' })
  allowedOrigins?: string[];
}

/**
 * The desk agent's own settings (docs/agents.md, "Settings"): where the centre is, how long a read
 * made offline stays worth replaying, how big the offline journal may grow, how it reconnects, and
 * its local server. Everything but `central` has a default; `central` comes from enrolment.
 */
export class AgentSettings {
  /** The central gateway's link URL base: wss://gateway.hospital.local:8443 (ws:// only on a trusted network). */
  @IsString({ message: 'expected the central gateway URL, e.g. wss://gateway.hospital.local:8443' })
  @Matches(/^wss?:\/\/[^/\s]+\/?$/, {
    message: 'expected ws:// or wss:// and a host (and port), without a path, e.g. wss://gateway.hospital.local:8443',
  })
  central!: string;

  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(0, { message: 'expected 0 (never replay a read) or more' })
  @Max(600_000, { message: 'expected at most 600000 (10 minutes): an older read is not a fact about now' })
  maxReadAgeMs: number = OFFLINE_POLICY_DEFAULTS.maxReadAgeMs;

  @IsInt({ message: 'expected a whole number of records' })
  @Min(100, { message: 'expected at least 100 records' })
  journalMaxRecords: number = JOURNAL_DEFAULTS.maxRecords;

  @IsInt({ message: 'expected a whole number of bytes' })
  @Min(1024 * 1024, { message: 'expected at least 1048576 bytes (1 MiB)' })
  journalMaxBytes: number = JOURNAL_DEFAULTS.maxBytes;

  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(10, { message: 'expected at least 10 ms' })
  reconnectBaseMs: number = 1_000;

  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(100, { message: 'expected at least 100 ms' })
  reconnectMaxMs: number = 30_000;

  /** A PEM file with the hospital's CA, when the centre's certificate is not signed by a public CA. */
  @IsOptional()
  @IsString({ message: 'expected the path of a PEM file' })
  caFile?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => AgentLocalSettings)
  local?: AgentLocalSettings;
}

export class AgentSettingsError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

/**
 * The data directory when none is given: `%ProgramData%\GongshangAgent` on Windows, `/var/lib/gateway-agent`
 * for root elsewhere, `~/.gateway-agent` for anyone else. `GATEWAY_AGENT_DIR` overrides.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.GATEWAY_AGENT_DIR) {
    return env.GATEWAY_AGENT_DIR;
  }
  if (platform === 'win32') {
    return join(env.ProgramData ?? 'C:\\ProgramData', 'GongshangAgent');
  }
  return process.getuid?.() === 0 ? '/var/lib/gateway-agent' : join(homedir(), '.gateway-agent');
}

/**
 * The agent's settings: `agent.yaml` in the data directory (optional), then `overrides` (command-line
 * flags, the central URL from the credential file). Throws AgentSettingsError naming every problem.
 */
export function loadAgentSettings(
  dataDir: string,
  overrides: Partial<Record<keyof AgentSettings, unknown>>,
): AgentSettings {
  const file = join(dataDir, SETTINGS_FILE);
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new AgentSettingsError(`${file} is not valid YAML: ${(e as Error).message}`, []);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new AgentSettingsError(`${file} must hold a mapping of settings (key: value)`, []);
      }
      fromFile = parsed as Record<string, unknown>;
    }
  }
  const plain: Record<string, unknown> = { ...fromFile };
  for (const [k, v] of Object.entries(overrides)) {
    if (v !== undefined) {
      plain[k] = v;
    }
  }
  const settings = plainToInstance(AgentSettings, plain);
  const errors = validateSync(settings, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const problems = flatten(errors);
    throw new AgentSettingsError(
      `the agent's settings are not valid (${existsSync(file) ? file : 'no ' + SETTINGS_FILE}):\n  ${problems.join('\n  ')}`,
      problems,
    );
  }
  if (settings.reconnectMaxMs < settings.reconnectBaseMs) {
    throw new AgentSettingsError('reconnectMaxMs must not be below reconnectBaseMs', ['reconnectMaxMs']);
  }
  return settings;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = `${prefix}${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      m.startsWith('property ') ? `${path}: not a setting of the agent` : `${path}: ${m}`,
    );
    return [...own, ...flatten(e.children ?? [], `${path}.`)];
  });
}
