import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import writeXlsxFile from 'write-excel-file/node';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { cli, hospitalYaml } from '../support/cli-run';
import { startTestApp, type TestApp } from '../support/e2e-app';

jest.setTimeout(60_000);

const HEADER = '院内项目编码,院内项目名称,项目类别,医保目录编码,医保目录名称,开始日期,结束日期,备注';
const csv = (...rows: string[]): Buffer => Buffer.from([HEADER, ...rows].join('\r\n'), 'utf8');
const GOOD = csv(
  'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010100001,阿莫西林,2026-01-01,,',
  'ZL/001,静脉输液,诊疗项目,001203000010000,静脉输液,,,',
  'CL001,自费敷料,耗材,,,,,自费',
);
const BAD = csv('YP001,阿莫西林胶囊,药材,XJ01CAA040A001010100001,,,,', 'YP002,,药品,1.1E+14,,,,');

/** The catalogue mapping over HTTP, on every database. */
describe.each(availableDatabases())('catalogue mapping over HTTP on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let key: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-catalogue-e2e-')));
    cleanup = db.cleanup;
    t = await startTestApp({ database: db.database });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    key = await t.token(['settlement']);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const api = (method: 'get' | 'post', path: string, token = key) =>
    request(base)[method](`/api/v1/settlement/catalogue${path}`).set('authorization', `Bearer ${token}`);
  const upload = (bytes: Buffer, extra: object = {}) =>
    api('post', '/imports').send({ fileName: 'his-export.csv', contentBase64: bytes.toString('base64'), ...extra });

  it('needs the settlement scope', async () => {
    const other = await t.token(['trace-codes']);
    const res = await api('get', '/versions', other).expect(403);
    expect(res.body.code).toBe('AUTH_SCOPE_MISSING');
  });

  it('refuses a file with error rows as a whole (422, every row in details), then imports a good one (201)', async () => {
    const refused = await upload(BAD).expect(422);
    expect(refused.body).toMatchObject({ code: 'CATALOGUE_IMPORT_INVALID' });
    expect(refused.body.details.map((d: { field: string; code: string }) => `${d.field} ${d.code}`)).toEqual([
      'row 2 CATALOGUE_ROW_KIND_UNKNOWN',
      'row 3 CATALOGUE_ROW_HIS_NAME_MISSING',
      'row 3 CATALOGUE_ROW_MED_LIST_CODE_INVALID',
    ]);
    expect((await api('get', '/versions').expect(200)).body).toEqual([]);

    const dry = await upload(BAD, { dryRun: true }).expect(200);
    expect(dry.body).toMatchObject({
      outcome: 'dry-run',
      accepted: false,
      counts: { read: 2, malformed: 2, errors: 3 },
    });

    const stored = await upload(GOOD, { note: '2026年首次对码' }).expect(201);
    expect(stored.body).toMatchObject({
      outcome: 'stored',
      accepted: true,
      file: { encoding: 'utf-8', ignoredColumns: ['备注'] },
      counts: { read: 3, mapped: 2, unmapped: 1, warnings: 1 },
      problems: [{ row: 4, code: 'CATALOGUE_ROW_UNMAPPED', severity: 'warning', hisCode: 'CL001' }],
      version: { seq: 1, current: true, note: '2026年首次对码', itemCount: 3 },
    });
    await upload(GOOD).expect(200, /already-current/);
  });

  it('lists versions and shows an item (current and history); an unknown code is 404', async () => {
    const versions = await api('get', '/versions?limit=10').expect(200);
    expect(versions.body.map((v: { seq: number; current: boolean }) => [v.seq, v.current])).toEqual([[1, true]]);
    const item = await api('get', `/items/${encodeURIComponent('ZL/001')}`).expect(200);
    expect(item.body).toMatchObject({
      hisCode: 'ZL/001',
      current: { medListCode: '001203000010000', kind: 'service', versionSeq: 1 },
      history: [{ versionSeq: 1 }],
    });
    const missing = await api('get', '/items/NOPE').expect(404);
    expect(missing.body.code).toBe('CATALOGUE_ITEM_NOT_FOUND');
  });

  it('reads an Excel workbook (.xlsx) as it reads CSV: its first sheet, judged and compared', async () => {
    const rows = GOOD.toString('utf8')
      .split('\r\n')
      .map((line) => line.split(',').map((value) => (value === '' ? null : { value })));
    const bytes = await writeXlsxFile(rows).toBuffer();
    const dry = await api('post', '/imports')
      .send({ fileName: '对码.xlsx', contentBase64: bytes.toString('base64'), dryRun: true })
      .expect(200);
    expect(dry.body).toMatchObject({
      outcome: 'dry-run',
      accepted: true,
      file: { name: '对码.xlsx', encoding: 'xlsx', delimiter: 'sheet', ignoredColumns: ['备注'] },
      counts: { read: 3, mapped: 2, unmapped: 1 },
      changes: { added: [], removed: [], retargeted: [] },
    });
  });

  it('refuses an old .xls and a file without the required columns, naming them', async () => {
    const xls = await upload(Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(64)])).expect(422);
    expect(xls.body).toMatchObject({ code: 'CATALOGUE_FILE_NOT_CSV', message: expect.stringContaining('.xls') });
    const noKind = await upload(Buffer.from('his_code,his_name,med_list_codg\nA1,x,XJ01CAA040A001010100001\n')).expect(
      422,
    );
    expect(noKind.body).toMatchObject({
      code: 'CATALOGUE_HEADER_MISSING',
      message: expect.stringContaining('项目类别'),
    });
    const notBase64 = await api('post', '/imports').send({ fileName: 'x.csv', contentBase64: '***' }).expect(400);
    expect(notBase64.body.code).toBe('VALIDATION_FAILED');
  });
});

