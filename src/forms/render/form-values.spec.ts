import { relapseSample, selfPaySample } from '../../../test/support/form-samples';
import { formKind } from '../kinds/form-kinds';
import { resolveText, validateFormValues, WORKER_FIELD_KEYS } from './form-values';

describe('validateFormValues', () => {
  const relapse = formKind('relapse-filing');

  it('a complete relapse form has no findings', () => {
    expect(validateFormValues(relapse, relapseSample())).toEqual([]);
  });

  it('names every missing required field, in the form order', () => {
    const values = relapseSample();
    delete values.name;
    delete values.diagnosis;
    values.attendingDoctor = '  ';
    const details = validateFormValues(relapse, values);
    expect(details.map((d) => [d.field, d.code])).toEqual([
      ['name', 'FORM_FIELD_MISSING'],
      ['diagnosis', 'FORM_FIELD_MISSING'],
      ['attendingDoctor', 'FORM_FIELD_MISSING'],
    ]);
    expect(details[0].message).toContain('姓名');
  });

  it('names every invalid field with what is wrong', () => {
    const details = validateFormValues(relapse, {
      ...relapseSample(),
      birthDate: '1985-02-30',
      idNumber: '640104198503120318',
      workerCategory: '临时工',
      sex: '未知',
      phone: 'call me',
    });
    expect(details.map((d) => d.field).sort()).toEqual(['birthDate', 'idNumber', 'phone', 'sex', 'workerCategory']);
    expect(details.every((d) => d.code === 'FORM_FIELD_INVALID')).toBe(true);
    expect(details.find((d) => d.field === 'workerCategory')!.message).toContain('在职、退休、老工伤');
  });

  it('checks each row of a table field by its path, and requires at least one row', () => {
    const spec = formKind('self-pay-consent');
    const values = selfPaySample();
    values.items = [
      { name: '缝线', amount: '12.345', reason: '目录外' },
      { name: '', amount: '5', reason: '目录外' },
    ];
    expect(validateFormValues(spec, values).map((d) => [d.field, d.code])).toEqual([
      ['items[0].amount', 'FORM_FIELD_INVALID'],
      ['items[1].name', 'FORM_FIELD_MISSING'],
    ]);
    expect(validateFormValues(spec, { ...values, items: [] })).toEqual([
      expect.objectContaining({ field: 'items', code: 'FORM_FIELD_MISSING' }),
    ]);
  });

  it('the worker keys are the keys the templates use for worker data', () => {
    const keys = relapse.template.fields.map((f) => f.key);
    for (const key of WORKER_FIELD_KEYS) {
      expect(keys).toContain(key);
    }
  });

  it('sums amounts to the cent and formats dates for sign lines', () => {
    const values = { items: [{ amount: '0.10' }, { amount: '0.20' }, { amount: '1520.5' }], d: '2026-03-05' };
    expect(resolveText('{sum:items.amount}', { values }).text).toBe('1520.80');
    expect(resolveText('{d|ymd}', { values }).text).toBe('2026 年 3 月 5 日');
    expect(resolveText('{missing|ymd}', { values }).text.trim()).toBe('年    月    日');
  });
});
