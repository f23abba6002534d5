import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AuditChainService } from '../../src/platform/audit/audit-chain.service';
import { checkExportFile } from '../../src/platform/audit/audit-export';
import { AuditService } from '../../src/platform/audit/audit.service';
import { createPgSchema, postgresUrl } from '../support/databases';
import { startTestApp, TestApp } from '../support/e2e-app';

const pgUrl = postgresUrl();
type Database = () => Promise<{ overrides: Record<string, unknown>; drop: () => Promise<void> }>;
const databases: [string, Database][] = [['SQLite', async () => ({ overrides: {}, drop: async () => undefined })]];
if (pgUrl) {
  databases.push([
    'PostgreSQL',
    async () => {
      const { schema, drop } = await createPgSchema(pgUrl);
      return { overrides: { database: { url: pgUrl, schema } }, drop };
    },
  ]);
}

describe.each(databases)('GET /api/v1/admin/audit filters (%s)', (_name, database) => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let key: string;
  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    t = await startTestApp(db.overrides);
    key = await t.token(['audit']);
  });
  afterAll(async () => {
    await t.close();
    await drop();
  });

  const get = (query: string) =>
    request(t.app.getHttpServer()).get(`/api/v1/admin/audit?${query}`).set('authorization', `Bearer ${key}`);

  it('filters by actor type, outcome and time range', async () => {
    const audit = t.app.get(AuditService);
    const before = new Date(Date.now() - 1000);
    await audit.record({ actor: { type: 'cli', id: 'cli:filter' }, action: 'test.filter', outcome: 'failure' });
    await audit.record({ actor: { type: 'system', id: 'filter-job' }, action: 'test.filter', outcome: 'success' });
    const after = new Date(Date.now() + 1000);

    const failures = await get('action=test.filter&outcome=failure').expect(200);
    expect(failures.body.map((e: { actorId: string }) => e.actorId)).toEqual(['cli:filter']);
    const system = await get('action=test.filter&actorType=system').expect(200);
    expect(system.body.map((e: { actorId: string }) => e.actorId)).toEqual(['filter-job']);
    const inRange = await get(`action=test.filter&from=${before.toISOString()}&to=${after.toISOString()}`).expect(200);
    expect(inRange.body).toHaveLength(2);
    const later = await get(`action=test.filter&from=${after.toISOString()}`).expect(200);
    expect(later.body).toHaveLength(0);
    const earlier = await get(`action=test.filter&to=${before.toISOString()}`).expect(200);
    expect(earlier.body).toHaveLength(0);
    const bad = await get('outcome=maybe&from=yesterday').expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('GET /api/v1/admin/audit/export gives a period as JSON Lines that verifies offline', async () => {
    const audit = t.app.get(AuditService);
    const from = new Date(Date.now() - 1000);
    await audit.record({ actor: { type: 'cli', id: 'cli:export' }, action: 'test.export', outcome: 'success' });
    await audit.record({ actor: { type: 'cli', id: 'cli:export' }, action: 'test.export', outcome: 'denied' });
    await t.app.get(AuditChainService).sealPending();
    const to = new Date(Date.now() + 1000);

    const res = await request(t.app.getHttpServer())
      .get(`/api/v1/admin/audit/export?from=${from.toISOString()}&to=${to.toISOString()}`)
      .set('authorization', `Bearer ${key}`)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString('utf8')));
        r.on('end', () => done(null, text));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = (res.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; action?: string; outcome?: string; count?: number });
    expect(lines[0].type).toBe('audit-export');
    expect(lines.filter((l) => l.action === 'test.export').map((l) => l.outcome)).toEqual(['success', 'denied']);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'end', count: lines.length - 2 });
    const file = join(mkdtempSync(join(tmpdir(), 'gw-e2e-audit-export-')), 'period.jsonl');
    writeFileSync(file, res.body as string);
    expect(await checkExportFile(file)).toMatchObject({ ok: true, checked: lines.length - 2 });

    const backwards = await request(t.app.getHttpServer())
      .get(`/api/v1/admin/audit/export?from=${to.toISOString()}&to=${from.toISOString()}`)
      .set('authorization', `Bearer ${key}`)
      .expect(400);
    expect(backwards.body.code).toBe('VALIDATION_FAILED');
  });
});
