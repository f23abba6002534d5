import type { CodeState } from '../trace-codes.entity';
import {
  completeBatchRefusal,
  drugFitRefusal,
  judgeKnownCodes,
  lineFullRefusal,
  type CaptureLine,
  type OpenUse,
} from './capture-rules';
import type { DrugCode } from './scan-judgement';

const line = (over: Partial<CaptureLine> = {}): CaptureLine => ({
  id: 'L1',
  lineNo: '1',
  medListCode: 'MED-A',
  drugName: '阿莫西林胶囊',
  quantity: 2,
  splitPackage: false,
  codeCount: 0,
  ...over,
});
const use = (code: string, over: Partial<OpenUse> = {}): OpenUse => ({
  code,
  lineId: 'L9',
  visitId: 'V9',
  lineNo: '9',
  medListCode: 'MED-A',
  dispensedAt: new Date('2026-11-25T01:00:00Z'),
  ...over,
});
const drug = (code: string, productCode = '8000000'): DrugCode => ({
  code,
  form: 'trace20',
  productCode,
  batch: null,
  expiry: null,
});
const states = (entries: Record<string, CodeState>): Map<string, CodeState> => new Map(Object.entries(entries));

describe('capture rules', () => {
  it('a line takes no more codes than its quantity', () => {
    expect(lineFullRefusal(line({ codeCount: 1 }), 1)).toBeUndefined();
    expect(lineFullRefusal(line({ codeCount: 2 }), 1)).toMatchObject({ code: 'TRACE_LINE_FULL', status: 422 });
  });

  it('a batch must be the line’s whole count and may not leave other codes on the line', () => {
    expect(completeBatchRefusal(line(), ['a'], [])).toMatchObject({ code: 'TRACE_CODE_COUNT_MISMATCH', status: 422 });
    expect(completeBatchRefusal(line(), ['a', 'b'], ['a'])).toBeUndefined();
    const other = completeBatchRefusal(line(), ['a', 'b'], ['c']);
    expect(other).toMatchObject({
      code: 'TRACE_LINE_HAS_OTHER_CODES',
      status: 409,
      details: [{ code: 'TRACE_CODE_ON_LINE', context: { code: 'c' } }],
    });
  });

  it('a mapped product must belong to the line’s drug; an unmapped one is not checked', () => {
    const mappings = new Map([['8000000', new Set(['MED-B'])]]);
    expect(drugFitRefusal(line(), [drug('a', '8111111')], mappings, { single: true })).toBeUndefined();
    expect(drugFitRefusal(line(), [drug('a')], mappings, { single: true })).toMatchObject({
      code: 'TRACE_CODE_DRUG_MISMATCH',
      status: 422,
      details: undefined,
    });
    const batch = drugFitRefusal(line(), [drug('a'), drug('b')], mappings, {
      single: false,
      indexOf: new Map([
        ['a', 0],
        ['b', 1],
      ]),
    });
    expect(batch?.details?.map((d) => d.field)).toEqual(['codes[0]', 'codes[1]']);
  });

  it('free boxes are taken; a box dispensed whole refuses a single scan with where it went', () => {
    const decided = judgeKnownCodes(
      line(),
      ['a', 'b'],
      states({ a: 'received', b: 'dispensed' }),
      new Map([['b', [use('b')]]]),
      { single: true },
    );
    expect(decided.free).toEqual(['a']);
    expect(decided.refusal).toMatchObject({
      code: 'TRACE_CODE_ALREADY_DISPENSED',
      status: 409,
      details: [{ context: { visitId: 'V9', lineNo: '9' } }],
    });
  });

  it('a split-open box feeds another split line of the same drug, but never a whole-box line or another drug', () => {
    const open = new Map([['a', [use('a')]]]);
    expect(
      judgeKnownCodes(line({ splitPackage: true }), ['a'], states({ a: 'split-open' }), open, { single: true }).refusal,
    ).toBeUndefined();
    expect(judgeKnownCodes(line(), ['a'], states({ a: 'split-open' }), open, { single: true }).refusal).toMatchObject({
      code: 'TRACE_CODE_SPLIT_OPEN',
      status: 409,
    });
    const other = judgeKnownCodes(
      line({ splitPackage: true, medListCode: 'MED-B' }),
      ['a'],
      states({ a: 'split-open' }),
      open,
      { single: true },
    );
    expect(other.refusal).toMatchObject({ code: 'TRACE_CODE_DRUG_MISMATCH', status: 422, details: undefined });
  });

  it('in a batch, any state conflict makes TRACE_BATCH_CONFLICT naming each box; drug misfits alone are TRACE_CODE_DRUG_MISMATCH', () => {
    const indexOf = new Map([
      ['a', 0],
      ['b', 1],
    ]);
    const conflict = judgeKnownCodes(line(), ['a', 'b'], states({ a: 'scrapped', b: 'received' }), new Map(), {
      single: false,
      indexOf,
    });
    expect(conflict.refusal).toMatchObject({
      code: 'TRACE_BATCH_CONFLICT',
      status: 409,
      details: [{ field: 'codes[0]', code: 'TRACE_CODE_SCRAPPED' }],
    });
    const misfit = judgeKnownCodes(
      line({ splitPackage: true }),
      ['a'],
      states({ a: 'split-open' }),
      new Map([['a', [use('a', { medListCode: 'MED-B' })]]]),
      { single: false, indexOf },
    );
    expect(misfit.refusal).toMatchObject({
      code: 'TRACE_CODE_DRUG_MISMATCH',
      status: 422,
      details: [{ field: 'codes[0]' }],
    });
  });
});
