import type { ErrorCatalogue } from './errors/error-catalogue';
import type { GatewayConfig } from './config/gateway-config';
import type { ConfigIssue } from './config/config-loader';
import type { PiiColumn } from './pii/pii-columns';

/** A class of config values validated with class-validator decorators. */
export type ConfigSectionClass = new () => object;

/**
 * One top-level key of the configuration that a feature owns, e.g. `identity:` → IdentityConfig.
 * It is validated exactly as the platform's own sections: class-validator on every key, unknown
 * keys refused. To type `config.<key>`, the feature also augments GatewayConfig:
 *
 *   declare module '../platform/config/gateway-config' { interface GatewayConfig { identity: IdentityConfig } }
 */
export interface ConfigSection {
  readonly key: string;
  readonly type: ConfigSectionClass;
  /** The section is a list of `type` (e.g. `devices:`); the message when it is not a list. */
  readonly listMessage?: string;
}

/** What a semantic check found: problems stop the gateway, warnings are shown. */
export interface ConfigCheck {
  issues: ConfigIssue[];
  warnings: string[];
}

/** An entity class (TypeORM). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityClass = Function;

/** A migration class (TypeORM); its name ends with its timestamp, e.g. Identity1764288000000. */
export type MigrationClass = new () => object;

/**
 * What a capability adds to the gateway besides its Nest module: its tables, its schema changes,
 * its config sections and their checks, and the error codes it answers with. Declared in
 * `src/<capability>/<capability>.feature.ts` and listed once in `src/gateway.features.ts`; the
 * platform takes the list as a parameter and imports no capability.
 */
export interface GatewayFeature {
  /** The capability, e.g. 'identity'. */
  readonly name: string;
  readonly entities?: readonly EntityClass[];
  readonly migrations?: readonly MigrationClass[];
  readonly config?: readonly ConfigSection[];
  /** Checks beyond the shape of the config (files exist, keys decode, values agree). */
  checkConfig?(config: GatewayConfig): ConfigCheck;
  readonly errors?: readonly ErrorCatalogue<string>[];
  /** The columns it keeps encrypted (PiiCryptoService), which a key rotation re-encrypts. */
  readonly piiColumns?: readonly PiiColumn[];
}

/** The timestamp at the end of a migration's name. */
export function migrationTimestamp(migration: MigrationClass): number {
  const match = /(\d{13})$/.exec(migration.name);
  if (!match) {
    throw new Error(`migration ${migration.name} does not end with its 13-digit timestamp`);
  }
  return Number(match[1]);
}

/** Every entity of the features. */
export function featureEntities(features: readonly GatewayFeature[]): EntityClass[] {
  return features.flatMap((f) => f.entities ?? []);
}

/** Every migration of the features, in timestamp order (the order TypeORM applies them). */
export function featureMigrations(features: readonly GatewayFeature[]): MigrationClass[] {
  const all = features.flatMap((f) => f.migrations ?? []);
  const seen = new Set<number>();
  for (const m of all) {
    const t = migrationTimestamp(m);
    if (seen.has(t)) {
      throw new Error(`two migrations share the timestamp ${t}`);
    }
    seen.add(t);
  }
  return [...all].sort((a, b) => migrationTimestamp(a) - migrationTimestamp(b));
}

/** What the database needs to know: the tables and the schema changes. */
export interface DatabaseSchema {
  entities: EntityClass[];
  migrations: MigrationClass[];
}

export function databaseSchema(features: readonly GatewayFeature[]): DatabaseSchema {
  return { entities: featureEntities(features), migrations: featureMigrations(features) };
}

/** Every encrypted column of the features. */
export function featurePiiColumns(features: readonly GatewayFeature[]): PiiColumn[] {
  return features.flatMap((f) => f.piiColumns ?? []);
}

/** Every error catalogue of the features. */
export function featureErrorCatalogues(features: readonly GatewayFeature[]): ErrorCatalogue<string>[] {
  return features.flatMap((f) => f.errors ?? []);
}
