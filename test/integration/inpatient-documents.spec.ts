import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import {
  InpatientDocumentRepository,
  visitSubject,
} from '../../src/obligations/documents/inpatient-document.repository';
import { InpatientDocumentsService } from '../../src/obligations/documents/inpatient-documents.service';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { Transactions } from '../../src/platform/database/transactions';
import type { VisitsService } from '../../src/settlement/visits.service';
import { PinnedClock } from '../support/pinned-clock';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';

const pdf = (text: string): Buffer => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`, 'latin1');

/** Keeping HIS's documents: versions, the same content again, two sends at once. */
describe.each(availableDatabases())('inpatient documents kept on %s', (kind: DbKind) => {
  let dir: string;
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let repo: InpatientDocumentRepository;
  let service: InpatientDocumentsService;
  const visits = {
    get: async (id: string) => Promise.resolve({ visitId: id, kind: id.startsWith('MZ') ? 'outpatient' : 'inpatient' }),
  } as unknown as VisitsService;
  const his = { type: 'system' as const, id: 'his', name: 'HIS', scopes: ['settlement' as const] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inpatient-documents-'));
    const t = await testDatabase(kind, dir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    repo = new InpatientDocumentRepository(ds);
    service = new InpatientDocumentsService(
      new Transactions(ds),
      new PinnedClock(new Date('2026-11-28T02:00:00Z')),
      repo,
      visits,
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const sendDoc = (visit: string, text: string, path = 'medical-record') =>
    service.receive(his, visit, path, { contentBase64: pdf(text).toString('base64') });

  it('the same content is no new version; a new content is, the older kept and marked superseded', async () => {
    expect(await sendDoc('ZY1', 'a')).toMatchObject({ version: 1, versions: 1, unchanged: false, status: 'stored' });
    expect(await sendDoc('ZY1', 'a')).toMatchObject({ version: 1, versions: 1, unchanged: true });
    expect(await sendDoc('ZY1', 'b')).toMatchObject({ version: 2, versions: 2, unchanged: false });
    const versions = await repo.versions(visitSubject('ZY1'), '03');
    expect(versions.map((v) => [v.version, v.supersededAt !== null])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(Buffer.from(versions[0].pdfBase64, 'base64').equals(pdf('a'))).toBe(true);
  });

  it('two sends at once both land: different contents as versions 1 and 2, the same content once', async () => {
    const both = await Promise.all([
      sendDoc('ZY2', 'x', 'discharge-summary'),
      sendDoc('ZY2', 'y', 'discharge-summary'),
    ]);
    expect(both.map((d) => d.version).sort()).toEqual([1, 2]);
    const same = await Promise.all([sendDoc('ZY3', 'z'), sendDoc('ZY3', 'z')]);
    expect(same.map((d) => d.version)).toEqual([1, 1]);
    expect((await repo.versions(visitSubject('ZY3'), '03')).length).toBe(1);
  });

  it('refuses what is not a PDF, an unknown document or an outpatient visit, storing nothing', async () => {
    await expect(
      service.receive(his, 'ZY4', 'medical-record', { contentBase64: Buffer.from('GIF89a').toString('base64') }),
    ).rejects.toMatchObject({ code: 'DOCUMENT_NOT_PDF' });
    await expect(service.receive(his, 'ZY4', 'medical-record', { contentBase64: '%%%' })).rejects.toMatchObject({
      code: 'DOCUMENT_NOT_PDF',
    });
    await expect(sendDoc('ZY4', 'a', 'nursing-record')).rejects.toMatchObject({ code: 'DOCUMENT_KIND_UNKNOWN' });
    await expect(sendDoc('MZ4', 'a')).rejects.toMatchObject({ code: 'DOCUMENT_VISIT_NOT_INPATIENT' });
    expect(await repo.versions(visitSubject('ZY4'), '03')).toEqual([]);
    expect(await repo.versions(visitSubject('MZ4'), '03')).toEqual([]);
  });
});
