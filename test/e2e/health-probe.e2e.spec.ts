import request from 'supertest';
import { DataSource } from 'typeorm';
import { DATABASE_PROBE_MAX_AGE_MS } from '../../src/platform/health/database.health';
import { startTestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';

/**
 * /health reuses one database probe for DATABASE_PROBE_MAX_AGE_MS (1 s), so polling it is cheap; a
 * database outage must still show within about that. The deadline is 1 s plus 1.5 s of slack for a
 * shared machine (timers, the poll itself): a deadline for "promptly", not a measurement.
 */
describe('/health and the database probe', () => {
  it('asks the database once for a burst of /health calls, and still shows an outage within about a second', async () => {
    const t = await startTestApp();
    try {
      const dataSource = t.app.get(DataSource);
      const probes = jest.spyOn(dataSource, 'showMigrations');
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => request(t.app.getHttpServer()).get('/health').expect(200)),
      );
      expect(burst.every((r) => r.body.components.database.status === 'up')).toBe(true);
      // Shared, not one per call (normally one; a stalled machine may let the burst outlive a probe's second).
      expect(probes.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(probes.mock.calls.length).toBeLessThan(burst.length);

      await dataSource.destroy();
      await eventually(
        async () => (await request(t.app.getHttpServer()).get('/health')).status === 503,
        '/health to answer 503 once the database is gone',
        DATABASE_PROBE_MAX_AGE_MS + 1500,
      );
      const down = await request(t.app.getHttpServer()).get('/health').expect(503);
      expect(down.body).toMatchObject({ status: 'down', components: { database: { status: 'down' } } });
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
