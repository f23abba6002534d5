import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The databases a test tier runs against. SQLite always; PostgreSQL when
 * GATEWAY_TEST_PG_URL is set (CI sets it, and fails when it is missing or unreachable).
 * On a developer machine without it, PostgreSQL tests are skipped with a note saying how
 * to enable them.
 */
export const PG_URL_ENV = 'GATEWAY_TEST_PG_URL';
const inCi = process.env.CI === 'true';

export function postgresUrl(): string | undefined {
  const url = process.env[PG_URL_ENV];
  if (!url && inCi) {
    throw new Error(`${PG_URL_ENV} must be set in CI (e.g. postgres://postgres@127.0.0.1:5432/test)`);
  }
  if (!url) {
    process.stderr.write(
      `\n[skip] PostgreSQL tests skipped: set ${PG_URL_ENV}=postgres://user@127.0.0.1:5432/test to run them (CI always does).\n`,
    );
  }
  return url;
}

/** A fresh schema per test file, dropped afterwards, so runs never see each other's rows. */
export async function createPgSchema(url: string): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `gwtest_${randomBytes(5).toString('hex')}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return {
    schema,
    drop: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** `describe` for each database kind available: `describeEachDatabase((kind, url) => …)`. */
export type DbKind = 'sqlite' | 'postgres';
export function availableDatabases(): DbKind[] {
  return postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** Database settings for a test of `kind`: a temp SQLite file, or a fresh PostgreSQL schema. */
export async function testDatabase(
  kind: DbKind,
  dataDir: string,
): Promise<{
  database: { url: string; poolSize: number; migrateOnStart: boolean; schema: string };
  cleanup: () => Promise<void>;
}> {
  if (kind === 'sqlite') {
    return {
      database: {
        url: `sqlite:${dataDir}/it-${randomBytes(4).toString('hex')}.sqlite`,
        poolSize: 1,
        migrateOnStart: true,
        schema: '',
      },
      cleanup: async () => undefined,
    };
  }
  const url = postgresUrl() as string;
  const { schema, drop } = await createPgSchema(url);
  return { database: { url, poolSize: 5, migrateOnStart: true, schema }, cleanup: drop };
}
