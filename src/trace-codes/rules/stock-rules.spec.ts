import type { CodeState } from '../trace-codes.entity';
import { planReturn, planScrap, type ReturnableUse } from './stock-rules';

const use = (
  code: string,
  lineId: string,
  upload: ReturnableUse['upload'] = 'pending',
  uploadRef: string | null = null,
): ReturnableUse => ({ useId: `${code}@${lineId}`, code, lineId, upload, uploadRef });
const states = (entries: Record<string, CodeState>): Map<string, CodeState> => new Map(Object.entries(entries));

describe('stock rules', () => {
  it('a return ends the one open use of each box, frees it, and says which uploads were cancelled or made', () => {
    const usesOf = new Map([
      ['a', [use('a', 'L1')]],
      ['b', [use('b', 'L1', 'uploaded', 'SETL1')]],
    ]);
    const { plan } = planReturn(['a', 'b'], states({ a: 'dispensed', b: 'dispensed' }), usesOf);
    expect(plan).toMatchObject({
      freed: ['a', 'b'],
      stillOpen: 0,
      uploadsCancelled: 1,
      alreadyUploaded: [{ code: 'b', setlId: 'SETL1' }],
    });
    expect(plan?.perLine).toEqual(new Map([['L1', 2]]));
  });

  it('a box open on several split lines needs the line; naming it ends that use only and the box stays open', () => {
    const usesOf = new Map([['a', [use('a', 'L1'), use('a', 'L2')]]]);
    expect(planReturn(['a'], states({ a: 'split-open' }), usesOf).refusal).toMatchObject({
      code: 'TRACE_RETURN_LINE_REQUIRED',
      status: 422,
      details: [{ context: { code: 'a', openUses: '2' } }],
    });
    const { plan } = planReturn(['a'], states({ a: 'split-open' }), usesOf, { id: 'L2', visitId: 'V2', lineNo: '1' });
    expect(plan).toMatchObject({ ending: [{ lineId: 'L2' }], freed: [], stillOpen: 1 });
  });

  it('a box not dispensed (on the named line) refuses the whole return with its state', () => {
    const refused = planReturn(
      ['a', 'b'],
      states({ a: 'dispensed', b: 'received' }),
      new Map([['a', [use('a', 'L1')]]]),
    );
    expect(refused.refusal).toMatchObject({
      code: 'TRACE_CODE_NOT_DISPENSED',
      status: 409,
      details: [{ message: '状态：已入库未发药', context: { code: 'b', state: 'received' } }],
    });
  });

  it('a scrap refuses a box dispensed whole and moves received, returned and split-open boxes', () => {
    expect(planScrap(['a', 'b'], states({ a: 'dispensed', b: 'received' })).refusal).toMatchObject({
      code: 'TRACE_CODE_DISPENSED',
      status: 409,
      details: [{ context: { code: 'a' } }],
    });
    expect(
      planScrap(['a', 'b', 'c', 'd'], states({ a: 'received', b: 'returned', c: 'split-open', d: 'scrapped' })),
    ).toEqual({ movable: ['a', 'b', 'c'] });
  });
});
