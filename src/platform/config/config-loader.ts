import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { plainToInstance, Type } from 'class-transformer';
import { IsArray, validateSync, ValidationError, ValidateNested } from 'class-validator';
import { parseDocument } from 'yaml';
import { GatewayConfig } from './gateway-config';
import { projectRoot } from './project-root';
import type { ConfigOrigin } from './config-secrets';
import type { ConfigSection, GatewayFeature } from '../gateway-feature';

/** One thing wrong with the configuration, phrased for the person who has to fix it. */
export interface ConfigIssue {
  key: string;
  value: unknown;
  expected: string;
}

export class ConfigError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    readonly sources: string[],
  ) {
    super(
      `Configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`,
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Overlay file; relative paths are taken from the working directory. */
  overlayFile?: string;
  /** Environment to read `GW_*` overrides from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Base file; defaults to `config/default.yaml` in the project. */
  defaultFile?: string;
  /** Extra values applied last (tests). */
  overrides?: Record<string, unknown>;
  /** The capabilities whose config sections are accepted (src/gateway.features.ts); others' keys are refused. */
  features: readonly GatewayFeature[];
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** Files and environment variables the config was built from, in order. */
  sources: string[];
}

/** Prefix of environment variables that override single keys: GW_HOSPITAL__FIXMEDINS_CODE → hospital.fixmedinsCode. */
export const ENV_PREFIX = 'GW_';

export function defaultConfigFile(): string {
  return join(projectRoot(), 'config', 'default.yaml');
}

export function sandboxConfigFile(): string {
  return join(projectRoot(), 'config', 'sandbox.yaml');
}

/**
 * Builds and validates the configuration. Throws ConfigError listing every problem at once,
 * so that a person fixing a file sees all of them in one go.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const env = options.env ?? process.env;
  const sources: string[] = [];
  const issues: ConfigIssue[] = [];

  const defaultFile = options.defaultFile ?? defaultConfigFile();
  const origins = new Map<string, ConfigOrigin>();
  let merged = readYamlObject(defaultFile, issues);
  recordOrigins(origins, merged, '', 'default');
  sources.push(defaultFile);

  if (options.overlayFile) {
    const overlayPath = isAbsolute(options.overlayFile) ? options.overlayFile : resolve(options.overlayFile);
    const overlay = readYamlObject(overlayPath, issues);
    merged = deepMerge(merged, overlay);
    recordOrigins(origins, overlay, '', 'file');
    sources.push(overlayPath);
  }

  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) {
      continue;
    }
    const path = envNameToPath(name);
    if (!path) {
      issues.push({
        key: name,
        value: raw,
        expected: `an environment variable named ${ENV_PREFIX}SECTION__KEY, e.g. GW_SERVER__PORT`,
      });
      continue;
    }
    setPath(merged, path, coerceEnvValue(raw, getPath(merged, path), name, issues));
    setOrigin(origins, path.join('.'), 'env');
    sources.push(`env ${name}`);
  }

  if (options.overrides) {
    merged = deepMerge(merged, options.overrides);
    recordOrigins(origins, options.overrides, '', 'override');
  }

  if (issues.length > 0) {
    // Unreadable files: validating the rest would only add noise.
    throw new ConfigError(issues, sources);
  }

  const config = plainToInstance(configClassFor(options.features), merged, { enableImplicitConversion: false });
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  issues.push(...flattenValidationErrors(errors, merged));
  if (issues.length > 0) {
    throw new ConfigError(issues, sources);
  }
  loaded.set(config, { origins, sources: [...sources] });
  return { config, sources };
}

const loaded = new WeakMap<object, { origins: ReadonlyMap<string, ConfigOrigin>; sources: readonly string[] }>();

/**
 * Where each value of a config that loadConfig() built came from, by dotted path (a list or a
 * section set as a whole, e.g. by one GW_ variable holding JSON, is recorded at its own path; see
 * lookupOrigin in config-secrets.ts). Undefined for a config object built otherwise.
 */
export function configOrigins(config: object): ReadonlyMap<string, ConfigOrigin> | undefined {
  return loaded.get(config)?.origins;
}

/** The files and GW_ variables (names only) a config that loadConfig() built came from, in order. */
export function configSources(config: object): readonly string[] | undefined {
  return loaded.get(config)?.sources;
}

function recordOrigins(
  origins: Map<string, ConfigOrigin>,
  value: Record<string, unknown>,
  prefix: string,
  origin: ConfigOrigin,
): void {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(child) && Object.keys(child).length > 0) {
      recordOrigins(origins, child, path, origin);
    } else {
      setOrigin(origins, path, origin);
    }
  }
}

/** The value at `path` was replaced whole: what was recorded under it no longer applies. */
function setOrigin(origins: Map<string, ConfigOrigin>, path: string, origin: ConfigOrigin): void {
  for (const known of [...origins.keys()]) {
    if (known.startsWith(`${path}.`) || known.startsWith(`${path}[`)) {
      origins.delete(known);
    }
  }
  origins.set(path, origin);
}

