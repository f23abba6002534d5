import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { InpatientDocumentSet } from '../../src/obligations/documents/inpatient-document.entity';
import {
  INPATIENT_DOCUMENTS_JOB,
  InpatientDocumentsJob,
} from '../../src/obligations/documents/inpatient-documents.job';
import { ObligationRow } from '../../src/obligations/obligation.entity';
import { JobRunner } from '../../src/platform';
import { CalendarService } from '../../src/calendar/calendar.service';
import { dueDate } from '../../src/obligations/rules/due-date';
import { SEED } from '../../src/sandbox/seed-people';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { matchTokenByCards } from '../support/match-token';
import { poppler, popplerAvailable } from '../support/poppler';

jest.setTimeout(120_000);

const WORKER = SEED.activeFingers;
const STAY = 'ZY20261126D1';
const ADMISSIONS = { desk: '住院处1', card: 'adm-card', idCard: 'adm-idcard' };
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  'CW001,床位费（普通病房）,诊疗,001102000010000',
  'ZL001,换药（中）,诊疗,001203000010000',
].join('\r\n');

/** A small PDF as HIS would export one (the insurer checks type, header and digest, not the layout). */
const hisPdf = (title: string): Buffer =>
  Buffer.from(
    `%PDF-1.4\n% ${title}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );

type Doc = {
  docType: string;
  name: string;
  status: string;
  version: number | null;
  versions: number;
  sha256: string | null;
  size: number | null;
  fileId: string | null;
};
type Obligation = {
  id: string;
  kind: string;
  state: string;
  lastError: string | null;
  detail: Record<string, unknown> | null;
  evidence: { documents: { docType: string; fileId: string; sha256: string }[] } | null;
  dueOn: string;
};
type SandboxDoc = { file_id: string; doc_type: string; mdtrt_id: string | null; sha256: string; size: number };

/**
 * R12 over HTTP, on each database: an inpatient stay settled (2304) owes its four documents; the
 * obligation waits for HIS's two; HIS sends 病案首页 and 出院小结 (a re-send of the same content
 * changes nothing, a new content is version 2 with version 1 kept); the gateway renders the fee
 * list, takes the statement, and uploads all four through 9101; the sandbox insurer holds them; the
 * obligation is done with the four file_ids; pdftotext finds the fee lines in the fee list.
 */
describe.each(availableDatabases())('the documents of an inpatient settlement on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let insurer: string;
  let key: string;
  let ops: string;
  let dir: string;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-documents-'));
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    t = await startTestApp({
      dataDir: dir,
      database: db.database,
      sandboxInsurer: { enabled: true, port: 0 },
      settlement: { waitForOutcomeMs: 5000 },
      devices: [
        { id: ADMISSIONS.card, kind: 'ssse-card', transport: 'simulated', desk: ADMISSIONS.desk },
        { id: ADMISSIONS.idCard, kind: 'id-card', transport: 'simulated', desk: ADMISSIONS.desk },
      ],
    });
    ({ base, insurer } = await listenLocally(t));
    key = await t.token(['settlement', 'identity']);
    ops = await t.token(['operations']);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (method: 'post' | 'put' | 'get' | 'patch', path: string, body?: object) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const binary = (r: request.Test) =>
    r.buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
  const line = (lineId: string, date: string, over: Record<string, unknown> = {}) => ({
    lineId,
    hisItemCode: 'CW001',
    itemName: '床位费（普通病房）',
    kind: 'service',
    count: '1',
    unitPriceFen: 5000,
    amountFen: 5000,
    serviceDate: date,
    injuryRelated: true,
    ...over,
  });
  const obligation = async (settlementId: string): Promise<Obligation | undefined> =>
    (
      (
        await request(base)
          .get(`/api/v1/obligations?kind=inpatient-documents&subject=${settlementId}`)
          .set('authorization', `Bearer ${ops}`)
          .expect(200)
      ).body as Obligation[]
    )[0];
  const documents = async (settlementId: string): Promise<Doc[]> =>
    (await send('get', `/api/v1/settlement/settlements/${settlementId}/documents`).expect(200)).body as Doc[];

  it('settled → waits for HIS → HIS sends two → all four uploaded through 9101 → done; the fee list reads back', async () => {
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
    // At the admissions desk: the worker's card and ID card (协议 33: identity at admission and discharge).
    const token = await matchTokenByCards(send, base, ADMISSIONS, 'activeFingers', STAY, 'inpatient');
    await send('post', '/api/v1/settlement/visits', {
      visitId: STAY,
      psnNo: WORKER.psn_no,
      kind: 'inpatient',
      admissionDate: '2026-11-26',
      ward: '一病区',
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '左手食指骨折',
    })
      .set('x-verification-token', token)
      .expect(201);
    const dressing = { hisItemCode: 'ZL001', itemName: '换药（中）', count: '2', unitPriceFen: 3150, amountFen: 6300 };
    await send('put', `/api/v1/settlement/visits/${STAY}/lines`, {
      lines: [line('1', '2026-11-26'), line('2', '2026-11-27'), line('3', '2026-11-27', dressing)],
    }).expect(200);
    await send('patch', `/api/v1/settlement/visits/${STAY}`, { dischargeDate: '2026-11-28' })
      .set('x-verification-token', token)
      .expect(200);

    // HIS may send a document before settling; an outpatient visit or a non-PDF is refused.
    const front = hisPdf('bingan shouye v1');
    const sent = (
      await send('put', `/api/v1/settlement/visits/${STAY}/documents/medical-record`, {
        contentBase64: front.toString('base64'),
        fileName: '病案首页.pdf',
      }).expect(200)
    ).body as Doc & { unchanged: boolean };
    expect(sent).toMatchObject({
      docType: '03',
      name: '病案首页',
      status: 'stored',
      version: 1,
      unchanged: false,
      sha256: createHash('sha256').update(front).digest('hex'),
      size: front.length,
    });
    expect(
      (
        await send('put', `/api/v1/settlement/visits/${STAY}/documents/medical-record`, {
          contentBase64: Buffer.from('not a pdf').toString('base64'),
        }).expect(422)
      ).body,
    ).toMatchObject({ code: 'DOCUMENT_NOT_PDF' });
    expect(
      (
        await send('put', `/api/v1/settlement/visits/${STAY}/documents/operation-record`, {
          contentBase64: front.toString('base64'),
        }).expect(404)
      ).body,
    ).toMatchObject({ code: 'DOCUMENT_KIND_UNKNOWN' });

    await send('post', `/api/v1/settlement/visits/${STAY}/pre-audit`, {})
      .set('x-verification-token', token)
      .expect(200);
    const settled = (
      await send('post', `/api/v1/settlement/visits/${STAY}/settlement`)
        .set('x-verification-token', token)
        .set('idempotency-key', `${STAY}-1`)
        .expect(201)
    ).body as { id: string; status: string; setlId: string };
    expect(settled.status).toBe('settled');

    // The duty is opened; the gateway's two and HIS's first go up; it waits for the 出院小结.
    await eventually(
      async () => (await obligation(settled.id))?.lastError === 'waiting for: 出院小结',
      'waiting for 出院小结',
      20_000,
    );
    const waiting = (await obligation(settled.id)) as Obligation;
    expect(waiting).toMatchObject({
      state: 'open',
      detail: expect.objectContaining({ waitingFor: 'waiting for: 出院小结' }),
    });
    // 5 working days after the settling day, on the gateway's calendar.
    expect(waiting.dueOn).toBe(dueDate(t.app.get(CalendarService).calendar, new Date(), { workingDays: 5 }).date);
    await eventually(
      async () => (await documents(settled.id)).filter((d) => d.status === 'acknowledged').length === 3,
      'three documents acknowledged',
      20_000,
    );

    // HIS sends the 出院小结; the same 病案首页 again changes nothing; a corrected one is version 2.
    const summary = hisPdf('chuyuan xiaojie');
    await send('put', `/api/v1/settlement/visits/${STAY}/documents/discharge-summary`, {
      contentBase64: summary.toString('base64'),
    }).expect(200);
    expect(
      (
        await send('put', `/api/v1/settlement/visits/${STAY}/documents/medical-record`, {
          contentBase64: front.toString('base64'),
        }).expect(200)
      ).body,
    ).toMatchObject({ version: 1, unchanged: true });
    const corrected = hisPdf('bingan shouye v2');
    expect(
      (
        await send('put', `/api/v1/settlement/visits/${STAY}/documents/medical-record`, {
          contentBase64: corrected.toString('base64'),
        }).expect(200)
      ).body,
    ).toMatchObject({ version: 2, versions: 2, unchanged: false, status: 'stored' });

    await eventually(async () => (await obligation(settled.id))?.state === 'done', 'the duty done', 20_000);
    const docs = await documents(settled.id);
    expect(docs.map((d) => [d.docType, d.name, d.status, d.version])).toEqual([
      ['03', '病案首页', 'acknowledged', 2],
      ['04', '出院小结', 'acknowledged', 1],
      ['05', '费用明细清单', 'acknowledged', 1],
      ['06', '费用结算单', 'acknowledged', 1],
    ]);
    const done = (await obligation(settled.id)) as Obligation;
    expect(done.evidence?.documents.map((d) => [d.docType, d.fileId, d.sha256])).toEqual(
      docs.map((d) => [d.docType, d.fileId, d.sha256]),
    );

    // At the insurer: every version it was sent, each as stored here.
    const atInsurer = (await request(insurer).get(`/sandbox/documents?mdtrt_id=${STAY}`).expect(200))
      .body as SandboxDoc[];
    expect(atInsurer.map((d) => d.doc_type).sort()).toEqual(['03', '03', '04', '05', '06']);
    for (const d of docs) {
      expect(atInsurer.find((x) => x.file_id === d.fileId)).toMatchObject({
        doc_type: d.docType,
        sha256: d.sha256,
        size: d.size,
      });
    }
    // Version 1 is kept and still readable.
    const v1 = await binary(
      send('get', `/api/v1/settlement/settlements/${settled.id}/documents/03/pdf?version=1`),
    ).expect(200);
    expect((v1.body as Buffer).equals(front)).toBe(true);

    // The statement is the settlement's own; the fee list, as the insurer received it, lists the lines.
    const statement = await binary(send('get', `/api/v1/settlement/settlements/${settled.id}/statement.pdf`)).expect(
      200,
    );
    expect(
      createHash('sha256')
        .update(statement.body as Buffer)
        .digest('hex'),
    ).toBe(docs[3].sha256);
    const feeList = await binary(request(insurer).get(`/sandbox/documents/${docs[2].fileId}/content`)).expect(200);
    expect(
      createHash('sha256')
        .update(feeList.body as Buffer)
        .digest('hex'),
    ).toBe(docs[2].sha256);
    if (popplerAvailable()) {
      const text = poppler('pdftotext', ['-layout', '-', '-'], feeList.body as Buffer).toString('utf8');
      const rows = text.split('\n');
      const row = (name: string, day: string) => rows.find((r) => r.includes(name) && r.includes(day)) ?? '';
      expect(row('床位费（普通病房）', '2026-11-26')).toMatch(/CW001.*50\.00\s+50\.00/);
      expect(row('床位费（普通病房）', '2026-11-27')).toMatch(/CW001.*50\.00\s+50\.00/);
      expect(row('换药（中）', '2026-11-27')).toMatch(/ZL001.*\s2\s+31\.50\s+63\.00/);
      expect(text).toContain('163.00'); // the stay's total
      expect(text).toContain(settled.setlId);
    }
  });
  it('a duty whose opening a crash lost is opened at start; a cancelled settlement owes nothing (waived)', async () => {
    const stay = 'ZY20261129D2';
    const token = await matchTokenByCards(send, base, ADMISSIONS, 'activeFingers', stay, 'inpatient');
    await send('post', '/api/v1/settlement/visits', {
      visitId: stay,
      psnNo: WORKER.psn_no,
      kind: 'inpatient',
      admissionDate: '2026-11-29',
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '左手食指骨折',
    })
      .set('x-verification-token', token)
      .expect(201);
    await send('put', `/api/v1/settlement/visits/${stay}/lines`, { lines: [line('1', '2026-11-29')] }).expect(200);
    await send('patch', `/api/v1/settlement/visits/${stay}`, { dischargeDate: '2026-11-30' })
      .set('x-verification-token', token)
      .expect(200);
    // HIS may send structured data instead of a PDF: the gateway renders it; bad data is refused.
    const summary = {
      name: WORKER.psn_name,
      sex: '男',
      admissionDiagnosis: '左手食指骨折',
      dischargeDiagnosis: 'S62.600 左手食指骨折',
      admissionCondition: '左手食指肿痛。',
      treatmentCourse: '换药、制动。',
      dischargeCondition: '好转。',
      dischargeAdvice: '门诊复查。',
      doctor: '李医生',
      writtenOn: '2026-11-30',
    };
    expect(
      (await send('put', `/api/v1/settlement/visits/${stay}/documents/discharge-summary/data`, summary).expect(200))
        .body,
    ).toMatchObject({ docType: '04', name: '出院小结', version: 1, status: 'stored' });
    expect(
      (
        await send('put', `/api/v1/settlement/visits/${stay}/documents/discharge-summary/data`, {
          ...summary,
          writtenOn: '30/11/2026',
        }).expect(400)
      ).body,
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
    await send('post', `/api/v1/settlement/visits/${stay}/pre-audit`, {})
      .set('x-verification-token', token)
      .expect(200);
    const settled = (
      await send('post', `/api/v1/settlement/visits/${stay}/settlement`)
        .set('x-verification-token', token)
        .set('idempotency-key', `${stay}-1`)
        .expect(201)
    ).body as { id: string; status: string };
    expect(settled.status).toBe('settled');
    await eventually(async () => (await obligation(settled.id)) !== undefined, 'the duty opened', 20_000);

    // As if the process had died between the settling and its listener: neither set nor duty.
    const ds = t.app.get(DataSource);
    await ds.getRepository(InpatientDocumentSet).delete({ settlementId: settled.id });
    await ds.getRepository(ObligationRow).delete({ kind: 'inpatient-documents', subjectId: settled.id });
    expect(await obligation(settled.id)).toBeUndefined();
    expect(await t.app.get(InpatientDocumentsJob).catchUp()).toBe(1);
    expect(await obligation(settled.id)).toMatchObject({ state: 'open' });
    expect(await t.app.get(InpatientDocumentsJob).catchUp()).toBe(0);

    await send('post', `/api/v1/settlement/settlements/${settled.id}/cancel`, {
      reason: '患者要求',
      staff: '张三',
    }).expect(202);
    await eventually(
      async () =>
        ((await send('get', `/api/v1/settlement/settlements/${settled.id}`).expect(200)).body as { status: string })
          .status === 'cancelled',
      'the settlement cancelled',
      20_000,
    );
    await t.app.get(JobRunner).runNow(INPATIENT_DOCUMENTS_JOB);
    expect(await obligation(settled.id)).toMatchObject({ state: 'waived' });
  });
});
