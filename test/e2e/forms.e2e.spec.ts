import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { FormDocument } from '../../src/forms/form-document.entity';
import { FormRetentionService } from '../../src/forms/form-retention.service';
import { FormStorageService } from '../../src/forms/form-storage.service';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import { AuditEntry } from '../../src/platform/audit/audit-entry.entity';
import { Clock } from '../../src/platform/clock';
import { JobRunner } from '../../src/platform/jobs/job-runner';
import { SEED } from '../../src/sandbox/seed-people';
import { UPSTREAM_LINK, type UpstreamLink } from '../../src/upstream/upstream-link';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { signaturePng } from '../support/form-samples';
import { testConfig } from '../support/test-config';

jest.setTimeout(90_000);

/** The system clock, or a pinned instant: ages drafts and signed forms past their retention without waiting. */
class PinnableClock extends Clock {
  pinned: Date | undefined;
  now(): Date {
    return this.pinned ? new Date(this.pinned) : new Date();
  }
}

type Form = {
  id: string;
  formNo: string;
  version: number;
  previousId: string | null;
  status: string;
  sha256: string | null;
  size: number | null;
  signatureKind: string | null;
  keepUntil: string | null;
  uploadMsgid: string | null;
  upload: { state: string; attempts: number; lastError: string | null } | null;
  insurerFileId: string | null;
  rejectReason: string | null;
  values: Record<string, unknown>;
  verifiedWorkerFields: string[];
  versions: Array<{ id: string; version: number; status: string; previousId: string | null }>;
};
type ErrorBody = {
  code: string;
  message: string;
  details?: Array<{ field?: string; code?: string; message: string; context?: Record<string, string> }>;
};

/** What the hospital's HIS fills in for a relapse (the worker's part comes from the insurer). */
const HIS_RELAPSE = {
  unitName: '宁夏鑫源建筑工程有限公司',
  phone: '13995112345',
  address: '宁夏银川市兴庆区解放东街88号',
  medicalHistory: '2025年4月左手压伤，经手术治疗后出院。近两周左手食指疼痛肿胀加重。',
  diagnosis: '左手食指关节僵硬，功能障碍加重',
  treatmentPeriod: '2026-11-25至2026-12-25',
  attendingDoctor: '李文',
  departmentHead: '王海燕',
  opinionDate: '2026-11-25',
};
const WORKER = SEED.activeFingers;
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * The forms lifecycle end to end, on each database: filled from HIS and the verified worker,
 * previewed, signed, stored, uploaded through the outbox to the sandbox insurer (9101) and
 * acknowledged by the completion hook; immutable once signed; corrected by versions; retention.
 */