const configClasses = new WeakMap<readonly GatewayFeature[], typeof GatewayConfig>();

/**
 * GatewayConfig with the features' sections added, decorated exactly as the platform's own
 * (`@ValidateNested() @Type(() => Section)`, lists also `@IsArray`), so that every section is
 * validated and every unknown key refused, whoever owns it.
 */
export function configClassFor(features: readonly GatewayFeature[]): typeof GatewayConfig {
  const cached = configClasses.get(features);
  if (cached) {
    return cached;
  }
  class FeatureGatewayConfig extends GatewayConfig {}
  const taken = new Set<string>();
  for (const section of features.flatMap((f) => f.config ?? [])) {
    if (taken.has(section.key)) {
      throw new Error(`two features declare the config section ${section.key}`);
    }
    taken.add(section.key);
    decorateSection(FeatureGatewayConfig.prototype, section);
  }
  configClasses.set(features, FeatureGatewayConfig);
  return FeatureGatewayConfig;
}

function decorateSection(prototype: object, section: ConfigSection): void {
  if (section.listMessage !== undefined) {
    IsArray({ message: section.listMessage })(prototype, section.key);
    ValidateNested({ each: true })(prototype, section.key);
  } else {
    ValidateNested()(prototype, section.key);
  }
  Type(() => section.type)(prototype, section.key);
}

export function formatIssues(issues: ConfigIssue[]): string {
  return issues.map((i) => `  - ${i.key}: ${formatValue(i.value)} — expected ${i.expected}`).join('\n');
}

function formatValue(value: unknown): string {
  if (value === undefined) {
    return '(missing)';
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function readYamlObject(file: string, issues: ConfigIssue[]): Record<string, unknown> {
  if (!existsSync(file)) {
    issues.push({
      key: file,
      value: undefined,
      expected: 'an existing YAML file (check GATEWAY_CONFIG or the path given)',
    });
    return {};
  }
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0];
      issues.push({
        key: line ? `${file}:${line.line}:${line.col}` : file,
        value: undefined,
        expected: `valid YAML (${err.code})`,
      });
    }
    return {};
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) {
    return {};
  }
  if (!isPlainObject(value)) {
    issues.push({ key: file, value: typeof value, expected: 'a YAML mapping of sections (server:, hospital:, …)' });
    return {};
  }
  return value;
}

/** GW_HOSPITAL__FIXMEDINS_CODE → ['hospital', 'fixmedinsCode']. */
export function envNameToPath(name: string): string[] | undefined {
  const body = name.slice(ENV_PREFIX.length);
  if (!/^[A-Z0-9]+(_[A-Z0-9]+)*(__[A-Z0-9]+(_[A-Z0-9]+)*)*$/.test(body)) {
    return undefined;
  }
  return body
    .split('__')
    .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()));
}

/**
 * Environment values are text. Convert them to the type of the value they replace, so a
 * leading zero in an institution code survives while `GW_SERVER__PORT=9000` becomes a number.
 */
function coerceEnvValue(raw: string, current: unknown, name: string, issues: ConfigIssue[]): unknown {
  if (typeof current === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (typeof current === 'boolean') {
    if (raw === 'true' || raw === 'false') {
      return raw === 'true';
    }
    return raw;
  }
  if ((current === undefined && /^\s*[[{]/.test(raw)) || (current !== null && typeof current === 'object')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      issues.push({ key: name, value: '(not shown)', expected: 'JSON for this key (it holds a section or a list)' });
      return current;
    }
  }
  return raw;
}

function getPath(obj: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = obj;
  for (const segment of path) {
    if (!isPlainObject(node)) {
      return undefined;
    }
    node = node[segment];
  }
  return node;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let node = obj;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (!isPlainObject(next)) {
      node[segment] = {};
    }
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

export function deepMerge(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flattenValidationErrors(errors: ValidationError[], raw: Record<string, unknown>, prefix = ''): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const error of errors) {
    const key = prefix ? `${prefix}.${error.property}` : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    if (constraints.length > 0) {
      const keyPath = key.split('.');
      const value = getPath(raw, keyPath);
      if (constraints.some(([name]) => name === 'whitelistValidation')) {
        issues.push({ key, value, expected: 'no such key — remove it or check its spelling' });
      } else if (value === undefined && constraints.some(([name]) => name === 'nestedValidation')) {
        issues.push({ key, value, expected: 'a section' });
      } else {
        const messages = constraints
          .filter(([name]) => name !== 'nestedValidation')
          .map(([, message]) => message.replace(/^expected /, ''));
        issues.push({ key, value, expected: [...new Set(messages)].join('; ') || 'a valid section' });
      }
    }
    if (error.children && error.children.length > 0) {
      issues.push(...flattenValidationErrors(error.children, raw, key));
    }
  }
  return issues;
}
