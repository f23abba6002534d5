import { completeCountProblem, duplicateLineRefusal, lineChange, lineCompleteness, maxCodes } from './line-rules';

describe('line rules', () => {
  it('a whole-box line needs one code per unit', () => {
    expect(lineCompleteness({ quantity: 3, splitPackage: false }, 2)).toEqual({ status: 'missing-codes', missing: 1 });
    expect(lineCompleteness({ quantity: 3, splitPackage: false }, 3)).toEqual({ status: 'complete', missing: 0 });
    expect(completeCountProblem({ quantity: 3, splitPackage: false }, 2)).toMatch(/不符/);
    expect(completeCountProblem({ quantity: 3, splitPackage: false }, 4)).toMatch(/不符/);
    expect(completeCountProblem({ quantity: 3, splitPackage: false }, 3)).toBeUndefined();
    expect(maxCodes({ quantity: 3, splitPackage: false })).toBe(3);
  });

  it('a split package needs at least one code and is flagged as split, never as complete', () => {
    expect(lineCompleteness({ quantity: 12, splitPackage: true }, 0)).toEqual({ status: 'missing-codes', missing: 1 });
    expect(lineCompleteness({ quantity: 12, splitPackage: true }, 1)).toEqual({ status: 'split-package', missing: 0 });
    expect(completeCountProblem({ quantity: 12, splitPackage: true }, 1)).toBeUndefined();
    expect(completeCountProblem({ quantity: 12, splitPackage: true }, 0)).toMatch(/至少/);
    expect(completeCountProblem({ quantity: 2, splitPackage: true }, 3)).toMatch(/不能多于/);
  });
});

describe('line changes', () => {
  const stored = {
    lineNo: '1',
    medListCode: 'MED-A',
    drugName: '阿莫西林胶囊',
    quantity: 3,
    splitPackage: false,
    codeCount: 2,
  };

  it('a line holding codes keeps its drug and split flag, and its quantity stays at or above its codes', () => {
    expect(lineChange(stored, { ...stored })).toBe('unchanged');
    expect(lineChange(stored, { ...stored, quantity: 2 })).toBe('change');
    expect(lineChange(stored, { ...stored, quantity: 1 })).toMatchObject({
      code: 'TRACE_LINE_QUANTITY_BELOW_CODES',
      status: 409,
    });
    expect(lineChange(stored, { ...stored, splitPackage: true })).toMatchObject({
      code: 'TRACE_LINE_HAS_CODES',
      status: 409,
    });
    expect(lineChange(stored, { ...stored, medListCode: 'MED-B' })).toMatchObject({
      code: 'TRACE_LINE_HAS_CODES',
      status: 409,
    });
    expect(lineChange({ ...stored, codeCount: 0 }, { ...stored, medListCode: 'MED-B', splitPackage: true })).toBe(
      'change',
    );
  });

  it('a request names each line once', () => {
    expect(duplicateLineRefusal([{ lineNo: '1' }, { lineNo: '2' }])).toBeUndefined();
    expect(duplicateLineRefusal([{ lineNo: '1' }, { lineNo: '1' }])).toMatchObject({
      code: 'TRACE_LINE_DUPLICATE',
      status: 422,
      userMessage: '处方行 1 在请求中出现了两次：每行只报一次',
    });
  });
});
