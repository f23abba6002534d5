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
import { poppler, popplerAvailable } from '../support/poppler';
import { FormRenderer } from '../../src/forms/render/form-renderer';
import { HisDocumentRenderer } from '../../src/obligations/documents/his/his-document-renderer';
import type { GatewayConfig } from '../../src/platform';
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
    get: async (id: string) =>
      Promise.resolve({
        visitId: id,
        kind: id.startsWith('MZ') ? 'outpatient' : 'inpatient',
        psnNo: '6401040000102318',
        dept: '手外科',
        admissionDate: '2026-11-20',
        dischargeDate: id.startsWith('ZYOPEN') ? null : '2026-11-28',
      }),
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
      { hospital: { name: '宁夏回族自治区人民医院', fixmedinsCode: 'H64010600001' } } as GatewayConfig,
      new HisDocumentRenderer(new FormRenderer()),
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
  it('the 出院小结 and 病案首页 as structured data: rendered with the stay’s facts; the same data is no new version', async () => {
    const summary = {
      name: '马建国',
      sex: '男',
      admissionDiagnosis: '右手示指近节指骨骨折',
      dischargeDiagnosis: 'S62.600 右手示指近节指骨骨折（术后）',
      admissionCondition: '右手示指肿痛、活动受限 2 小时入院。',
      treatmentCourse: '入院后完善检查，于 2026-11-21 行切开复位内固定术，术后抗感染、换药。',
      dischargeCondition: '伤口愈合良好，无红肿渗出。',
      dischargeAdvice: '两周后门诊复查，不适随诊。',
      doctor: '李医生',
      writtenOn: '2026-11-28',
    };
    const first = await service.receiveDischargeSummary(his, 'ZY5', summary);
    expect(first).toMatchObject({ docType: '04', version: 1, unchanged: false });
    expect(await service.receiveDischargeSummary(his, 'ZY5', summary)).toMatchObject({ version: 1, unchanged: true });
    const record = await service.receiveMedicalRecord(his, 'ZY5', {
      medicalRecordNo: 'BA2026001234',
      name: '马建国',
      sex: '男',
      birthDate: '1985-03-12',
      principalDiagnosis: { code: 'S62.600', name: '右手示指近节指骨骨折' },
      otherDiagnoses: [{ code: 'S61.000', name: '右手示指开放性伤口' }],
      operations: [{ code: '79.3301', name: '指骨骨折切开复位内固定术', date: '2026-11-21', surgeon: '王主任' }],
      dischargeMethod: '医嘱离院',
      attendingDoctor: '王主任',
      writtenOn: '2026-11-28',
    });
    expect(record).toMatchObject({ docType: '03', version: 1 });
    if (popplerAvailable()) {
      const text = (b: Buffer) => poppler('pdftotext', ['-layout', '-', '-'], b).toString('utf8').replace(/\s+/g, '');
      const [s4] = await repo.versions(visitSubject('ZY5'), '04');
      const t4 = text(Buffer.from(s4.pdfBase64, 'base64'));
      expect(t4).toContain('出院小结');
      expect(t4).toContain('2026-11-20');
      expect(t4).toContain('2026-11-28');
      expect(t4).toContain('切开复位内固定术');
      const [s3] = await repo.versions(visitSubject('ZY5'), '03');
      const t3 = text(Buffer.from(s3.pdfBase64, 'base64'));
      expect(t3).toContain('BA2026001234');
      expect(t3).toContain('S62.600');
      expect(t3).toContain('79.3301');
      expect(t3).toContain('6401040000102318');
    }
    await expect(service.receiveDischargeSummary(his, 'ZYOPEN1', summary)).rejects.toMatchObject({
      code: 'DOCUMENT_VISIT_NOT_DISCHARGED',
    });
  });
  it('the longest data the API accepts still renders', async () => {
    const text = (n: number) => '患者伤口愈合良好，功能锻炼中。'.repeat(Math.ceil(n / 15)).slice(0, n);
    await expect(
      service.receiveDischargeSummary(his, 'ZY6', {
        name: '马建国',
        sex: '男',
        admissionDiagnosis: text(100),
        dischargeDiagnosis: text(100),
        admissionCondition: text(500),
        treatmentCourse: text(1000),
        dischargeCondition: text(500),
        dischargeAdvice: text(500),
        doctor: '李医生',
        writtenOn: '2026-11-28',
      }),
    ).resolves.toMatchObject({ version: 1 });
    const many = Array.from({ length: 10 }, (_, i) => ({
      code: `S6${String(i).padStart(2, '0')}.000`,
      name: text(40),
    }));
    await expect(
      service.receiveMedicalRecord(his, 'ZY6', {
        medicalRecordNo: 'BA2026001235',
        name: '马建国',
        sex: '男',
        birthDate: '1985-03-12',
        admissionDiagnosis: text(100),
        principalDiagnosis: { code: 'S62.600', name: text(40) },
        otherDiagnoses: many,
        operations: many.map((d) => ({ ...d, date: '2026-11-21', surgeon: '王主任' })),
        dischargeMethod: '医嘱离院',
        attendingDoctor: '王主任',
        writtenOn: '2026-11-28',
      }),
    ).resolves.toMatchObject({ version: 1 });
  });
});
