import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { FormsWorker } from '../identity/identity.service';
import { IdentityService } from '../identity/identity.service';
import { AuditService } from '../platform/audit/audit.service';
import type { Principal } from '../platform/auth/principal';
import { Clock } from '../platform/clock';
import { GatewayConfig } from '../platform/config/gateway-config';
import { BadRequestError, ConflictError, ErrorDetail, NotFoundError, ValidationFailedError } from '../platform/errors/domain-error';
import { validationErrorsToDetails } from '../platform/errors/validation';
import { uuidv7 } from '../platform/ids';
import { PiiCryptoService } from '../platform/pii/pii-crypto.service';
import type { OutboxMessage } from '../upstream/outbox/outbox-message.entity';
import { OutboxService, type MessageProgress, type SettledOutcome } from '../upstream/outbox/outbox.service';
import { beijingDateTime } from '../upstream/protocol/msgid';
import { INFNO } from '../upstream/protocol/transactions';
import { FormDocument, FormStatus, SignatureKind } from './form-document.entity';
import { formStorage, FormStorage } from './form-storage';
import { FormsRetention, keepUntil, type PruneReport } from './forms-retention';
import { FormSignedImmutableError } from './forms-errors';
import { formKind, type FormKindSpec } from './kinds/form-kinds';
import { FormCharacterError, FormRenderer } from './render/form-renderer';
import { type FormValues, validateFormValues, WORKER_FIELD_KEYS } from './render/form-values';

const VALUES_CONTEXT = 'form_document.values';
/** The identity module's subject domain: the same worker hashes to the same key in both. */
const SUBJECT_DOMAIN = 'person.idNumber';
/** 9101 refuses files over 10 MB. */
const MAX_SCAN_BYTES = 10 * 1024 * 1024;
const PDF_MAGIC = '%PDF-';

/** What a form row keeps, encrypted: HIS's values and the insurer's (verified) worker values, apart. */
interface StoredFormValues {
  his: FormValues;
  worker: FormValues | null;
  psnNo: string | null;
  mdtrtId: string | null;
}

export interface FormInput {
  kind: string;
  visitId: string;
  verificationToken?: string;
  psnNo?: string;
  mdtrtId?: string;
  disputed?: boolean;
  values: Record<string, unknown>;
}

export interface SignInput {
  signaturePng?: string;
  signedAt?: string;
  scannedPdf?: string;
}

