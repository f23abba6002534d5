import type { MessageProgress } from '../upstream/outbox/outbox.service';
import type { FormDocument } from './form-document.entity';
import { formKindDtos, toFormDetailDto, toFormDto } from './forms.mapper';

const T = new Date('2026-11-25T02:00:00.000Z');
const row = (extra: Partial<FormDocument> = {}): FormDocument => ({
  id: '01a00000-0000-7000-8000-000000000001',
  formNo: 'F20261125AB12CD34',
  version: 1,
  previousId: null,
  kind: 'relapse-filing',
  visitId: 'ZY1',
  workerKey: 'wk',
  values: 'sealed',
  disputed: false,
  status: 'signed',
  rejectReason: null,
  filePath: 'F/v1.pdf',
  sha256: 'ab',
  size: 2,
  signatureKind: 'scan',
  signedAt: T,
  keepUntil: null,
  outboxMessageId: 'm1',
  outboxMsgid: 'H1',
  fileId: null,
  createdBy: 'api-key:1',
  createdAt: T,
  updatedAt: T,
  ...extra,
});
const progress = (extra: Partial<MessageProgress> = {}): MessageProgress => ({
  msgid: 'H1',
  status: 'pending',
  attempts: 2,
  lastError: 'insurer unreachable',
  nextAttemptAt: T,
  awaitingAnswer: false,
  ...extra,
});

describe('forms.mapper', () => {
  it('shows a signed form as uploaded only while the insurer’s answer is awaited, with the upload’s progress', () => {
    expect(toFormDto(row(), progress())).toMatchObject({
      status: 'signed',
      title: '宁夏回族自治区工伤复发就医备案表',
      upload: {
        state: 'pending',
        attempts: 2,
        lastError: 'insurer unreachable',
        nextAttemptAt: '2026-11-25T02:00:00.000Z',
      },
      uploadMsgid: 'H1',
      signedAt: '2026-11-25T02:00:00.000Z',
      keepUntil: null,
    });
    expect(toFormDto(row(), progress({ status: 'unknown', awaitingAnswer: true })).status).toBe('uploaded');
    expect(toFormDto(row({ status: 'acknowledged' }), progress({ awaitingAnswer: true })).status).toBe('acknowledged');
    expect(toFormDto(row(), undefined)).toMatchObject({ status: 'signed', upload: null });
  });

  it('keeps a row of a kind no longer known readable (its kind as the title); a detail lists every version', () => {
    expect(toFormDto(row({ kind: 'sick-note' }), undefined).title).toBe('sick-note');
    const v2 = row({
      id: '01a00000-0000-7000-8000-000000000002',
      version: 2,
      previousId: row().id,
      status: 'draft',
      signedAt: null,
      sha256: null,
    });
    const detail = toFormDetailDto(v2, undefined, { values: { name: '马建国' }, verifiedWorkerFields: ['name'] }, [
      row(),
      v2,
    ]);
    expect(detail).toMatchObject({
      version: 2,
      status: 'draft',
      values: { name: '马建国' },
      verifiedWorkerFields: ['name'],
    });
    expect(detail.versions).toEqual([
      {
        id: row().id,
        version: 1,
        status: 'signed',
        signedAt: '2026-11-25T02:00:00.000Z',
        sha256: 'ab',
        previousId: null,
      },
      { id: v2.id, version: 2, status: 'draft', signedAt: null, sha256: null, previousId: row().id },
    ]);
  });
});

describe(formKindDtos.name, () => {
  it('lists every kind with its template fields: labels, requiredness, enums and table columns', () => {
    const kinds = formKindDtos();
    expect(kinds.map((k) => k.kind)).toEqual(['relapse-filing', 'rehab-application', 'self-pay-consent']);
    const relapse = kinds[0];
    expect(relapse.title).toBe('宁夏回族自治区工伤复发就医备案表');
    expect(relapse.fields.find((f) => f.key === 'opinionDate')).toEqual({
      key: 'opinionDate',
      label: '医疗机构意见日期',
      type: 'date',
      required: false,
    });
    expect(relapse.fields.find((f) => f.key === 'workerCategory')?.enum).toEqual(['在职', '退休', '老工伤']);
    const items = kinds[2].fields.find((f) => f.key === 'items');
    expect(items?.type).toBe('table');
    expect(items?.columns?.map((c) => c.label)).toEqual(['项目名称', '金额', '不属于工伤保险基金支付范围的原因']);
  });
});
