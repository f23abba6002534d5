import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import type { Principal } from '../../src/platform/auth/principal';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import type { CatalogueError } from '../../src/platform/errors/error-catalogue';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { auditServiceOn } from '../../src/platform/standalone';
import { catalogueServicesOn } from '../../src/settlement/standalone-settlement';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { FixedClock, refusal } from '../support/trace-codes';

jest.setTimeout(30_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-catalogue-'));
const STAFF: Principal = { type: 'api-key', id: 'key-it-1', name: 'IT', scopes: ['settlement'] };
const HEADER = 'his_code,院内项目名称,项目类别,med_list_codg,医保目录名称';
const csv = (...rows: string[]): Buffer => Buffer.from(`\ufeff${[HEADER, ...rows].join('\r\n')}\r\n`, 'utf8');
const V1 = csv(
  'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010100001,阿莫西林',
  'YP002,布洛芬缓释胶囊,药品,XN02BAA050E001010100001,布洛芬',
  'ZL001,静脉输液,诊疗,001203000010000,静脉输液',
  'CL001,自费敷料,材料,,',
);

describe.each(availableDatabases())('catalogue mapping on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  let svc: ReturnType<typeof catalogueServicesOn>;
  const count = async (table: string): Promise<number> =>
    Number((await ds.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(generateKeyringDocument('k'))), clock);
    svc = catalogueServicesOn(ds, clock, audit);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('has no mapping before the first import', async () => {
    expect(await svc.mapping.currentMapping(['YP001'])).toEqual(new Map());
    expect(await svc.mapping.listVersions()).toEqual([]);
  });

  it('a refused file stores nothing and names its error rows in Chinese and English', async () => {
    const bad = csv(
      'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010100001,',
      'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010109999,',
    );
    const e = await refusal<CatalogueError>(svc.imports.import(STAFF, { name: 'bad.csv', bytes: bad }));
    expect(e).toMatchObject({ code: 'CATALOGUE_IMPORT_INVALID', status: 422 });
    expect(e.userMessage).toContain('第 3 行');
    expect(e.details).toEqual([
      expect.objectContaining({
        code: 'CATALOGUE_ROW_DUPLICATE_CONFLICT',
        field: 'row 3',
        context: expect.objectContaining({
          row: '3',
          hisCode: 'YP001',
          firstRow: '2',
          en: expect.stringContaining('different'),
        }),
      }),
    ]);
    expect([await count('settlement_catalogue_version'), await count('settlement_catalogue_item')]).toEqual([0, 0]);
  });

  it('the first import becomes version 1, current, with its audit entry; lookups answer mapped and unmapped items', async () => {
    const report = await svc.imports.import(STAFF, { name: '对码.csv', bytes: V1 }, { note: '首次对码' });
    expect(report).toMatchObject({
      outcome: 'stored',
      accepted: true,
      file: { name: '对码.csv', encoding: 'utf-8-bom', delimiter: 'comma', bytes: V1.length },
      counts: { read: 4, mapped: 3, unmapped: 1, duplicated: 0, malformed: 0, errors: 0, warnings: 1 },
      changes: { previousVersionId: null, added: ['CL001', 'YP001', 'YP002', 'ZL001'], removed: [], retargeted: [] },
      version: {
        seq: 1,
        current: true,
        importedBy: 'api-key:key-it-1',
        itemCount: 4,
        mappedCount: 3,
        note: '首次对码',
      },
    });
    const map = await svc.mapping.currentMapping(['YP001', 'CL001', 'NOPE']);
    expect([...map.keys()].sort()).toEqual(['CL001', 'YP001']);
    expect(map.get('YP001')).toMatchObject({ medListCode: 'XJ01CAA040A001010100001', kind: 'drug', versionSeq: 1 });
    expect(map.get('CL001')).toMatchObject({ medListCode: null, kind: 'material' });
    const audits = await ds.query<{ action: string; outcome: string }[]>(
      `SELECT action, outcome FROM audit_log WHERE action = 'settlement.catalogue.import'`,
    );
    expect(audits).toEqual([{ action: 'settlement.catalogue.import', outcome: 'success' }]);
  });

  it('the same file again stores nothing; a dry run reports the changes and stores nothing', async () => {
    expect(await svc.imports.import(STAFF, { name: 'again.csv', bytes: V1 })).toMatchObject({
      outcome: 'already-current',
      version: { seq: 1 },
    });
    const v2 = csv(
      'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010100002,阿莫西林',
      'ZL001,静脉输液,诊疗,001203000010000,',
      'CL001,敷料,材料,C01010101001000000000,敷料',
      'ZL002,换药,诊疗,001203000020000,',
    );
    const dry = await svc.imports.import(STAFF, { name: 'v2.csv', bytes: v2 }, { dryRun: true });
    expect(dry).toMatchObject({
      outcome: 'dry-run',
      accepted: true,
      version: null,
      changes: {
        previousSeq: 1,
        added: ['ZL002'],
        removed: ['YP002'],
        retargeted: [
          { hisCode: 'CL001', from: null, to: 'C01010101001000000000' },
          { hisCode: 'YP001', from: 'XJ01CAA040A001010100001', to: 'XJ01CAA040A001010100002' },
        ],
        unchanged: 1,
      },
    });
    expect(await count('settlement_catalogue_version')).toBe(1);
  });

  it('a new version becomes current; the old one stays, and a code’s history shows both', async () => {
    clock.t = new Date('2026-12-01T02:00:00Z');
    const v2 = csv('YP001,阿莫西林胶囊,药品,XJ01CAA040A001010100002,阿莫西林', 'ZL001,静脉输液,诊疗,001203000010000,');
    const report = await svc.imports.import(STAFF, { name: 'v2.csv', bytes: v2 });
    expect(report).toMatchObject({ outcome: 'stored', version: { seq: 2 }, changes: { previousSeq: 1 } });
    expect((await svc.mapping.listVersions()).map((v) => [v.seq, v.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(await svc.mapping.currentMapping(['YP002'])).toEqual(new Map());
    const yp001 = await svc.mapping.item('YP001');
    expect(yp001.current).toMatchObject({ medListCode: 'XJ01CAA040A001010100002', versionSeq: 2 });
    expect(yp001.history.map((h) => [h.versionSeq, h.medListCode, h.versionImportedAt])).toEqual([
      [2, 'XJ01CAA040A001010100002', '2026-12-01T02:00:00.000Z'],
      [1, 'XJ01CAA040A001010100001', '2026-11-25T01:00:00.000Z'],
    ]);
    expect((await svc.mapping.item('YP002')).current).toBeNull();
    await expect(svc.mapping.item('NOPE')).rejects.toMatchObject({ code: 'CATALOGUE_ITEM_NOT_FOUND', status: 404 });
  });

  it('the database refuses to change or delete a stored version or item', async () => {
    await expect(
      ds.query(`UPDATE settlement_catalogue_item SET med_list_codg = 'X' WHERE his_code = 'YP001'`),
    ).rejects.toThrow(/immutable/);
    await expect(ds.query(`DELETE FROM settlement_catalogue_version`)).rejects.toThrow(/immutable/);
  });

  it('imports a large GBK file across statement chunks', async () => {
    // GBK bytes for the header 院内项目编码,院内项目名称,项目类别,医保目录编码 and the kind 药品.
    const header = Buffer.from(
      'd4bac4dacfeec4bfb1e0c2eb2cd4bac4dacfeec4bfc3fbb3c62ccfeec4bfc0e0b1f02cd2bdb1a3c4bfc2bcb1e0c2eb0d0a',
      'hex',
    );
    const drug = Buffer.from('d2a9c6b7', 'hex');
    const rows = Array.from({ length: 2_345 }, (_, i) =>
      Buffer.concat([
        Buffer.from(`H${i},item ${i},`),
        drug,
        Buffer.from(`,XJ01CAA040A00101${String(i).padStart(6, '0')}\r\n`),
      ]),
    );
    const report = await svc.imports.import(STAFF, { name: 'gbk.csv', bytes: Buffer.concat([header, ...rows]) });
    expect(report).toMatchObject({
      outcome: 'stored',
      file: { encoding: 'gb18030' },
      counts: { read: 2_345, mapped: 2_345 },
    });
    expect(report.changes.removed.sort()).toEqual(['YP001', 'ZL001']);
    const map = await svc.mapping.currentMapping(Array.from({ length: 2_345 }, (_, i) => `H${i}`));
    expect(map.size).toBe(2_345);
    expect(map.get('H2344')?.medListCode).toBe('XJ01CAA040A00101002344');
  });
});