export interface FormView {
  id: string;
  formNo: string;
  version: number;
  previousId: string | null;
  kind: string;
  title: string;
  visitId: string;
  disputed: boolean;
  status: FormStatus;
  rejectReason: string | null;
  sha256: string | null;
  size: number | null;
  signatureKind: SignatureKind | null;
  signedAt: string | null;
  keepUntil: string | null;
  uploadMsgid: string | null;
  /** The 9101 upload's progress in the outbox, while there is one: how often tried, the last error, the next try. */
  upload: UploadView | null;
  insurerFileId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface UploadView {
  state: MessageProgress['status'];
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
}

export interface FormDetail extends FormView {
  values: FormValues;
  /** Values that came from the insurer through the verification token (read-only for HIS). */
  verifiedWorkerFields: string[];
  versions: Array<Pick<FormView, 'id' | 'version' | 'status' | 'signedAt' | 'sha256' | 'previousId'>>;
}

/** A version before signing: nothing stored, sent or acknowledged yet. */
const UNSIGNED = {
  status: 'draft',
  rejectReason: null,
  filePath: null,
  sha256: null,
  size: null,
  signatureKind: null,
  signedAt: null,
  keepUntil: null,
  outboxMessageId: null,
  outboxMsgid: null,
  fileId: null,
} as const satisfies Partial<FormDocument>;

const CHINESE_GRADES = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/**
 * The forms' lifecycle: drafts filled from HIS and the verified worker, previewed, signed (pad
 * image or scanned copy) into an immutable stored file, uploaded to the insurer through the outbox
 * (9101), acknowledged or rejected by the outbox completion hook, corrected by new versions, and
 * pruned only as retention allows.
 */
@Injectable()
export class FormsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FormsService.name);
  readonly renderer: FormRenderer;
  readonly storage: FormStorage;
  readonly retention: FormsRetention;
  private offSettled: (() => void) | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly pii: PiiCryptoService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly identity: IdentityService,
  ) {
    this.renderer = new FormRenderer({ fontPath: config.forms.fontPath || undefined });
    this.storage = formStorage(config);
    this.retention = new FormsRetention(dataSource, config, clock, audit, this.storage);
  }

  onModuleInit(): void {
    // Registered before the dispatcher starts (it starts on application bootstrap).
    this.offSettled = this.outbox.onSettled(INFNO.documentUpload, (manager, message, outcome) => this.uploadSettled(manager, message, outcome));
    this.pruneTimer = setInterval(() => {
      this.prune(false).catch((err: unknown) => this.logger.warn({ err }, 'forms retention pruning failed; will try again'));
    }, this.config.forms.retention.intervalMs);
    this.pruneTimer.unref();
  }

  onApplicationShutdown(): void {
    this.offSettled?.();
    clearInterval(this.pruneTimer);
  }

  // ---- drafts -------------------------------------------------------------------------------------

  async create(principal: Principal, input: FormInput): Promise<FormDetail> {
    const spec = formKind(input.kind);
    const worker = input.verificationToken ? await this.identity.workerForForms(input.verificationToken, input.visitId, principal) : undefined;
    const stored: StoredFormValues = {
      his: this.checkHisValues(spec, input.values),
      worker: worker ? workerValues(worker) : null,
      psnNo: worker?.psnNo ?? input.psnNo ?? null,
      mdtrtId: input.mdtrtId ?? null,
    };
    if (worker && input.psnNo && input.psnNo !== worker.psnNo) {
      throw conflictWithInsurer([{ field: 'psnNo', code: 'FORM_WORKER_CONFLICT', message: '人员编号与经办机构核验结果不一致：请删除该项，由核验结果填写' }]);
    }
    const merged = this.prepare(spec, stored);
    const now = this.clock.now();
    const row: FormDocument = {
      id: uuidv7(),
      formNo: newFormNo(now),
      version: 1,
      previousId: null,
      kind: spec.kind,
      visitId: input.visitId,
      workerKey: this.workerKey(merged),
      values: this.pii.encrypt(JSON.stringify(stored), VALUES_CONTEXT),
      disputed: input.disputed ?? false,
      ...UNSIGNED,
      createdBy: `${principal.type}:${principal.id}`.slice(0, 100),
      createdAt: now,
      updatedAt: now,
    };
    await this.dataSource.transaction(async (m) => {
      await m.insert(FormDocument, row);
      await this.record(m, principal, 'forms.create', row, merged, { verifiedWorker: worker !== undefined });
    });
    return this.detail(row);
  }

  /** Renders without storing anything (HIS shows it before creating the draft). */
  async preview(principal: Principal, input: FormInput): Promise<Buffer> {
    const spec = formKind(input.kind);
    const worker = input.verificationToken ? await this.identity.workerForForms(input.verificationToken, input.visitId, principal) : undefined;
    const stored: StoredFormValues = { his: this.checkHisValues(spec, input.values), worker: worker ? workerValues(worker) : null, psnNo: null, mdtrtId: null };
    const values = this.prepare(spec, stored);
    return this.renderer.render({ spec, values, disputed: input.disputed ?? false, footer: '草稿（预览，未保存）' });
  }

  /** New values for a draft (merged over the draft's); a signed version refuses. */
  async update(id: string, patch: { values?: Record<string, unknown>; disputed?: boolean }, principal: Principal): Promise<FormDetail> {
    const row = await this.load(id);
    this.requireDraft(row);
    const spec = formKind(row.kind);
    const stored = this.readValues(row);
    const next: StoredFormValues = { ...stored, his: this.checkHisValues(spec, { ...stored.his, ...(patch.values ?? {}) }) };
    const disputed = patch.disputed ?? row.disputed;
    const merged = this.prepare(spec, next);
    const now = this.clock.now();
    const changes = { values: this.pii.encrypt(JSON.stringify(next), VALUES_CONTEXT), disputed, workerKey: this.workerKey(merged), updatedAt: now };
    await this.dataSource.transaction(async (m) => {
      const result = await m.update(FormDocument, { id, status: 'draft' }, changes);
      if (result.affected !== 1) {
        throw new FormSignedImmutableError(row.formNo, row.version, 'signed');
      }
      await this.record(m, principal, 'forms.update', row, merged, { fields: Object.keys(patch.values ?? {}) });
    });
    return this.detail({ ...row, ...changes });
  }

  // ---- signing ------------------------------------------------------------------------------------

  async sign(id: string, input: SignInput, principal: Principal): Promise<FormDetail> {
    const row = await this.load(id);
    this.requireDraft(row);
    const spec = formKind(row.kind);
    const stored = this.readValues(row);
    const values = this.prepare(spec, stored);
    const now = this.clock.now();
    let bytes: Buffer;
    let signatureKind: SignatureKind;
    if ((input.signaturePng === undefined) === (input.scannedPdf === undefined)) {
      throw new BadRequestError('FORM_SIGNATURE_REQUIRED', '请提供且只提供一种签署方式：签名图片 signaturePng（签名板/平板），或已签署的扫描件 scannedPdf', [
        { field: 'signaturePng', code: 'FORM_SIGNATURE_REQUIRED', message: '签名图片（PNG 的 Base64）与扫描件（PDF 的 Base64）二选一' },
      ]);
    }
    if (input.signaturePng !== undefined) {
      const png = decodeBase64(input.signaturePng, 'signaturePng');
      const date = input.signedAt ?? beijingDateTime(now).slice(0, 10);
      bytes = await this.renderer.render({ spec, values, disputed: row.disputed, signature: { png, date }, footer: this.footer(row), createdAt: now });
      signatureKind = 'pad';
    } else {
      bytes = decodeBase64(input.scannedPdf as string, 'scannedPdf');
      if (bytes.subarray(0, 5).toString('latin1') !== PDF_MAGIC) {
        throw new BadRequestError('FORM_SCAN_NOT_PDF', '扫描件必须是 PDF 文件（内容应以 %PDF- 开头）', [{ field: 'scannedPdf', code: 'FORM_SCAN_NOT_PDF', message: '不是 PDF 文件' }]);
      }
      if (bytes.length > MAX_SCAN_BYTES) {
        throw new BadRequestError('FORM_SCAN_TOO_LARGE', '扫描件超过 10 MB，经办机构不接收：请降低扫描分辨率后重试', [{ field: 'scannedPdf', code: 'FORM_SCAN_TOO_LARGE', message: '超过 10 MB' }]);
      }
      signatureKind = 'scan';
    }
    // The file first (temp + fsync + rename), then the row: a crash in between leaves an unreferenced
    // file, never a row pointing at nothing. A failed transaction removes the file again.
    const file = this.storage.write(row.formNo, row.version, bytes);
    const keepUntilAt = keepUntil(this.config, now);
    try {
      const changes = await this.dataSource.transaction(async (m) => {
        const [message] = stored.psnNo
          ? await this.outbox.enqueue(m, [
              {
                infno: INFNO.documentUpload,
                // One form's versions reach the insurer in order.
                subjectKey: `form:${row.formNo}`,
                input: {
                  file_name: `${spec.title}-${row.formNo}-v${row.version}.pdf`,
                  file_type: 'pdf',
                  sha256: file.sha256,
                  content_base64: bytes.toString('base64'),
                  doc_type: spec.docType,
                  psn_no: stored.psnNo,
                  ...(stored.mdtrtId ? { mdtrt_id: stored.mdtrtId } : {}),
                },
              },
            ])
          : [];
        const update = {
          status: 'signed' as FormStatus,
          filePath: file.path,
          sha256: file.sha256,
          size: file.size,
          signatureKind,
          signedAt: now,
          keepUntil: keepUntilAt,
          outboxMessageId: message?.id ?? null,
          outboxMsgid: message?.msgid ?? null,
          updatedAt: now,
        };
        const result = await m.update(FormDocument, { id, status: 'draft' }, update);
        if (result.affected !== 1) {
          throw new FormSignedImmutableError(row.formNo, row.version, 'signed');
        }
        await this.record(m, principal, 'forms.sign', row, values, { signatureKind, sha256: file.sha256, size: file.size, msgid: message?.msgid ?? null });
        return update;
      });
      return this.detail({ ...row, ...changes });
    } catch (e) {
      this.storage.remove(file.path);
      throw e;
    }
  }

  /** A new draft version of a signed form; the signed one stays as it is. Only the latest version. */
  async correct(id: string, patch: { values?: Record<string, unknown>; disputed?: boolean }, principal: Principal): Promise<FormDetail> {
    const row = await this.load(id);
    if (row.status === 'draft') {
      throw new ConflictError('FORM_NOT_SIGNED', `表单 ${row.formNo} 第${row.version}版尚未签署：直接修改草稿即可（PATCH /api/v1/forms/${row.id}）`);
    }
    const latest = await this.dataSource.getRepository(FormDocument).findOne({ where: { formNo: row.formNo }, order: { version: 'DESC' } });
    if (latest && latest.id !== row.id) {
      throw new ConflictError('FORM_NOT_LATEST', `表单 ${row.formNo} 已有第${latest.version}版：只能更正最新版本（${latest.id}）`);
    }
    const spec = formKind(row.kind);
    const stored = this.readValues(row);
    const next: StoredFormValues = { ...stored, his: this.checkHisValues(spec, { ...stored.his, ...(patch.values ?? {}) }) };
    const disputed = patch.disputed ?? row.disputed;
    const merged = this.prepare(spec, next);
    const now = this.clock.now();
    const copy: FormDocument = {
      ...row,
      id: uuidv7(),
      version: row.version + 1,
      previousId: row.id,
      values: this.pii.encrypt(JSON.stringify(next), VALUES_CONTEXT),
      workerKey: this.workerKey(merged),
      disputed,
      ...UNSIGNED,
      createdBy: `${principal.type}:${principal.id}`.slice(0, 100),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.dataSource.transaction(async (m) => {
        await m.insert(FormDocument, copy);
        await this.record(m, principal, 'forms.correct', copy, merged, { corrects: row.id, fields: Object.keys(patch.values ?? {}) });
      });
    } catch (e) {
      // The unique (form_no, version) index: somebody corrected this version a moment ago.
      if (await this.dataSource.getRepository(FormDocument).exists({ where: { formNo: row.formNo, version: copy.version } })) {
        throw new ConflictError('FORM_NOT_LATEST', `表单 ${row.formNo} 刚被更正为第${copy.version}版：只能更正最新版本`);
      }
      throw e;
    }
    return this.detail(copy);
  }

  // ---- reading ------------------------------------------------------------------------------------

  async get(id: string): Promise<FormDetail> {
    return this.detail(await this.load(id));
  }

  /** The signed file byte for byte (checked against its digest), or a draft rendered with a 草稿 footer. */
  async pdf(id: string): Promise<{ bytes: Buffer; fileName: string }> {
    const row = await this.load(id);
    const spec = formKind(row.kind);
    const fileName = `${row.formNo}-v${row.version}.pdf`;
    if (row.status === 'draft' || !row.filePath || !row.sha256 || row.size === null) {
      const values = this.prepare(spec, this.readValues(row));
      return { bytes: await this.renderer.render({ spec, values, disputed: row.disputed, footer: `草稿（未签署，不得作为备案依据） ${this.footer(row)}` }), fileName };
    }
    return { bytes: this.storage.read({ path: row.filePath, sha256: row.sha256, size: row.size }, row.formNo, row.version), fileName };
  }

  /** Newest first, keyset-paged by id; by visit or by worker (keyed hash of the ID number, never stored in clear). */
  async list(filter: { visitId?: string; idNumber?: string; before?: string; limit: number }): Promise<FormView[]> {
    if (!filter.visitId && !filter.idNumber) {
      throw new ValidationFailedError([{ field: 'visitId', code: 'FORM_LIST_FILTER_REQUIRED', message: '请给出 visitId（就诊）或 idNumber（职工身份证号码）之一' }]);
    }
    const qb = this.dataSource.getRepository(FormDocument).createQueryBuilder('f').orderBy('f.id', 'DESC').take(filter.limit);
    if (filter.visitId) {
      qb.andWhere('f.visit_id = :visitId', { visitId: filter.visitId });
    }
    if (filter.idNumber) {
      qb.andWhere('f.worker_key = :workerKey', { workerKey: this.identity.subjectKey(filter.idNumber) });
    }
    if (filter.before) {
      qb.andWhere('f.id < :before', { before: filter.before });
    }
    const rows = await qb.getMany();
    const progress = await this.outbox.progress(rows.flatMap((r) => (r.outboxMessageId ? [r.outboxMessageId] : [])));
    return rows.map((r) => this.view(r, progress.get(r.outboxMessageId ?? '')));
  }

  // ---- upload outcome (the outbox completion hook) ------------------------------------------------

  /** In the dispatcher's settling transaction: acknowledged with the insurer's file_id, or rejected with its reason. */
  private async uploadSettled(manager: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    const row = await manager.findOneBy(FormDocument, { outboxMessageId: message.id });
    if (!row) {
      return; // another capability's document (medical record papers …)
    }
    const now = this.clock.now();
    const fileId = (outcome.output as { file_id?: unknown } | null)?.file_id;
    const changes =
      outcome.status === 'delivered'
        ? { status: 'acknowledged' as FormStatus, fileId: typeof fileId === 'string' ? fileId.slice(0, 40) : null, updatedAt: now }
        : { status: 'rejected' as FormStatus, rejectReason: (outcome.errMsg ?? `infcode ${outcome.infcode}`).slice(0, 500), updatedAt: now };
    const result = await manager.update(FormDocument, { id: row.id, status: 'signed' }, changes);
    if (result.affected !== 1) {
      return;
    }
    await this.audit.record(
      {
        actor: { type: 'system', id: 'upstream.dispatcher' },
        action: 'forms.upload',
        outcome: outcome.status === 'delivered' ? 'success' : 'failure',
        details: { formId: row.id, formNo: row.formNo, version: row.version, msgid: message.msgid, infcode: outcome.infcode, fileId: 'fileId' in changes ? changes.fileId : null },
      },
      manager,
    );
  }

  // ---- retention ----------------------------------------------------------------------------------

  /** See FormsRetention.prune. */
  async prune(dryRun: boolean): Promise<PruneReport> {
    return this.retention.prune(dryRun);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /** HIS's values through the kind's DTO: unknown keys and bad values, each named. */
  private checkHisValues(spec: FormKindSpec, values: Record<string, unknown>): FormValues {
    const instance = plainToInstance(spec.valuesDto, values ?? {});
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
    if (errors.length > 0) {
      throw new ValidationFailedError(validationErrorsToDetails(errors, 'values'));
    }
    const out: FormValues = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      if (v !== undefined && v !== null) {
        out[k] = v as FormValues[string];
      }
    }
    return out;
  }

  /**
   * HIS's values with the insurer's worker fields over them: HIS may repeat a worker field but not
   * contradict it. Then every missing or invalid field, and every character the font lacks.
   */
  private prepare(spec: FormKindSpec, stored: StoredFormValues): FormValues {
    const conflicts: ErrorDetail[] = [];
    const merged: FormValues = { ...stored.his };
    for (const key of WORKER_FIELD_KEYS) {
      const insurer = stored.worker?.[key];
      if (typeof insurer !== 'string' || insurer === '') {
        continue;
      }
      const his = stored.his[key];
      if (typeof his === 'string' && his.trim() !== '' && comparable(his) !== comparable(insurer)) {
        conflicts.push({ field: `values.${key}`, code: 'FORM_WORKER_CONFLICT', message: '与经办机构核验的参保信息不一致：请删除该项，由核验结果填写' });
      }
      merged[key] = insurer;
    }
    if (conflicts.length > 0) {
      throw conflictWithInsurer(conflicts);
    }
    const problems = validateFormValues(spec, merged).map((d) => ({ ...d, field: d.field ? `values.${d.field}` : d.field }));
    if (problems.length > 0) {
      throw new ValidationFailedError(problems);
    }
    // A character the font cannot draw is refused now, not first when the worker signs.
    const missing = this.renderer.missingCharacters(spec.template, { values: merged });
    if (missing.length > 0) {
      throw new FormCharacterError(missing);
    }
    return merged;
  }

  private footer(row: FormDocument): string {
    return `表单编号 ${row.formNo} 第${row.version}版${row.previousId ? `（更正第${row.version - 1}版）` : ''}`;
  }

  private workerKey(values: FormValues): string | null {
    const id = values.idNumber;
    return typeof id === 'string' && id.trim() !== '' ? this.identity.subjectKey(id.trim()) : null;
  }

  private requireDraft(row: FormDocument): void {
    if (row.status !== 'draft') {
      throw new FormSignedImmutableError(row.formNo, row.version, row.status);
    }
  }

  private async load(id: string): Promise<FormDocument> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.dataSource.getRepository(FormDocument).findOneBy({ id }) : null;
    if (!row) {
      throw new NotFoundError('FORM_NOT_FOUND', `表单 ${id} 不存在（或已按保存期限删除）`);
    }
    return row;
  }

  private readValues(row: FormDocument): StoredFormValues {
    return JSON.parse(this.pii.decrypt(row.values, VALUES_CONTEXT)) as StoredFormValues;
  }

  private async record(m: EntityManager, principal: Principal, action: string, row: FormDocument, values: FormValues, details: Record<string, unknown>): Promise<void> {
    const idNumber = typeof values.idNumber === 'string' ? values.idNumber : undefined;
    await this.audit.record(
      {
        actor: principal,
        action,
        outcome: 'success',
        ...(idNumber ? { subject: { value: this.normalizedId(idNumber), domain: SUBJECT_DOMAIN } } : {}),
        details: { formId: row.id, formNo: row.formNo, version: row.version, kind: row.kind, visitId: row.visitId, ...details },
      },
      m,
    );
  }

  private normalizedId(idNumber: string): string {
    return idNumber.trim().toUpperCase();
  }

  private view(row: FormDocument, progress: MessageProgress | undefined): FormView {
    let title = row.kind;
    try {
      title = formKind(row.kind).title;
    } catch {
      // a kind no longer known: its rows stay readable
    }
    return {
      id: row.id,
      formNo: row.formNo,
      version: row.version,
      previousId: row.previousId,
      kind: row.kind,
      title,
      visitId: row.visitId,
      disputed: row.disputed,
      status: shownStatus(row.status, progress),
      rejectReason: row.rejectReason,
      sha256: row.sha256,
      size: row.size,
      signatureKind: row.signatureKind,
      signedAt: row.signedAt ? row.signedAt.toISOString() : null,
      keepUntil: row.keepUntil ? row.keepUntil.toISOString() : null,
      uploadMsgid: row.outboxMsgid,
      upload: progress ? { state: progress.status, attempts: progress.attempts, lastError: progress.lastError, nextAttemptAt: progress.nextAttemptAt.toISOString() } : null,
      insurerFileId: row.fileId,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  private async detail(row: FormDocument): Promise<FormDetail> {
    const stored = this.readValues(row);
    const versions = await this.dataSource.getRepository(FormDocument).find({ where: { formNo: row.formNo }, order: { version: 'ASC' } });
    const merged: FormValues = { ...stored.his };
    const verified: string[] = [];
    for (const [k, v] of Object.entries(stored.worker ?? {})) {
      if (typeof v === 'string' && v !== '') {
        merged[k] = v;
        verified.push(k);
      }
    }
    const progress = row.outboxMessageId ? (await this.outbox.progress([row.outboxMessageId])).get(row.outboxMessageId) : undefined;
    return {
      ...this.view(row, progress),
      values: merged,
      verifiedWorkerFields: verified,
      versions: versions.map((v) => ({ id: v.id, version: v.version, status: v.status, signedAt: v.signedAt ? v.signedAt.toISOString() : null, sha256: v.sha256, previousId: v.previousId })),
    };
  }
}

/**
 * What the API shows: a signed form whose upload was sent but not answered yet (a timeout, a lost
 * reply: the outbox asks the insurer before it ever resends) is `uploaded`; while its message waits
 * or is being tried (first try, or again after the insurer was unreachable) it stays `signed`, with
 * the tries and the last error in `upload`. A verified answer moves the row itself to acknowledged
 * or rejected.
 */
function shownStatus(status: FormStatus, progress: MessageProgress | undefined): FormStatus {
  return status === 'signed' && progress?.awaitingAnswer === true ? 'uploaded' : status;
}

/** The insurer's worker data as the templates' worker fields. */
export function workerValues(w: FormsWorker): FormValues {
  const grade = w.disabilityGrade;
  return {
    name: w.name,
    sex: w.gend === '1' ? '男' : w.gend === '2' ? '女' : undefined,
    birthDate: w.birthDate,
    idNumber: w.idNumber,
    injuryDate: w.injuryDate ?? undefined,
    determinationDate: w.determinationDate ?? undefined,
    determinationNo: w.determinationNo ?? undefined,
    workerCategory: w.psnType && ['在职', '退休', '老工伤'].includes(w.psnType) ? w.psnType : undefined,
    injuredParts: w.injuredParts.length > 0 ? w.injuredParts.join('、') : undefined,
    disabilityGrade: grade !== null && grade >= 1 && grade <= 10 ? `${CHINESE_GRADES[grade]}级` : undefined,
    occupationalDisease: w.occupationalDisease ?? undefined,
  };
}

function comparable(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase();
}

function conflictWithInsurer(details: ErrorDetail[]): BadRequestError {
  return new BadRequestError('FORM_WORKER_CONFLICT', 'HIS 提供的职工信息与经办机构核验结果不一致：请删除 details 中列出的字段，由核验结果填写', details);
}

function decodeBase64(text: string, field: string): Buffer {
  const clean = text.replace(/^data:[a-z/]+;base64,/, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean) || clean.length === 0) {
    throw new BadRequestError('FORM_BASE64_INVALID', `${field} 不是有效的 Base64 编码`, [{ field, code: 'FORM_BASE64_INVALID', message: '不是有效的 Base64 编码' }]);
  }
  return Buffer.from(clean, 'base64');
}

/** F + Beijing date + 8 random hex: stable across a form's versions, unique (the index checks). */
function newFormNo(now: Date): string {
  return `F${beijingDateTime(now).slice(0, 10).replace(/-/g, '')}${randomBytes(4).toString('hex').toUpperCase()}`;
}

