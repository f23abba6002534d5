import { sqlChunks } from './sql-dialect';

describe('sqlChunks', () => {
  it('slices a long list in order, the last slice holding the rest', () => {
    expect(sqlChunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(sqlChunks(['a', 'b'], 500)).toEqual([['a', 'b']]);
  });

  it('answers no slice for no items (no statement to run)', () => {
    expect(sqlChunks([], 500)).toEqual([]);
  });

  it('refuses a size that would never end', () => {
    expect(() => sqlChunks([1], 0)).toThrow(RangeError);
  });
});
