import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { openDataSource, runMigrations, undoLastMigration } from '../../src/platform/database/data-source';
import { GATEWAY_MIGRATIONS as MIGRATIONS, GATEWAY_SCHEMA } from '../../src/gateway.features';
import { Identity1764288000000 } from '../../src/identity/migrations/1764288000000-Identity';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { SEED } from '../../src/sandbox/seed-people';
import { UPSTREAM_LINK, type UpstreamLink } from '../../src/upstream/upstream-link';
import { testConfig } from '../support/test-config';

jest.setTimeout(60_000);

/** Sessions and the token secret outlive the process: both come from the database and the keyring. */
describe('identity sessions across a restart', () => {
  let config: GatewayConfig;
  let app: NestFastifyApplication | undefined;

  const boot = async (): Promise<{ app: NestFastifyApplication; key: string; insurer: string }> => {
    __resetOutOfContextForTests();
    const a = await createApp(config);
    await a.init();
    await a.getHttpAdapter().getInstance().ready();
    app = a;
    const key = (
      await a.get(ApiKeyService).create({ name: 'HIS', scopes: ['identity'] }, { type: 'system', id: 'e2e' })
    ).token;
    return { app: a, key, insurer: a.get<UpstreamLink>(UPSTREAM_LINK).baseUrl.replace(/\/$/, '') };
  };

  beforeAll(() => {
    config = testConfig({ sandboxInsurer: { enabled: true, port: 0 } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a MATCH session, its token and the doctor view survive a restart', async () => {
    const first = await boot();
    const server = first.app.getHttpServer();
    const created = await request(server)
      .post('/api/v1/identity/sessions')
      .set('authorization', `Bearer ${first.key}`)
      .send({
        desk: '门诊挂号1',
        visitId: 'V1',
        visitKind: 'outpatient',
        hisIdentity: { idNumber: SEED.oldInjury.certno, name: SEED.oldInjury.psn_name },
      })
      .expect(201);
    const qr = (
      (
        await request(first.insurer)
          .post('/sandbox/qr-tokens')
          .send({ certno: SEED.oldInjury.certno, kind: 'fusion' })
          .expect(201)
      ).body as { token: string }
    ).token;
    const match = await request(server)
      .post(`/api/v1/identity/sessions/${(created.body as { id: string }).id}/qr`)
      .set('authorization', `Bearer ${first.key}`)
      .send({ text: qr })
      .expect(200);
    expect(match.body).toMatchObject({ verdict: 'MATCH', coverage: 'confirmed' });
    const { id, token } = match.body as { id: string; token: string };
    await first.app.close();
    app = undefined;

    const second = await boot();
    const again = await request(second.app.getHttpServer())
      .get(`/api/v1/identity/sessions/${id}`)
      .set('authorization', `Bearer ${second.key}`)
      .expect(200);
    expect(again.body).toMatchObject({ id, verdict: 'MATCH', token, visitId: 'V1' });
    const view = await request(second.app.getHttpServer())
      .get('/api/v1/identity/doctor-view')
      .set('authorization', `Bearer ${second.key}`)
      .set('x-verification-token', token)
      .expect(200);
    expect(view.body).toMatchObject({ injuredParts: SEED.oldInjury.injury.injured_parts, psnType: '老工伤' });
  });

  it('the identity migration goes down and up again on the same database', async () => {
    await app?.close();
    app = undefined;
    const dataSource = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
    try {
      const runner = dataSource.createQueryRunner();
      expect(await runner.hasTable('identity_session')).toBe(true);
      // Identity and whatever was added after it.
      const later = MIGRATIONS.slice(MIGRATIONS.indexOf(Identity1764288000000));
      for (let i = 0; i < later.length; i++) {
        await undoLastMigration(dataSource);
      }
      expect(await runner.hasTable('identity_session')).toBe(false);
      expect(await runner.hasTable('identity_coverage_cache')).toBe(false);
      expect(await runMigrations(dataSource)).toEqual(later.map((m) => m.name));
      expect(await runner.hasTable('identity_coverage_cache')).toBe(true);
      await runner.release();
    } finally {
      await dataSource.destroy();
    }
  });
});
