import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { relapseSample, signaturePng } from '../../test/support/form-samples';
import { testConfig } from '../../test/support/test-config';
import { VerifiedWorkerService } from '../identity/verified-worker.service';
import { personKey } from '../identity/person-key';
import {
  AuditEntry,
  auditServiceOn,
  Clock,
  GatewayConfig,
  loadKeyring,
  openDataSource,
  PiiCryptoService,
  runMigrations,
  systemPrincipal,
  Transactions,
} from '../platform';
import { OutboxMessage } from '../upstream/outbox/outbox-message.entity';
import { standaloneOutbox } from '../upstream/outbox/standalone-outbox';
import { GATEWAY_SCHEMA } from '../gateway.features';
import { FormContentService } from './form-content.service';
import { FormDocument } from './form-document.entity';
import { FormDocumentRepository } from './form-document.repository';
import { FormDraftsService } from './form-drafts.service';
import { FormReadingService } from './form-reading.service';
import { FormSigningService } from './form-signing.service';
import { FormStorageService } from './form-storage.service';
import { FormUploadService } from './form-upload.service';
import { FormRenderer } from './render/form-renderer';

jest.setTimeout(120_000);

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-11-25T02:00:00.000Z');
  }
}

const HIS = { principal: systemPrincipal('his-test'), psnNo: '6401040000102318' };
const scan = (body = 'signed scan'): string => Buffer.from(`%PDF-1.4\n${body}\n%%EOF\n`).toString('base64');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Signing against a real SQLite database, real storage folder and the real outbox: the file is
 * stored and the row signed together with its queued 9101 upload, or neither.
 */
