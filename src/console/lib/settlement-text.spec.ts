import type { FindingDto, SettlementDto } from '../api/settlement';
import {
  ATTENTION_STATUSES,
  dispositionView,
  localSelfPayText,
  settleKey,
  settlementActions,
  severityView,
  sortFindings,
  splitRows,
  statusView,
  visitStateText,
} from './settlement-text';

describe(statusView.name, () => {
  it('names every status of docs/settlement.md with what to do', () => {
    for (const status of ['pending', 'provisional', 'settled', 'rejected', 'needs-review', 'cancelling', 'cancelled']) {
      const view = statusView(status);
      expect(view.text).not.toMatch(/未知状态/);
      expect(view.todo.length).toBeGreaterThan(5);
    }
    expect(statusView('pending').text).toBe('结果未知');
    expect(statusView('needs-review')).toMatchObject({ text: '待复核', tone: 'danger' });
    expect(statusView('needs-review').todo).toContain('信息科');
    expect(statusView('settled').tone).toBe('success');
  });

  it('says so for a status it does not know', () => {
    expect(statusView('weird')).toMatchObject({ text: '未知状态（weird）', tone: 'info' });
  });

  it('lists the statuses that need attention, the ones in doubt first', () => {
    expect(ATTENTION_STATUSES).toEqual(['needs-review', 'pending', 'provisional', 'cancelling']);
  });
});

describe('findings and lines', () => {
  it('tells blocking findings from the others', () => {
    expect(severityView('refuse')).toEqual({ text: '阻止结算', tone: 'danger', blocking: true });
    expect(severityView('warn').blocking).toBe(false);
    expect(severityView('selfPay').text).toBe('个人自付');
    expect(severityView('hospitalLoss').text).toBe('医院承担');
  });

  it('puts blocking findings first, keeping the API order within each group', () => {
    const f = (code: string, severity: FindingDto['severity']): FindingDto => ({
      code,
      severity,
      lineId: null,
      message: code,
    });
    expect(
      sortFindings([f('A', 'warn'), f('B', 'refuse'), f('C', 'selfPay'), f('D', 'refuse')]).map((x) => x.code),
    ).toEqual(['B', 'D', 'A', 'C']);
  });

  it('names dispositions, visit states and lines kept out', () => {
    expect(dispositionView('fund')).toEqual({ text: '基金支付', tone: 'success' });
    expect(dispositionView('refused').tone).toBe('danger');
    expect(visitStateText('settled')).toBe('已结算');
    expect(visitStateText('open')).toBe('未结算');
    expect(localSelfPayText('not-mapped')).toContain('未对码');
  });
});

describe(splitRows.name, () => {
  it('shows the split in yuan from fen, with what the desk collects', () => {
    expect(splitRows({ totalFen: 7500, fundFen: 5500, selfPayFen: 2000, refundFen: null }, 0, 2000)).toEqual([
      { label: '医疗费用总额（上传经办机构）', amount: '¥75.00' },
      { label: '工伤保险基金支付（统筹）', amount: '¥55.00' },
      { label: '个人自付（经办机构核定）', amount: '¥20.00' },
      { label: '应向患者收取', amount: '¥20.00', emphasis: true },
    ]);
  });

  it('adds the lines kept out and a conversion’s refund when there are any', () => {
    const rows = splitRows({ totalFen: 123456, fundFen: 100000, selfPayFen: 23456, refundFen: 100000 }, 3000, 0);
    expect(rows.map((r) => r.amount)).toEqual(['¥1,234.56', '¥1,000.00', '¥234.56', '¥30.00', '¥1,000.00', '¥0.00']);
    expect(rows[4].label).toContain('退还');
  });

  it('leaves out what the desk collects while it is not known', () => {
    expect(splitRows({ totalFen: 1, fundFen: 1, selfPayFen: 0, refundFen: null }, 0, null)).toHaveLength(3);
  });
});

describe(settlementActions.name, () => {
  const s = (status: SettlementDto['status'], cancelRequested: SettlementDto['cancelRequested'] = null) => ({
    status,
    cancelRequested,
  });

  it('prints settled and provisional settlements only', () => {
    expect(settlementActions(s('settled'), false).print).toBe(true);
    expect(settlementActions(s('provisional'), false).print).toBe(true);
    expect(settlementActions(s('pending'), false).print).toBe(false);
    expect(settlementActions(s('cancelled'), false).print).toBe(false);
  });

  it('cancels a settled one, or asks to cancel one in doubt, once', () => {
    expect(settlementActions(s('settled'), false).cancel).toBe(true);
    expect(settlementActions(s('pending'), false).cancel).toBe(true);
    expect(settlementActions(s('needs-review'), false).cancel).toBe(true);
    expect(settlementActions(s('pending', { at: '2026-12-03T01:00:00Z', state: 'waiting' }), false).cancel).toBe(false);
    expect(settlementActions(s('cancelled'), false).cancel).toBe(false);
    expect(settlementActions(s('rejected'), false).cancel).toBe(false);
  });

  it('offers the requery only to staff who may (IT) and only for needs-review', () => {
    expect(settlementActions(s('needs-review'), true).requery).toBe(true);
    expect(settlementActions(s('needs-review'), false).requery).toBe(false);
    expect(settlementActions(s('pending'), true).requery).toBe(false);
  });
});

describe(settleKey.name, () => {
  it('makes a key per attempt, naming the visit', () => {
    const now = new Date('2026-12-03T02:00:00Z');
    expect(settleKey('MZ1', now, () => 0)).toBe(`console-MZ1-${now.getTime().toString(36)}-0`);
    expect(settleKey('MZ1', now, () => 0.5)).not.toBe(settleKey('MZ1', now, () => 0.25));
  });
});
