import { toCompleteness, toFeeLineCodes, toLineProgress, toMappingView } from './trace-codes.mapper';

const line = {
  visitId: 'V1',
  lineNo: '1',
  medListCode: 'MED-A',
  drugName: '阿莫西林胶囊',
  quantity: 3,
  splitPackage: false,
  codeCount: 1,
};

describe('trace-codes mapper', () => {
  it('a line’s progress: held, needed (1 for a split package) and status', () => {
    expect(toLineProgress(line)).toEqual({
      ...line,
      codeCount: undefined,
      held: 1,
      needed: 3,
      status: 'missing-codes',
    });
    expect(toLineProgress({ ...line, splitPackage: true })).toMatchObject({
      held: 1,
      needed: 1,
      status: 'split-package',
    });
  });

  it('a visit is complete when no line is missing codes', () => {
    const done = { ...line, lineNo: '2', codeCount: 3 };
    expect(toCompleteness('V1', [line, done])).toMatchObject({
      visitId: 'V1',
      complete: false,
      missing: [{ lineNo: '1' }],
    });
    expect(toCompleteness('V1', [done]).complete).toBe(true);
  });

  it('fee lines carry the codes and the split flag in the settlement’s shape; mappings their time as ISO text', () => {
    expect(toFeeLineCodes({ ...line, splitPackage: true }, ['a'])).toEqual({
      feedetl_sn: '1',
      med_list_codg: 'MED-A',
      drug_trac_codg: ['a'],
      trdn_flag: '1',
    });
    const at = new Date('2026-11-25T01:00:00Z');
    expect(
      toMappingView({ productCode: '8000000', medListCode: 'MED-A', drugName: null, updatedBy: 'his', updatedAt: at }),
    ).toEqual({ productCode: '8000000', medListCode: 'MED-A', drugName: null, updatedAt: '2026-11-25T01:00:00.000Z' });
  });
});
