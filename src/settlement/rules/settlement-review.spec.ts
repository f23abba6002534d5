import type { SettlementMessage } from './settlement-message';
import { readSettlementReply } from './settlement-reply';
import { cancelRequestState, type ConfirmedSettlement, confirmedOutput } from './settlement-review';

const SENT: SettlementMessage = {
  input: {
    mdtrt_id: 'MZ1',
    medfee_sumamt: 75.01,
    feedetail: [
      { feedetl_sn: '1', det_item_fee_sumamt: 25.01 },
      { feedetl_sn: '2', det_item_fee_sumamt: 50 },
    ],
  },
  sentLineIds: ['1', '2'],
  sentTotalFen: 7501,
  localSelfPay: [],
};

const T = '2026-11-25 09:40:00';
const read = (c: ConfirmedSettlement) => {
  const output = confirmedOutput(c, SENT);
  return typeof output === 'string' ? { ok: false as const, problem: output } : readSettlementReply(output, SENT, true);
};

describe('a settlement IT confirmed with the insurer', () => {
  it('goes through the checks of a reply and comes out in fen, line by line', () => {
    const reading = read({
      setlId: 'ST9',
      setlTime: '2026-11-25 09:40:00',
      fundFen: 2501,
      selfPayFen: 5000,
      lines: [
        { lineId: '2', fundFen: 0, selfPayFen: 5000 },
        { lineId: '1', fundFen: 2501, selfPayFen: 0 },
      ],
    });
    expect(reading).toEqual({
      ok: true,
      split: {
        setlId: 'ST9',
        setlTime: '2026-11-25 09:40:00',
        totalFen: 7501,
        fundFen: 2501,
        selfPayFen: 5000,
        refundFen: null,
        lines: [
          { lineId: '1', amountFen: 2501, fundFen: 2501, selfPayFen: 0, reason: null },
          { lineId: '2', amountFen: 5000, fundFen: 0, selfPayFen: 5000, reason: null },
        ],
      },
    });
  });

  it('needs no lines when the fund (or the worker) pays everything', () => {
    const allFund = read({ setlId: 'ST9', setlTime: T, fundFen: 7501, selfPayFen: 0 });
    expect(allFund.ok && allFund.split.lines.map((l) => [l.lineId, l.fundFen, l.selfPayFen])).toEqual([
      ['1', 2501, 0],
      ['2', 5000, 0],
    ]);
    const allWorker = read({ setlId: 'ST9', setlTime: T, fundFen: 0, selfPayFen: 7501 });
    expect(allWorker.ok && allWorker.split.fundFen).toBe(0);
    expect(read({ setlId: 'ST9', setlTime: T, fundFen: 7000, selfPayFen: 501 })).toEqual({
      ok: false,
      problem: expect.stringMatching(/split of each of the 2 line/),
    });
  });

  it('is refused when the parts do not make the total sent, a line does not add up, or a line is missing or unknown', () => {
    expect(read({ setlId: 'ST9', setlTime: T, fundFen: 7500, selfPayFen: 0 })).toEqual({
      ok: false,
      problem: 'medfee_sumamt 7500 fen differs from the 7501 fen sent',
    });
    const line = (lineId: string, fundFen: number, selfPayFen: number) => ({ lineId, fundFen, selfPayFen });
    const base = { setlId: 'ST9', setlTime: T, fundFen: 2501, selfPayFen: 5000 };
    expect(read({ ...base, lines: [line('1', 2500, 0), line('2', 1, 5000)] })).toMatchObject({
      ok: false,
      problem: 'line 1: fund and worker parts do not make its amount',
    });
    expect(read({ ...base, lines: [line('1', 2501, 0)] })).toMatchObject({
      ok: false,
      problem: '1 line(s) sent but not answered',
    });
    expect(read({ ...base, lines: [line('1', 2501, 0), line('2', 0, 5000), line('9', 0, 0)] })).toMatchObject({
      ok: false,
      problem: 'line 9 answered twice or never sent',
    });
    expect(read({ ...base, setlId: '', fundFen: 7501, selfPayFen: 0 })).toMatchObject({
      ok: false,
      problem: 'setl_id is missing',
    });
  });
});

describe('a cancel requested before the outcome', () => {
  it('waits while the outcome is unknown, is moot when the insurer did not settle, and is sent otherwise', () => {
    expect(cancelRequestState('pending')).toBe('waiting');
    expect(cancelRequestState('needs-review')).toBe('waiting');
    expect(cancelRequestState('rejected')).toBe('moot');
    for (const status of ['cancelling', 'cancelled', 'settled']) {
      expect(cancelRequestState(status)).toBe('sent');
    }
  });
});
