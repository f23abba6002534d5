import { diffMappings } from './catalogue-diff';

describe('catalogue diff', () => {
  it('names added, removed and retargeted HIS codes (mapped ↔ unmapped included), sorted', () => {
    const previous = new Map<string, string | null>([
      ['H3', 'XA'],
      ['H1', 'XB'],
      ['H2', null],
      ['H9', 'XC'],
    ]);
    const next = new Map<string, string | null>([
      ['H9', 'XC'],
      ['H1', 'XD'],
      ['H2', 'XE'],
      ['H5', null],
      ['H4', 'XF'],
    ]);
    expect(diffMappings(previous, next)).toEqual({
      added: ['H4', 'H5'],
      removed: ['H3'],
      retargeted: [
        { hisCode: 'H1', from: 'XB', to: 'XD' },
        { hisCode: 'H2', from: null, to: 'XE' },
      ],
      unchanged: 1,
    });
  });

  it('against no version everything is added', () => {
    expect(diffMappings(new Map(), new Map([['H1', 'XA']]))).toEqual({
      added: ['H1'],
      removed: [],
      retargeted: [],
      unchanged: 0,
    });
  });
});
