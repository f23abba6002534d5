import type { FormFieldDto } from '../api/forms';
import {
  bytesToBase64,
  changedValues,
  fieldErrorsOf,
  fieldRows,
  isSigned,
  kindText,
  MAX_SCAN_BYTES,
  scanProblem,
  statusView,
  uploadText,
  versionText,
} from './form-text';

const FIELDS: FormFieldDto[] = [
  { key: 'name', label: '姓名', type: 'text', required: true, maxLength: 40 },
  { key: 'phone', label: '联系电话', type: 'phone', required: true },
  { key: 'opinionDate', label: '医疗机构意见日期', type: 'date', required: false },
  { key: 'workerCategory', label: '工伤职工类别', type: 'text', required: true, enum: ['在职', '退休', '老工伤'] },
  {
    key: 'items',
    label: '自费项目',
    type: 'table',
    required: true,
    columns: [
      { key: 'name', label: '项目名称', type: 'text', required: true },
      { key: 'amount', label: '金额', type: 'amount', required: true },
    ],
  },
];

describe('kinds, states and uploads in Chinese', () => {
  it('names every kind and every state', () => {
    expect(kindText('relapse-filing')).toBe('工伤复发就医备案表');
    expect(kindText('rehab-application')).toBe('工伤康复申请确认表');
    expect(kindText('self-pay-consent')).toBe('自费项目告知确认书');
    expect(kindText('new-kind')).toBe('new-kind');
    expect(statusView('draft')).toEqual({ text: '草稿', tone: 'warning' });
    expect(statusView('signed').text).toBe('已签署');
    expect(statusView('acknowledged').text).toContain('经办机构已接收');
    expect(statusView('rejected').tone).toBe('danger');
    expect(isSigned('draft')).toBe(false);
    expect(isSigned('uploaded')).toBe(true);
  });

  it('says where the upload is, with the tries and the last error', () => {
    expect(uploadText(null)).toContain('由医院留存');
    expect(uploadText({ state: 'pending', attempts: 0, lastError: null, nextAttemptAt: '' })).toBe('等待上传经办机构');
    expect(uploadText({ state: 'pending', attempts: 2, lastError: '经办机构系统无法连接', nextAttemptAt: '' })).toBe(
      '等待上传经办机构，已尝试 2 次，经办机构系统无法连接',
    );
  });

  it('names a version as the PDF footer does', () => {
    expect(versionText({ version: 1, previousId: null })).toBe('第1版');
    expect(versionText({ version: 2, previousId: 'x' })).toBe('第2版（更正第1版）');
  });
});

describe(fieldRows.name, () => {
  const rows = fieldRows(FIELDS, {
    values: {
      name: '马建国',
      phone: '',
      workerCategory: '在职',
      items: [
        { name: '进口可吸收缝线', amount: '268.00' },
        { name: '人工骨修复材料', amount: '1520.50' },
      ],
    },
    verifiedWorkerFields: ['name'],
  });
  const row = (key: string) => rows.find((r) => r.key === key)!;

  it('lists every field in the template’s order with its value', () => {
    expect(rows.map((r) => r.key)).toEqual(['name', 'phone', 'opinionDate', 'workerCategory', 'items']);
    expect(row('name').text).toBe('马建国');
    expect(row('items').text).toBe('1. 进口可吸收缝线 · 268.00\n2. 人工骨修复材料 · 1520.50');
  });

  it('marks a required empty field missing, an optional one only empty', () => {
    expect(row('phone')).toMatchObject({ empty: true, missing: true, editable: true });
    expect(row('opinionDate')).toMatchObject({ empty: true, missing: false, editable: true });
    expect(row('workerCategory')).toMatchObject({ missing: false, enum: ['在职', '退休', '老工伤'] });
  });

  it('does not let the page edit what the insurer verified, nor tables', () => {
    expect(row('name')).toMatchObject({ verified: true, editable: false });
    expect(row('items').editable).toBe(false);
  });

  it('sends only what changed, trimmed', () => {
    expect(
      changedValues(rows, { name: '别人', phone: ' 13995112345 ', opinionDate: '', workerCategory: '在职' }),
    ).toEqual({
      phone: '13995112345',
    });
    expect(changedValues(rows, {})).toEqual({});
  });
});

describe(fieldErrorsOf.name, () => {
  it('puts the gateway’s details back on their fields, a table’s on the table', () => {
    expect(
      fieldErrorsOf([
        { field: 'values.phone', code: 'FORM_FIELD_INVALID', message: '联系电话格式不正确' },
        { field: 'values.items[1].amount', message: '金额格式不正确' },
        { field: 'values.items[2].name', message: '缺少项目名称' },
        { field: 'kind', message: '不相关' },
        { message: '没有字段' },
      ]),
    ).toEqual({ phone: '联系电话格式不正确', items: '金额格式不正确；缺少项目名称' });
    expect(fieldErrorsOf(undefined)).toEqual({});
  });
});

describe('a scanned copy', () => {
  const pdf = new TextEncoder().encode('%PDF-1.4\n%…');

  it('takes a PDF and refuses an image or a file over 10 MB before sending', () => {
    expect(scanProblem(pdf, pdf.length)).toBeNull();
    expect(scanProblem(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0]), 5)).toContain('必须是 PDF');
    expect(scanProblem(new Uint8Array(2), 2)).toContain('必须是 PDF');
    expect(scanProblem(pdf, MAX_SCAN_BYTES)).toBeNull();
    expect(scanProblem(pdf, MAX_SCAN_BYTES + 1)).toContain('超过 10 MB');
  });

  it('is sent as Base64, also when larger than one call can take', () => {
    expect(bytesToBase64(pdf)).toBe(Buffer.from(pdf).toString('base64'));
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });
});
