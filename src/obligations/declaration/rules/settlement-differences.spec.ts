import { compareSettlements } from './settlement-differences';
import {
  figuresOf,
  inForceLocally,
  type InsurerSettlement,
  type LocalSettlement,
  monthDays,
  nextMonth,
  previousMonth,
  readDetailPage,
} from './settlement-figures';

const local = (n: number, extra: Partial<LocalSettlement> = {}): LocalSettlement => ({
  settlementId: `rec-${n}`,
  setlId: `SETL${n}`,
  mdtrtId: `MZ${n}`,
  psnNo: `PSN${n}`,
  kind: 'outpatient',
  status: 'settled',
  msgid: `H64010600001202611251000000${String(n).padStart(3, '0')}`,
  day: '2026-11-25',
  setlTime: '2026-11-25 10:00:00',
  totalFen: 1000 * n,
  fundFen: 900 * n,
  selfPayFen: 100 * n,
  provisional: false,
  ...extra,
});
const insurer = (n: number, extra: Partial<InsurerSettlement> = {}): InsurerSettlement => ({
  setlId: `SETL${n}`,
  mdtrtId: `MZ${n}`,
  psnNo: `PSN${n}`,
  infno: '2207',
  setlTime: '2026-11-25 10:00:00',
  totalFen: 1000 * n,
  fundFen: 900 * n,
  selfPayFen: 100 * n,
  ...extra,
});

describe('compareSettlements', () => {
  it('finds nothing when both sides hold the same settlements in force', () => {
    expect(
      compareSettlements([local(1), local(2), local(3, { status: 'cancelled' })], [insurer(1), insurer(2)]),
    ).toEqual([]);
  });

  it('names each differing settlement with its kind and what to do', () => {
    const differences = compareSettlements(
      [
        local(1, { totalFen: 1001, selfPayFen: 101 }),
        local(2),
        local(3, { status: 'cancelled' }),
        local(5, { status: 'needs-review', setlId: null, setlTime: null }),
        local(6, { status: 'cancelling' }),
      ],
      [insurer(1), insurer(3), insurer(4), insurer(5), insurer(6)],
    );
    expect(differences.map((d) => [d.kind, d.setlId, d.settlementId])).toEqual([
      ['figures-differ', 'SETL1', 'rec-1'],
      ['state-differs', 'SETL3', 'rec-3'],
      ['only-at-insurer', 'SETL4', null],
      ['state-differs', 'SETL5', 'rec-5'],
      ['only-local', 'SETL2', 'rec-2'],
    ]);
    expect(differences[0]).toMatchObject({
      local: { totalFen: 1001, selfPayFen: 101, status: 'settled' },
      insurer: { totalFen: 1000, selfPayFen: 100 },
      msgid: local(1).msgid,
    });
    expect(differences[0].todo).toContain('9201');
    expect(differences[1].todo).toContain('重新办理结算撤销');
    expect(differences[3].hint).toContain('resolve the review');
    expect(differences[4]).toMatchObject({ insurer: null, mdtrtId: 'MZ2' });
  });

  it('counts settled and cancelling settlements as in force locally, nothing else', () => {
    const statuses = [
      'settled',
      'cancelling',
      'cancelled',
      'pending',
      'needs-review',
      'provisional',
      'rejected',
    ] as const;
    expect(statuses.filter((status) => inForceLocally(local(1, { status })))).toEqual(['settled', 'cancelling']);
    expect(figuresOf([local(1), local(2)])).toEqual({ count: 2, totalFen: 3000, fundFen: 2700, selfPayFen: 300 });
  });
});

describe('readDetailPage', () => {
  const row = {
    setl_id: 'S1',
    mdtrt_id: 'MZ1',
    psn_no: 'P1',
    infno: '2207',
    setl_time: '2026-11-25 10:00:00',
    medfee_sumamt: 55.5,
    fund_pay_sumamt: 45.5,
    psn_pay_sumamt: 10,
  };

  it('reads a page into fen', () => {
    expect(readDetailPage({ total: 1, pages: 1, data: [row] })).toEqual({
      total: 1,
      pages: 1,
      rows: [
        {
          setlId: 'S1',
          mdtrtId: 'MZ1',
          psnNo: 'P1',
          infno: '2207',
          setlTime: '2026-11-25 10:00:00',
          totalFen: 5550,
          fundFen: 4550,
          selfPayFen: 1000,
        },
      ],
    });
  });

  it('refuses a malformed answer rather than compare against it', () => {
    expect(() => readDetailPage(null)).toThrow('3202 output is not an object');
    expect(() => readDetailPage({ total: 1, pages: 1 })).toThrow('3202 answered without data');
    expect(() => readDetailPage({ total: 1, pages: 1, data: [{ ...row, medfee_sumamt: 1.234 }] })).toThrow(
      '3202 data[0].medfee_sumamt is not an amount in yuan',
    );
    expect(() => readDetailPage({ total: 1, pages: 1, data: [{ ...row, setl_time: '2026-11-25' }] })).toThrow(
      'setl_time is not yyyy-MM-dd HH:mm:ss',
    );
  });
});

describe('months', () => {
  it('knows their days and neighbours', () => {
    expect(monthDays('2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(monthDays('2028-02').to).toBe('2028-02-29');
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(() => monthDays('2026-13')).toThrow('not a month');
  });
});
