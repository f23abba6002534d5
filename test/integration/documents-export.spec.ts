import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { GATEWAY_FEATURES, GATEWAY_SCHEMA } from '../../src/gateway.features';
import { loadStartupConfig } from '../../src/platform';
import { exportDocuments, type ExportedDocument } from '../../src/obligations/documents/documents-export';
import type { DocType } from '../../src/obligations/documents/doc-types';
import type { InpatientDocument } from '../../src/obligations/documents/inpatient-document.entity';
import {
  InpatientDocumentRepository,
  settlementSubject,
  visitSubject,
} from '../../src/obligations/documents/inpatient-document.repository';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { cli, hospitalYaml } from '../support/cli-run';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';

const pdf = (text: string): Buffer => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`, 'latin1');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
let seq = 0;

/** Two inpatient settlements in November (one visit's 病案首页 corrected once), one in December. */
async function seed(repo: InpatientDocumentRepository): Promise<Record<string, Buffer>> {
  const bytes: Record<string, Buffer> = {};
  const put = async (set: { id: string; mdtrtId: string }, docType: DocType, version: number, text: string) => {
    const b = pdf(text);
    bytes[text] = b;
    const visitDoc = docType === '03' || docType === '04';
    const row: InpatientDocument = {
      id: `00000000-0000-7000-8000-${String(++seq).padStart(12, '0')}`,
      subjectKey: visitDoc ? visitSubject(set.mdtrtId) : settlementSubject(set.id),
      mdtrtId: set.mdtrtId,
      settlementId: visitDoc ? null : set.id,
      docType,
      version,
      source: visitDoc ? 'his' : 'gateway',
      fileName: `${text}.pdf`,
      sha256: sha(b),
      size: b.length,
      pdfBase64: b.toString('base64'),
      status: 'acknowledged',
      outboxMessageId: null,
      fileId: `FD${seq}`,
      rejectReason: null,
      createdBy: 'test',
      createdAt: new Date('2026-11-20T02:00:00Z'),
      uploadedAt: new Date('2026-11-20T02:00:05Z'),
      supersededAt: null,
    };
    await repo.insert(row);
  };
  const sets = [
    { id: 'S-A', mdtrtId: 'ZY-A', setlId: 'ST-A', settledOn: '2026-11-01' },
    { id: 'S-B', mdtrtId: 'ZY-B', setlId: 'ST-B', settledOn: '2026-11-30' },
    { id: 'S-C', mdtrtId: 'ZY-C', setlId: 'ST-C', settledOn: '2026-12-01' },
  ];
  for (const s of sets) {
    await repo.putSet({
      settlementId: s.id,
      mdtrtId: s.mdtrtId,
      psnNo: 'P1',
      setlId: s.setlId,
      settledOn: s.settledOn,
      createdAt: new Date(),
    });
    for (const t of ['03', '04', '05', '06'] as const) {
      await put(s, t, 1, `${s.id}-${t}-1`);
    }
  }
  await put(sets[0], '03', 2, 'S-A-03-2');
  return bytes;
}

describe.each(availableDatabases())('documents export on %s', (kind: DbKind) => {
  let dir: string;
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let bytes: Record<string, Buffer>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'documents-export-'));
    const t = await testDatabase(kind, dir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    bytes = await seed(new InpatientDocumentRepository(ds));
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes every version of the month's settlements' documents and a manifest, each file checked", async () => {
    const result = await exportDocuments(ds, '2026-11', join(dir, 'out'));
    expect(result.settlements).toBe(2);
    expect(result.failed).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(result.dir, 'manifest.json'), 'utf8')) as {
      month: string;
      files: ExportedDocument[];
    };
    expect(manifest.month).toBe('2026-11');
    expect(manifest.files.map((f) => [f.file, f.current])).toEqual([
      ['ST-A/03-v1.pdf', false],
      ['ST-A/03-v2.pdf', true],
      ['ST-A/04-v1.pdf', true],
      ['ST-A/05-v1.pdf', true],
      ['ST-A/06-v1.pdf', true],
      ['ST-B/03-v1.pdf', true],
      ['ST-B/04-v1.pdf', true],
      ['ST-B/05-v1.pdf', true],
      ['ST-B/06-v1.pdf', true],
    ]);
    for (const f of manifest.files) {
      const written = readFileSync(join(result.dir, f.file));
      expect(sha(written)).toBe(f.sha256);
      expect(written.length).toBe(f.size);
      expect(f).toMatchObject({ verified: true, upload_status: 'acknowledged', file_id: expect.stringMatching(/^FD/) });
    }
    expect(readFileSync(join(result.dir, 'ST-A/03-v2.pdf')).equals(bytes['S-A-03-2'])).toBe(true);
    expect(manifest.files.find((f) => f.file === 'ST-B/05-v1.pdf')).toMatchObject({
      doc_type: '05',
      name: '费用明细清单',
      settlement: 'S-B',
      setl_id: 'ST-B',
      visit: 'ZY-B',
    });
  });

  it('a stored file that no longer hashes to its SHA-256 is written, flagged and named', async () => {
    await ds
      .createQueryBuilder()
      .update('inpatient_document')
      .set({ pdfBase64: pdf('tampered').toString('base64') })
      .where('file_name = :n', { n: 'S-C-05-1.pdf' })
      .execute();
    const result = await exportDocuments(ds, '2026-12', join(dir, 'out'));
    expect(result.failed.map((f) => f.file)).toEqual(['ST-C/05-v1.pdf']);
    expect(result.files.filter((f) => f.verified)).toHaveLength(3);
  });
});

describe('gateway documents export', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'documents-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the month to --out and says where the manifest is; refuses a bad month', async () => {
    const config = hospitalYaml(dir);
    expect((await cli(['pii', 'init', join(dir, 'keys.json')])).code).toBe(0);
    mkdirSync(join(dir, 'data'), { recursive: true });
    expect((await cli(['migrate', '--config', config])).code).toBe(0);
    const { config: loaded } = loadStartupConfig({ configFile: config, sandbox: false }, GATEWAY_FEATURES, {});
    const ds = await openDataSource(loaded.database, loaded.dataDir, GATEWAY_SCHEMA);
    await seed(new InpatientDocumentRepository(ds));
    await ds.destroy();
    const r = await cli(['documents', 'export', '--month', '2026-11', '--out', join(dir, 'out'), '--config', config]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('9 document file(s) of 2 inpatient settlement(s) settled in 2026-11');
    expect(r.out).toContain(join(dir, 'out', 'documents-2026-11', 'manifest.json'));
    const bad = await cli(['documents', 'export', '--month', '2026-13', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--month YYYY-MM');
  });
});
