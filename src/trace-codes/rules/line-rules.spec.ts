import { completeCountProblem, lineCompleteness, maxCodes } from './line-rules';

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
