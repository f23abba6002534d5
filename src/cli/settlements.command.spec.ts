import { CliError } from './cli-io';
import { reviewBody } from './settlements.command';

describe('settlements review options', () => {
  it('requery: the staff defaults to the OS user', () => {
    expect(reviewBody({ requery: true }, 'wang')).toEqual({ action: 'requery', staff: 'wang' });
    expect(reviewBody({ requery: true, staff: '王工' }, 'wang')).toEqual({ action: 'requery', staff: '王工' });
  });

  it('resolve: not-settled with the note; settled with setl_id, time, fen and lines', () => {
    expect(reviewBody({ resolve: 'not-settled', staff: '王工', note: '电话核实', evidence: '工单 1' }, 'w')).toEqual({
      action: 'resolve',
      outcome: 'not-settled',
      staff: '王工',
      note: '电话核实',
      evidence: '工单 1',
    });
    const settled = {
      resolve: 'settled',
      staff: '王工',
      note: '平台查询',
      'setl-id': 'ST1',
      'setl-time': '2026-11-25 09:40:00',
      'fund-fen': '5500',
      'self-pay-fen': '2000',
      line: ['1:2500:0', 'A-2:3000:0', '3:0:2000'],
    };
    expect(reviewBody(settled, 'w')).toEqual({
      action: 'resolve',
      outcome: 'settled',
      staff: '王工',
      note: '平台查询',
      setlId: 'ST1',
      setlTime: '2026-11-25 09:40:00',
      fundFen: 5500,
      selfPayFen: 2000,
      lines: [
        { lineId: '1', fundFen: 2500, selfPayFen: 0 },
        { lineId: 'A-2', fundFen: 3000, selfPayFen: 0 },
        { lineId: '3', fundFen: 0, selfPayFen: 2000 },
      ],
    });
  });

  it('refuses what the gateway would refuse anyway, saying what is missing', () => {
    const refused = (o: Parameters<typeof reviewBody>[0]) => {
      try {
        reviewBody(o, 'w');
      } catch (e) {
        return e instanceof CliError ? e.message : String(e);
      }
      return 'accepted';
    };
    expect(refused({})).toMatch(/either --requery or --resolve/);
    expect(refused({ requery: true, resolve: 'settled' })).toMatch(/either --requery or --resolve/);
    expect(refused({ resolve: 'maybe', staff: 'x', note: 'y' })).toMatch(/settled or not-settled/);
    expect(refused({ resolve: 'not-settled', staff: 'x' })).toMatch(/--note/);
    expect(refused({ resolve: 'settled', staff: 'x', note: 'y', 'setl-id': 'ST1' })).toMatch(/--setl-time/);
    const base = { resolve: 'settled', staff: 'x', note: 'y', 'setl-id': 'S', 'setl-time': 't', 'fund-fen': '1' };
    expect(refused({ ...base, 'self-pay-fen': '1.5' })).toMatch(/--self-pay-fen is a whole number of fen/);
    expect(refused({ ...base, 'self-pay-fen': '0', line: ['1:2'] })).toMatch(/--line 1:2/);
  });
});