describe(FormSigningService.name, () => {
  let config: GatewayConfig;
  let ds: DataSource;
  let storage: FormStorageService;
  let drafts: FormDraftsService;
  let signing: FormSigningService;
  let upload: FormUploadService;
  let pii: PiiCryptoService;

  beforeAll(async () => {
    config = testConfig({ forms: { retention: { agreementEndDate: '2027-12-31', keepYearsAfterAgreement: 2 } } });
    ds = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    const clock = new FixedClock();
    pii = new PiiCryptoService(loadKeyring(config.pii));
    const audit = auditServiceOn(ds, pii, clock);
    const outbox = standaloneOutbox(ds, config, clock, audit, pii);
    const forms = new FormDocumentRepository(ds);
    const transactions = new Transactions(ds);
    const renderer = new FormRenderer();
    storage = FormStorageService.fromConfig(config);
    // No verification token in these tests: identity is never asked.
    const workers = Object.create(VerifiedWorkerService.prototype) as VerifiedWorkerService;
    const content = new FormContentService(workers, pii, renderer);
    const reading = new FormReadingService(forms, content, outbox, renderer, storage);
    upload = new FormUploadService(outbox, forms, audit, clock);
    drafts = new FormDraftsService(transactions, forms, content, reading, renderer, audit, clock);
    signing = new FormSigningService(
      transactions,
      forms,
      content,
      reading,
      upload,
      storage,
      renderer,
      audit,
      config,
      clock,
    );
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  const draft = (psnNo: string | null = HIS.psnNo) =>
    drafts.create(HIS.principal, {
      kind: 'relapse-filing',
      visitId: 'ZY1',
      psnNo: psnNo ?? undefined,
      mdtrtId: 'MD1',
      values: relapseSample(),
    });

  it('a scanned copy is stored as given, the row signed and its 9101 upload queued in the same transaction', async () => {
    const form = await draft();
    const signed = await signing.sign(form.id, { scannedPdf: scan() }, HIS.principal);
    const bytes = Buffer.from(scan(), 'base64');
    expect(signed).toMatchObject({
      status: 'signed',
      signatureKind: 'scan',
      sha256: sha(bytes),
      size: bytes.length,
      signedAt: '2026-11-25T02:00:00.000Z',
    });
    // The agreement's last day (Beijing) plus two years.
    expect(signed.keepUntil).toBe('2029-12-31T15:59:59.999Z');
    const row = await ds.getRepository(FormDocument).findOneByOrFail({ id: form.id });
    expect(readFileSync(storage.absolute(row.filePath as string)).equals(bytes)).toBe(true);
    expect(row.workerKey).toBe(personKey(pii, relapseSample().idNumber as string));
    const message = await ds.getRepository(OutboxMessage).findOneByOrFail({ id: row.outboxMessageId as string });
    expect(message).toMatchObject({
      infno: '9101',
      subjectKey: `form:${row.formNo}`,
      status: 'pending',
      msgid: row.outboxMsgid,
    });
    expect(signed.uploadMsgid).toBe(message.msgid);
    expect(signed.upload).toMatchObject({ state: 'pending', attempts: 0 });
    const audit = await ds.getRepository(AuditEntry).findOneByOrFail({ action: 'forms.sign' });
    expect(audit.details).toMatchObject({
      formId: form.id,
      signatureKind: 'scan',
      sha256: sha(bytes),
      msgid: message.msgid,
    });
  });

  it('a pad signature is drawn into the form; without a person number nothing is queued', async () => {
    const form = await draft(null);
    const signed = await signing.sign(
      form.id,
      { signaturePng: signaturePng().toString('base64'), signedAt: '2026-11-25' },
      HIS.principal,
    );
    expect(signed).toMatchObject({ status: 'signed', signatureKind: 'pad', uploadMsgid: null, upload: null });
    const row = await ds.getRepository(FormDocument).findOneByOrFail({ id: form.id });
    const pdf = readFileSync(storage.absolute(row.filePath as string));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sha(pdf)).toBe(signed.sha256);
    expect(row.outboxMessageId).toBeNull();
  });

  it('refuses a bad signature before storing anything', async () => {
    const form = await draft();
    const files = (): string[] =>
      existsSync(storage.root) ? readdirSync(storage.root, { recursive: true }).map(String) : [];
    const before = files();
    await expect(signing.sign(form.id, {}, HIS.principal)).rejects.toMatchObject({
      code: 'FORM_SIGNATURE_REQUIRED',
      status: 400,
    });
    await expect(
      signing.sign(form.id, { scannedPdf: scan(), signaturePng: 'AAAA' }, HIS.principal),
    ).rejects.toMatchObject({ code: 'FORM_SIGNATURE_REQUIRED' });
    await expect(signing.sign(form.id, { scannedPdf: '***' }, HIS.principal)).rejects.toMatchObject({
      code: 'FORM_BASE64_INVALID',
      status: 400,
      userMessage: 'scannedPdf 不是有效的 Base64 编码',
    });
    await expect(
      signing.sign(form.id, { scannedPdf: Buffer.from('GIF89a').toString('base64') }, HIS.principal),
    ).rejects.toMatchObject({
      code: 'FORM_SCAN_NOT_PDF',
      details: [expect.objectContaining({ field: 'scannedPdf', code: 'FORM_SCAN_NOT_PDF' })],
    });
    await expect(
      signing.sign(
        form.id,
        {
          scannedPdf: Buffer.alloc(10 * 1024 * 1024 + 1, 0x25)
            .fill('%PDF-', 0, 5)
            .toString('base64'),
        },
        HIS.principal,
      ),
    ).rejects.toMatchObject({
      code: 'FORM_SCAN_TOO_LARGE',
    });
    expect(files()).toEqual(before);
    expect((await ds.getRepository(FormDocument).findOneByOrFail({ id: form.id })).status).toBe('draft');
  });

  it('a signed version refuses a second signing (409 FORM_SIGNED_IMMUTABLE) and keeps its file', async () => {
    const form = await draft();
    const first = await signing.sign(form.id, { scannedPdf: scan('first') }, HIS.principal);
    await expect(signing.sign(form.id, { scannedPdf: scan('second') }, HIS.principal)).rejects.toMatchObject({
      code: 'FORM_SIGNED_IMMUTABLE',
      status: 409,
    });
    const row = await ds.getRepository(FormDocument).findOneByOrFail({ id: form.id });
    expect(row.sha256).toBe(first.sha256);
    expect(existsSync(storage.absolute(row.filePath as string))).toBe(true);
  });

  it('a failed transaction leaves the draft a draft and removes the file it wrote', async () => {
    const form = await draft();
    const formNo = form.formNo;
    const spy = jest.spyOn(upload, 'enqueue').mockRejectedValueOnce(new Error('outbox down'));
    try {
      await expect(signing.sign(form.id, { scannedPdf: scan() }, HIS.principal)).rejects.toThrow('outbox down');
    } finally {
      spy.mockRestore();
    }
    expect(readdirSync(join(storage.root, formNo))).toEqual([]);
    expect(await ds.getRepository(FormDocument).findOneByOrFail({ id: form.id })).toMatchObject({
      status: 'draft',
      filePath: null,
      outboxMessageId: null,
    });
  });

  it('the insurer’s answer settles the signed version once: acknowledged with its file_id', async () => {
    const form = await draft();
    await signing.sign(form.id, { scannedPdf: scan('answer') }, HIS.principal);
    const row = await ds.getRepository(FormDocument).findOneByOrFail({ id: form.id });
    const message = await ds.getRepository(OutboxMessage).findOneByOrFail({ id: row.outboxMessageId as string });
    await ds.transaction((m) =>
      upload.settled(m, message, { status: 'delivered', infcode: 0, output: { file_id: 'FILE-9' }, errMsg: null }),
    );
    await ds.transaction((m) =>
      upload.settled(m, message, { status: 'rejected', infcode: -1, output: null, errMsg: 'late' }),
    );
    expect(await ds.getRepository(FormDocument).findOneByOrFail({ id: form.id })).toMatchObject({
      status: 'acknowledged',
      fileId: 'FILE-9',
      rejectReason: null,
    });
    const outcomes = (await ds.getRepository(AuditEntry).findBy({ action: 'forms.upload' })).filter(
      (a) => (a.details as { formId: string }).formId === form.id,
    );
    expect(outcomes.map((a) => [a.actorId, a.outcome])).toEqual([['upstream.dispatcher', 'success']]);
  });
});