describe.each(availableDatabases())('forms on %s', (kind: DbKind) => {
  const clock = new PinnableClock();
  let app: NestFastifyApplication;
  let base: string;
  let insurer: string;
  let key: string;
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let visit = 0;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-forms-'));
    const db = await testDatabase(kind, dataDir);
    cleanup = db.cleanup;
    const config = testConfig({
      dataDir,
      database: db.database,
      sandboxInsurer: { enabled: true, port: 0 },
      upstream: {
        defaultTimeoutMs: 1500,
        dispatcher: { pollIntervalMs: 20, leaseMs: 2000, backoffBaseMs: 50, backoffMaxMs: 300 },
        emergency: { afterMs: 300, probeIntervalMs: 100 },
      },
      forms: {
        retention: { agreementEndDate: '2027-12-31', keepYearsAfterAgreement: 2, draftDays: 30, intervalMs: 3_600_000 },
      },
    });
    __resetOutOfContextForTests();
    app = await createApp(config, { clock, logDestination: { write: () => undefined } });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    insurer = app.get<UpstreamLink>(UPSTREAM_LINK).baseUrl.replace(/\/$/, '');
    key = (
      await app.get(ApiKeyService).create({ name: 'HIS', scopes: ['forms', 'identity'] }, { type: 'system', id: 'e2e' })
    ).token;
    ds = app.get(DataSource);
  });
  afterEach(async () => {
    await request(insurer).delete('/sandbox/faults');
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  const api = {
    post: (path: string, body: object) => request(base).post(path).set('authorization', `Bearer ${key}`).send(body),
    patch: (path: string, body: object) => request(base).patch(path).set('authorization', `Bearer ${key}`).send(body),
    get: (path: string) => request(base).get(path).set('authorization', `Bearer ${key}`),
    pdf: (path: string) => request(base).get(path).set('authorization', `Bearer ${key}`).buffer(true).parse(binary),
  };
  /** A MATCH for the worker at a new visit: HIS identity plus the worker's e-card QR code. */
  const verified = async (): Promise<{ visitId: string; token: string }> => {
    const visitId = `ZY2026112500${++visit}`;
    const session = (
      await api
        .post('/api/v1/identity/sessions', {
          desk: '住院处1',
          visitId,
          visitKind: 'inpatient',
          hisIdentity: { idNumber: WORKER.certno, name: WORKER.psn_name },
        })
        .expect(201)
    ).body as { id: string };
    const qr = (
      (await request(insurer).post('/sandbox/qr-tokens').send({ certno: WORKER.certno, kind: 'ecard' }).expect(201))
        .body as { token: string }
    ).token;
    const match = (await api.post(`/api/v1/identity/sessions/${session.id}/qr`, { text: qr }).expect(200)).body as {
      verdict: string;
      token: string;
    };
    expect(match.verdict).toBe('MATCH');
    return { visitId, token: match.token };
  };
  const createRelapse = async (): Promise<Form> => {
    const { visitId, token } = await verified();
    return (
      await api
        .post('/api/v1/forms', { kind: 'relapse-filing', visitId, verificationToken: token, values: HIS_RELAPSE })
        .expect(201)
    ).body as Form;
  };
  const form = async (id: string): Promise<Form> => (await api.get(`/api/v1/forms/${id}`).expect(200)).body as Form;
  const untilStatus = async (id: string, status: string): Promise<Form> => {
    let last: Form | undefined;
    await eventually(
      async () => (last = await form(id)).status === status,
      `form ${id} to be ${status} (last: ${last?.status})`,
      30_000,
      50,
    );
    return last as Form;
  };
  const sign = (id: string) =>
    api.post(`/api/v1/forms/${id}/signature`, {
      signaturePng: signaturePng().toString('base64'),
      signedAt: '2026-11-25',
    });
  const timesReceived = async (msgid: string): Promise<number> =>
    ((await request(insurer).get(`/sandbox/messages/${msgid}`).expect(200)).body as { timesReceived: number })
      .timesReceived;

  it('create (worker from the insurer) → preview → sign → acknowledged; the stored file is served byte for byte and matches its sha256', async () => {
    const draft = await createRelapse();
    expect(draft).toMatchObject({ version: 1, previousId: null, status: 'draft', sha256: null });
    expect(draft.values).toMatchObject({
      name: WORKER.psn_name,
      sex: '男',
      idNumber: WORKER.certno,
      workerCategory: '在职',
      injuredParts: '左手食指、左手中指',
      ...HIS_RELAPSE,
    });
    expect(draft.verifiedWorkerFields).toEqual(
      expect.arrayContaining(['name', 'idNumber', 'determinationNo', 'injuryDate']),
    );

    const preview = await api
      .post('/api/v1/forms/preview', {
        kind: 'relapse-filing',
        visitId: 'ZY-PREVIEW',
        values: {
          ...HIS_RELAPSE,
          name: WORKER.psn_name,
          sex: '男',
          birthDate: WORKER.brdy,
          idNumber: WORKER.certno,
          injuryDate: '2025-04-03',
          determinationDate: '2025-06-20',
          determinationNo: 'X',
          workerCategory: '在职',
          injuredParts: '左手食指',
        },
      })
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(preview.headers['content-type']).toBe('application/pdf');
    expect((preview.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const draftPdf = await api.pdf(`/api/v1/forms/${draft.id}/pdf`).expect(200);
    expect((draftPdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    const signed = (await sign(draft.id).expect(200)).body as Form;
    expect(signed).toMatchObject({
      status: 'signed',
      signatureKind: 'pad',
      uploadMsgid: expect.stringMatching(/^H64010600001\d{18}$/),
      upload: { state: expect.stringMatching(/^(pending|sending)$/) },
    });
    // Kept until two years after the agreement's end (2027-12-31, Beijing).
    expect(signed.keepUntil).toBe('2029-12-31T15:59:59.999Z');
    const done = await untilStatus(draft.id, 'acknowledged');
    expect(done.insurerFileId).toMatch(/^FD\d+$/);
    const file = (await api.pdf(`/api/v1/forms/${draft.id}/pdf`).expect(200)).body as Buffer;
    expect(sha(file)).toBe(signed.sha256);
    expect(file.length).toBe(signed.size);
    const row = await ds.getRepository(FormDocument).findOneByOrFail({ id: draft.id });
    expect(sha(readFileSync(join(app.get(FormStorageService).root, row.filePath as string)))).toBe(signed.sha256);
    expect(await timesReceived(signed.uploadMsgid as string)).toBe(1);
    // Values are encrypted at rest, and the worker is found by a keyed hash only.
    expect(row.values).not.toContain(WORKER.psn_name);
    expect(row.workerKey).not.toContain(WORKER.certno);
  });

  it('a signed form cannot be changed or signed again (409); a correction is version 2 linked to version 1, both fetchable', async () => {
    const v1 = (await sign((await createRelapse()).id).expect(200)).body as Form;
    const fileBefore = (await api.pdf(`/api/v1/forms/${v1.id}/pdf`).expect(200)).body as Buffer;
    for (const res of [await api.patch(`/api/v1/forms/${v1.id}`, { values: { diagnosis: '改' } }), await sign(v1.id)]) {
      expect(res.status).toBe(409);
      expect((res.body as ErrorBody).code).toBe('FORM_SIGNED_IMMUTABLE');
    }
    const v2 = (
      await api
        .post(`/api/v1/forms/${v1.id}/corrections`, { values: { diagnosis: '左手食指关节僵硬伴肌腱粘连' } })
        .expect(201)
    ).body as Form;
    expect(v2).toMatchObject({ formNo: v1.formNo, version: 2, previousId: v1.id, status: 'draft' });
    expect(v2.values.diagnosis).toBe('左手食指关节僵硬伴肌腱粘连');
    // Only the latest version may be corrected; a draft is edited, not corrected.
    expect(
      ((await api.post(`/api/v1/forms/${v1.id}/corrections`, { values: {} }).expect(409)).body as ErrorBody).code,
    ).toBe('FORM_NOT_LATEST');
    expect(
      ((await api.post(`/api/v1/forms/${v2.id}/corrections`, { values: {} }).expect(409)).body as ErrorBody).code,
    ).toBe('FORM_NOT_SIGNED');
    await api.patch(`/api/v1/forms/${v2.id}`, { values: { treatmentPeriod: '2026-11-26至2026-12-26' } }).expect(200);
    // Version 2 signed with a scanned signed copy instead of a pad signature. A scan is large: this
    // one is over the ordinary body limit (1 MiB) in Base64, which only the signature route lifts.
    const scan = Buffer.concat([
      Buffer.from('%PDF-1.4\n% scanned signed copy\n1 0 obj << /Type /Catalog >> endobj\n'),
      Buffer.from(`%${'扫'.repeat(400_000)}\n`),
      Buffer.from('trailer << /Root 1 0 R >>\n%%EOF\n'),
    ]);
    expect(scan.toString('base64').length).toBeGreaterThan(1024 * 1024);
    const tooLarge = await api.patch(`/api/v1/forms/${v2.id}`, { values: { diagnosis: scan.toString('base64') } });
    expect([tooLarge.status, (tooLarge.body as ErrorBody).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const signed2 = (
      await api.post(`/api/v1/forms/${v2.id}/signature`, { scannedPdf: scan.toString('base64') }).expect(200)
    ).body as Form;
    expect(signed2).toMatchObject({ signatureKind: 'scan', sha256: sha(scan) });
    await untilStatus(v2.id, 'acknowledged');
    const latest = await form(v2.id);
    expect(latest.versions.map((v) => [v.version, v.previousId])).toEqual([
      [1, null],
      [2, v1.id],
    ]);
    // Version 1 is untouched: same file, same digest.
    const old = await form(v1.id);
    expect(old.sha256).toBe(v1.sha256);
    expect(old.values.diagnosis).toBe(HIS_RELAPSE.diagnosis);
    expect(((await api.pdf(`/api/v1/forms/${v1.id}/pdf`).expect(200)).body as Buffer).equals(fileBefore)).toBe(true);
    expect(((await api.pdf(`/api/v1/forms/${v2.id}/pdf`).expect(200)).body as Buffer).equals(scan)).toBe(true);
  });

  it('an upload retried through an insurer outage (reply lost, then 503 for everything) shows signed → uploaded → acknowledged, exactly once', async () => {
    const draft = await createRelapse();
    // The insurer stores the document and the reply is lost; then it refuses everything (503) for a while.
    await request(insurer).put('/sandbox/faults').send({ commitThenDrop: 1 }).expect(200);
    const signed = (await sign(draft.id).expect(200)).body as Form;
    const msgid = signed.uploadMsgid as string;
    await eventually(async () => (await timesReceived(msgid).catch(() => 0)) >= 1, 'the first delivery', 30_000, 50);
    await request(insurer).put('/sandbox/faults').send({ commitThenDrop: 0, errorRate: 1 }).expect(200);
    const attemptsWhileDown = async () =>
      Number(
        (
          await ds.query<{ n: string | number }[]>(
            `SELECT COUNT(*) AS n FROM outbox_attempt a JOIN outbox_message m ON m.id = a.message_id WHERE m.msgid = '${msgid}'`,
          )
        )[0].n,
      );
    await eventually(async () => (await attemptsWhileDown()) >= 2, 'an attempt during the outage', 30_000, 50);
    // Sent, and the insurer's answer not known: uploaded, with the outbox's reason.
    expect(await form(draft.id)).toMatchObject({
      status: 'uploaded',
      upload: { state: expect.stringMatching(/^(unknown|sending)$/), lastError: expect.any(String) },
    });
    await request(insurer).delete('/sandbox/faults');
    const done = await untilStatus(draft.id, 'acknowledged');
    expect(done.insurerFileId).toMatch(/^FD\d+$/);
    expect(await timesReceived(msgid)).toBe(1);
    const outcomes = (await ds.getRepository(AuditEntry).findBy({ action: 'forms.upload' })).filter(
      (a) => (a.details as { formId: string }).formId === draft.id,
    );
    expect(outcomes).toHaveLength(1);
  });

  it('missing or invalid fields → 400 listing each; HIS contradicting the insurer → 400 naming the field; nothing stored', async () => {
    const before = await ds.getRepository(FormDocument).count();
    const missing = (
      await api
        .post('/api/v1/forms', {
          kind: 'relapse-filing',
          visitId: 'ZY-MISSING',
          values: { unitName: '宁夏鑫源建筑工程有限公司', birthDate: '1985-02-30' },
        })
        .expect(400)
    ).body as ErrorBody;
    expect(missing.code).toBe('VALIDATION_FAILED');
    const fields = (missing.details ?? []).map((d) => `${d.field}:${d.code}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'values.name:FORM_FIELD_MISSING',
        'values.idNumber:FORM_FIELD_MISSING',
        'values.phone:FORM_FIELD_MISSING',
        'values.diagnosis:FORM_FIELD_MISSING',
        'values.attendingDoctor:FORM_FIELD_MISSING',
        'values.birthDate:FORM_FIELD_INVALID',
      ]),
    );
    expect(fields.some((f) => f.startsWith('values.unitName'))).toBe(false);
    const unknown = (
      await api
        .post('/api/v1/forms', { kind: 'relapse-filing', visitId: 'ZY-X', values: { ...HIS_RELAPSE, shoeSize: '42' } })
        .expect(400)
    ).body as ErrorBody;
    expect(unknown.details?.map((d) => d.field)).toEqual(['values.shoeSize']);
    const kindUnknown = (
      await api.post('/api/v1/forms', { kind: 'sick-note', visitId: 'ZY-X', values: {} }).expect(400)
    ).body as ErrorBody;
    expect(kindUnknown.code).toBe('FORM_KIND_UNKNOWN');
    const { visitId, token } = await verified();
    const conflict = (
      await api
        .post('/api/v1/forms', {
          kind: 'relapse-filing',
          visitId,
          verificationToken: token,
          values: { ...HIS_RELAPSE, name: '马建军', sex: '男' },
        })
        .expect(400)
    ).body as ErrorBody;
    expect(conflict.code).toBe('FORM_WORKER_CONFLICT');
    expect(conflict.details?.map((d) => d.field)).toEqual(['values.name']);
    // A token of another visit does not fill this visit's form.
    const otherVisit = (
      await api
        .post('/api/v1/forms', {
          kind: 'relapse-filing',
          visitId: 'ZY-OTHER',
          verificationToken: token,
          values: HIS_RELAPSE,
        })
        .expect(403)
    ).body as ErrorBody;
    expect(otherVisit.code).toMatch(/VISIT/);
    expect(await ds.getRepository(FormDocument).count()).toBe(before);
  });

  it('a character outside the font → 400 FORM_CHARACTER_NOT_IN_FONT naming it, at create time', async () => {
    const { visitId, token } = await verified();
    const res = (
      await api
        .post('/api/v1/forms', {
          kind: 'relapse-filing',
          visitId,
          verificationToken: token,
          values: { ...HIS_RELAPSE, attendingDoctor: '李\u{30EDE}' },
        })
        .expect(400)
    ).body as ErrorBody;
    expect(res.code).toBe('FORM_CHARACTER_NOT_IN_FONT');
    expect(res.message).toContain('\u{30EDE}');
    expect(res.details).toEqual([
      expect.objectContaining({
        field: 'attendingDoctor',
        code: 'CHAR_NOT_IN_FONT',
        context: { char: '\u{30EDE}', codePoint: 'U+30EDE' },
      }),
    ]);
  });

  it('lists by visit and by worker (ID number matched by keyed hash), newest first, keyset-paged', async () => {
    const a = await createRelapse();
    const byVisit = (
      await api
        .get(
          `/api/v1/forms?visitId=${encodeURIComponent((await ds.getRepository(FormDocument).findOneByOrFail({ id: a.id })).visitId)}`,
        )
        .expect(200)
    ).body as Form[];
    expect(byVisit.map((f) => f.id)).toEqual([a.id]);
    const byWorker = (await api.get(`/api/v1/forms?idNumber=${WORKER.certno}&limit=2`).expect(200)).body as Form[];
    expect(byWorker.map((f) => f.id)).toEqual([a.id, expect.any(String)]);
    const next = (
      await api.get(`/api/v1/forms?idNumber=${WORKER.certno}&limit=500&before=${byWorker[1].id}`).expect(200)
    ).body as Form[];
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((f) => f.id < byWorker[1].id)).toBe(true);
    expect(((await api.get('/api/v1/forms').expect(400)).body as ErrorBody).details?.[0].code).toBe(
      'FORM_LIST_FILTER_REQUIRED',
    );
  });

  it('GET /api/v1/forms/kinds: every kind with its fields as the template declares them (not taken for a form id)', async () => {
    const kinds = (await api.get('/api/v1/forms/kinds').expect(200)).body as {
      kind: string;
      title: string;
      fields: { key: string; label: string; required: boolean }[];
    }[];
    expect(kinds.map((k) => k.kind)).toEqual(['relapse-filing', 'rehab-application', 'self-pay-consent']);
    expect(kinds[0].fields.find((f) => f.key === 'opinionDate')).toMatchObject({
      label: '医疗机构意见日期',
      required: false,
    });
    await request(base).get('/api/v1/forms/kinds').expect(401);
  });

  it('retention: drafts go after draftDays; a signed form is never deleted before keep-until, and is deleted after it', async () => {
    const forms = app.get(FormRetentionService);
    // The same retention runs as the forms.retention background job, on the configured interval.
    expect(app.get(JobRunner).status()).toContainEqual(
      expect.objectContaining({ name: 'forms.retention', intervalMs: 3_600_000 }),
    );
    const draft = await createRelapse();
    const signed = await untilStatus(
      ((await sign((await createRelapse()).id).expect(200)).body as Form).id,
      'acknowledged',
    );
    const keepUntil = new Date(signed.keepUntil as string).getTime();
    const path = join(
      app.get(FormStorageService).root,
      (await ds.getRepository(FormDocument).findOneByOrFail({ id: signed.id })).filePath as string,
    );
    try {
      clock.pinned = new Date(Date.now() + 31 * 86_400_000);
      const first = await forms.prune(false);
      expect(first.drafts).toContain(draft.id);
      expect(first.signed).not.toContain(signed.id);
      await api.get(`/api/v1/forms/${draft.id}`).expect(404);
      // One millisecond before keep-until: every signed form stays, file and row.
      clock.pinned = new Date(keepUntil - 1);
      const dry = await forms.prune(true);
      expect(dry.signed).not.toContain(signed.id);
      expect((await forms.prune(false)).signed).not.toContain(signed.id);
      expect(existsSync(path)).toBe(true);
      await api.get(`/api/v1/forms/${signed.id}`).expect(200);
      // After keep-until it goes (a dry run first only reports it).
      clock.pinned = new Date(keepUntil + 1);
      expect((await forms.prune(true)).signed).toContain(signed.id);
      expect(existsSync(path)).toBe(true);
      const [one, two] = await Promise.all([forms.prune(false), forms.prune(false)]);
      expect([...one.signed, ...two.signed].filter((id) => id === signed.id)).toHaveLength(1);
      expect(existsSync(path)).toBe(false);
      await api.get(`/api/v1/forms/${signed.id}`).expect(404);
    } finally {
      clock.pinned = undefined;
    }
  });
});