/** `catalogue import|list|show` against a hospital's SQLite database. */
describe('catalogue (CLI)', () => {
  it('a dry run prints the report; a bad file is refused in Chinese and English; a good one becomes current', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-catalogue-cli-'));
    const config = hospitalYaml(dir);
    expect((await cli(['pii', 'init', `${dir}/keys.json`])).code).toBe(0);
    writeFileSync(join(dir, 'good.csv'), GOOD);
    writeFileSync(join(dir, 'bad.csv'), BAD);

    const dry = await cli(['--config', config, 'catalogue', 'import', join(dir, 'good.csv'), '--dry-run']);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.out).toContain('rows read 3: mapped 2, unmapped 1, duplicated 0, malformed 0');
    expect(dry.out).toContain('Dry run: nothing stored');

    const bad = await cli(['--config', config, 'catalogue', 'import', join(dir, 'bad.csv')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('CATALOGUE_IMPORT_INVALID');
    expect(bad.err).toContain('项目类别无法识别');
    expect(bad.err).toContain('unknown item kind');
    expect(bad.err).toContain('nothing was stored or changed');

    const run = await cli(['--config', config, 'catalogue', 'import', join(dir, 'good.csv'), '--note', '首次']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toContain('Stored as version 1');
    expect(run.out).toContain('CATALOGUE_ROW_UNMAPPED');

    const list = await cli(['--config', config, 'catalogue', 'list']);
    expect(list.out).toMatch(/^\* v1 .* 3 items \(2 mapped\) {2}good\.csv .* 首次/m);
    const show = await cli(['--config', config, 'catalogue', 'show', 'YP001']);
    expect(show.out).toContain('current: v1');
    expect(show.out).toContain('→ XJ01CAA040A001010100001 阿莫西林  valid 2026-01-01 ~ …');
    expect((await cli(['--config', config, 'catalogue', 'show', 'NOPE'])).code).toBe(1);
    expect((await cli(['--config', config, 'catalogue', 'import'])).code).toBe(2);
  });
});
