import type { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { databaseUnavailableCause, isDatabaseUnavailable } from '../../src/platform/database/database-errors';
import { toErrorBody } from '../../src/platform/errors/global-exception.filter';
import { DatabaseHealth } from '../../src/platform/health/database.health';
import { HealthRegistry } from '../../src/platform/health/health.registry';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { testConfig } from '../support/test-config';

/**
 * The database layer across a PostgreSQL stop and start, on a private cluster (never the shared one):
 * the real errors pg raises for a query in flight, a pool whose idle connections die, and a database
 * that refuses connections are all "unavailable" (503 DATABASE_UNAVAILABLE); /health's probe says down;
 * after the start the same DataSource works again without being reopened. The gateway-level run with
 * traffic is test/e2e/pg-restart.e2e.spec.ts.
 */
jest.setTimeout(60_000);

const run = privatePostgresAvailable('the database outage test') ? describe : describe.skip;

run('the database layer across a PostgreSQL restart (private cluster)', () => {
  let pg: PrivatePostgres;
  let ds: DataSource;
  let health: DatabaseHealth;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const config = testConfig({ database: { url: pg.url, poolSize: 4, schema: '' } });
    ds = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    health = new DatabaseHealth(ds, config, new HealthRegistry());
  });

  afterAll(async () => {
    await ds?.destroy().catch(() => undefined);
    await pg?.remove();
  });

  it('answers 503-worthy errors while it is away, and works again after the start without reopening', async () => {
    expect(await health.check()).toMatchObject({ status: 'up' });
    // A warm pool: four connections, idle when the server goes.
    await Promise.all([1, 2, 3, 4].map(() => ds.query('SELECT pg_sleep(0.05)')));
    const inFlight = ds.query('SELECT pg_sleep(20)').then(
      () => undefined,
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 100)); // let the query reach the server

    await pg.stop();
    const killed = await inFlight;
    expect(killed).toBeDefined();
    expect(`${databaseUnavailableCause(killed)?.message}`).toMatch(/terminat|administrator|Connection/i);
    expect(toErrorBody(killed, 'c1')).toMatchObject({ status: 503, body: { code: 'DATABASE_UNAVAILABLE' } });

    // Refused while down: a new connection cannot be had.
    const refused = await ds.query('SELECT 1').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(toErrorBody(refused, 'c2').status).toBe(503);
    const down = await health.check();
    expect(down).toMatchObject({ status: 'down', detail: expect.stringMatching(/unreachable/) });
    expect(typeof down.downSince).toBe('string');

    await pg.start();
    expect(await ds.query('SELECT 41 + 1 AS n')).toEqual([{ n: 42 }]);
    // Several at once: the pool opens new connections for all of them.
    const many = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => ds.query(`SELECT ${i} AS i`)));
    expect(many.map((r: Array<{ i: number }>) => r[0].i)).toEqual([1, 2, 3, 4, 5, 6]);
    const up = await health.check();
    expect(up).toMatchObject({ status: 'up' });
    expect(up.downSince).toBeUndefined();
  });

  it('a transaction cut by the restart rolls back: nothing of it is stored, and its error is a 503', async () => {
    await ds.query('CREATE TABLE IF NOT EXISTS outage_probe (n int PRIMARY KEY)');
    const cut = ds
      .transaction(async (m) => {
        await m.query('INSERT INTO outage_probe (n) VALUES (1)');
        await m.query('SELECT pg_sleep(20)');
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    await new Promise((r) => setTimeout(r, 100));
    await pg.stop();
    expect(toErrorBody(await cut, 'c3').status).toBe(503);
    await pg.start();
    expect(await ds.query('SELECT COUNT(*)::int AS n FROM outage_probe')).toEqual([{ n: 0 }]);
  });

  it('a connection that dies between two statements of a transaction is a 503 too, not "query runner already released"', async () => {
    await ds.query('CREATE TABLE IF NOT EXISTS outage_probe (n int PRIMARY KEY)');
    const cut = ds
      .transaction(async (m) => {
        await m.query('INSERT INTO outage_probe (n) VALUES (2)');
        await pg.stop(); // no statement runs while the server goes
        await new Promise((r) => setTimeout(r, 100)); // let the connection's error event arrive
        await m.query('INSERT INTO outage_probe (n) VALUES (3)');
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    const err = await cut;
    expect(toErrorBody(err, 'c4')).toMatchObject({ status: 503, body: { code: 'DATABASE_UNAVAILABLE' } });
    // The statement after the loss met the dead connection (not TypeORM's "query runner already released").
    expect(databaseUnavailableCause(err)?.message).toMatch(/not queryable|Connection terminated|terminating/);
    await pg.start();
    expect(await ds.query('SELECT COUNT(*)::int AS n FROM outage_probe')).toEqual([{ n: 0 }]);
  });

  it('a failover: on the replica /health says read-only standby and writes answer 503; once promoted, both work', async () => {
    const standby = await pg.startStandby();
    const config = testConfig({ database: { url: standby.url, poolSize: 2, schema: '' } });
    const onStandby = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
    try {
      const standbyHealth = new DatabaseHealth(onStandby, config, new HealthRegistry());
      expect(await standbyHealth.check()).toMatchObject({
        status: 'down',
        detail: expect.stringMatching(/read-only standby/),
      });
      const refused = await onStandby.query('CREATE TABLE failover_probe (n int)').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(toErrorBody(refused, 'c5')).toMatchObject({ status: 503, body: { code: 'DATABASE_UNAVAILABLE' } });

      await standby.promote();
      await onStandby.query('CREATE TABLE failover_probe (n int)');
      expect(await standbyHealth.check()).toMatchObject({ status: 'up' });
    } finally {
      await onStandby.destroy();
    }
  });
});
