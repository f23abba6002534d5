import { judgeBatch, judgeStockCodes } from './request-judgement';

const NOW = new Date('2026-11-25T01:00:00Z');
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;

describe('request judgement', () => {
  it('a batch names every bad text and every box given twice, and stores nothing', () => {
    expect(() => judgeBatch([code(1), '123', code(1)], NOW)).toThrow(
      expect.objectContaining({ code: 'TRACE_BATCH_INVALID', status: 422 }) as Error,
    );
    let refused: unknown;
    try {
      judgeBatch([code(1), '8123456789012345678', code(1)], NOW);
    } catch (e) {
      refused = e;
    }
    expect((refused as { details: unknown[] } | undefined)?.details).toEqual([
      expect.objectContaining({ field: 'codes[1]', code: 'TRACE_CODE_LENGTH' }),
      expect.objectContaining({
        field: 'codes[2]',
        code: 'TRACE_CODE_DUPLICATE_IN_REQUEST',
        message: '与第 1 个追溯码是同一盒药品：请删去重复的一个',
      }),
    ]);
  });

  it('a good batch keeps request order and where each box stood', () => {
    const { drugs, indexOf } = judgeBatch([code(2), code(1)], NOW);
    expect(drugs.map((d) => d.code)).toEqual([code(2), code(1)]);
    expect(indexOf.get(code(1))).toBe(1);
  });

  it('a stock request takes the same box twice as one box', () => {
    expect(judgeStockCodes([code(1), code(1), code(2)], NOW, false).map((d) => d.code)).toEqual([code(1), code(2)]);
  });
});
