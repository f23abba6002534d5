import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditService, Clock, type Principal, Transactions, uuidv7 } from '../platform';
import { beijingDateTime } from '../upstream/protocol/msgid';
import { recordFormAction } from './form-audit';
import { FormContentService } from './form-content.service';
import { FormDocument } from './form-document.entity';
import { FormDocumentRepository } from './form-document.repository';
import { FormReadingService } from './form-reading.service';
import { CreateFormDto, FormDetailDto, UpdateFormDto } from './forms.dto';
import { FORM_ERRORS, formSignedImmutable } from './forms.errors';
import { formKind } from './kinds/form-kinds';
import { FormRenderer } from './render/form-renderer';

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

/**
 * Drafts: created from HIS's values and the verified worker, previewed without storing, changed
 * while unsigned, and corrected by a new draft version once signed.
 */
@Injectable()
export class FormDraftsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly forms: FormDocumentRepository,
    private readonly content: FormContentService,
    private readonly reading: FormReadingService,
    private readonly renderer: FormRenderer,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: CreateFormDto): Promise<FormDetailDto> {
    const spec = formKind(input.kind);
    const worker = await this.content.verifiedWorker(input, principal);
    const stored = this.content.newValues(spec, input, worker);
    const merged = this.content.prepare(spec, stored);
    const now = this.clock.now();
    const row: FormDocument = {
      id: uuidv7(),
      formNo: newFormNo(now),
      version: 1,
      previousId: null,
      kind: spec.kind,
      visitId: input.visitId,
      workerKey: this.content.workerKey(merged),
      values: this.content.seal(stored),
      disputed: input.disputed ?? false,
      ...UNSIGNED,
      createdBy: createdBy(principal),
      createdAt: now,
      updatedAt: now,
    };
    await this.transactions.run(async (m) => {
      await this.forms.insert(row, m);
      await recordFormAction(this.audit, m, {
        principal,
        action: 'forms.create',
        row,
        values: merged,
        details: { verifiedWorker: worker !== undefined },
      });
    });
    return this.reading.detail(row);
  }

  /** Renders without storing anything (HIS shows it before creating the draft). */
  async preview(principal: Principal, input: CreateFormDto): Promise<Buffer> {
    const spec = formKind(input.kind);
    const worker = await this.content.verifiedWorker(input, principal);
    const values = this.content.prepare(spec, this.content.previewValues(spec, input.values, worker));
    return this.renderer.render({ spec, values, disputed: input.disputed ?? false, footer: '草稿（预览，未保存）' });
  }

  /** New values for a draft (merged over the draft's); a signed version refuses. */
  async update(id: string, patch: UpdateFormDto, principal: Principal): Promise<FormDetailDto> {
    const row = await this.reading.load(id);
    if (row.status !== 'draft') {
      throw formSignedImmutable(row.formNo, row.version, row.status);
    }
    const spec = formKind(row.kind);
    const next = this.content.patched(spec, this.content.open(row), patch.values);
    const disputed = patch.disputed ?? row.disputed;
    const merged = this.content.prepare(spec, next);
    const changes = {
      values: this.content.seal(next),
      disputed,
      workerKey: this.content.workerKey(merged),
      updatedAt: this.clock.now(),
    };
    await this.transactions.run(async (m) => {
      if (!(await this.forms.updateDraft(id, changes, m))) {
        throw formSignedImmutable(row.formNo, row.version, 'signed');
      }
      await recordFormAction(this.audit, m, {
        principal,
        action: 'forms.update',
        row,
        values: merged,
        details: { fields: Object.keys(patch.values ?? {}) },
      });
    });
    return this.reading.detail({ ...row, ...changes });
  }

  /** A new draft version of a signed form; the signed one stays as it is. Only the latest version. */
  async correct(id: string, patch: UpdateFormDto, principal: Principal): Promise<FormDetailDto> {
    const row = await this.reading.load(id);
    if (row.status === 'draft') {
      throw FORM_ERRORS.raise('FORM_NOT_SIGNED', {
        message: `表单 ${row.formNo} 第${row.version}版尚未签署：直接修改草稿即可（PATCH /api/v1/forms/${row.id}）`,
      });
    }
    const latest = await this.forms.latestVersion(row.formNo);
    if (latest && latest.id !== row.id) {
      throw FORM_ERRORS.raise('FORM_NOT_LATEST', {
        message: `表单 ${row.formNo} 已有第${latest.version}版：只能更正最新版本（${latest.id}）`,
      });
    }
    const spec = formKind(row.kind);
    const next = this.content.patched(spec, this.content.open(row), patch.values);
    const merged = this.content.prepare(spec, next);
    const now = this.clock.now();
    const copy: FormDocument = {
      ...row,
      id: uuidv7(),
      version: row.version + 1,
      previousId: row.id,
      values: this.content.seal(next),
      workerKey: this.content.workerKey(merged),
      disputed: patch.disputed ?? row.disputed,
      ...UNSIGNED,
      createdBy: createdBy(principal),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.transactions.run(async (m) => {
        await this.forms.insert(copy, m);
        await recordFormAction(this.audit, m, {
          principal,
          action: 'forms.correct',
          row: copy,
          values: merged,
          details: { corrects: row.id, fields: Object.keys(patch.values ?? {}) },
        });
      });
    } catch (e) {
      // The unique (form_no, version) index: somebody corrected this version a moment ago.
      if (await this.forms.versionExists(row.formNo, copy.version)) {
        throw FORM_ERRORS.raise('FORM_NOT_LATEST', {
          message: `表单 ${row.formNo} 刚被更正为第${copy.version}版：只能更正最新版本`,
        });
      }
      throw e;
    }
    return this.reading.detail(copy);
  }
}

function createdBy(principal: Principal): string {
  return `${principal.type}:${principal.id}`.slice(0, 100);
}

/** F + Beijing date + 8 random hex: stable across a form's versions, unique (the index checks). */
function newFormNo(now: Date): string {
  return `F${beijingDateTime(now).slice(0, 10).replace(/-/g, '')}${randomBytes(4).toString('hex').toUpperCase()}`;
}
