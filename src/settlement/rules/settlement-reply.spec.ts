import type { SettlementMessage } from './settlement-message';
import type { PreAuditResult } from './pre-audit-result';
import { deskCollectsFen, readSettlementReply } from './settlement-reply';

const sent: SettlementMessage = {
  input: { mdtrt_id: 'MZ1' },
  sentLineIds: ['1', '2'],
  sentTotalFen: 5000,
  localSelfPay: [],
};
const reply = (over: Record<string, unknown> = {}) => ({
  mdtrt_id: 'MZ1',
  setl_id: 'ST1',
  setl_time: '2026-11-25 10:00:00',
  medfee_sumamt: 50,
  fund_pay_sumamt: 30,
  psn_pay_sumamt: 20,
  setldetail: [
    { feedetl_sn: '1', det_item_fee_sumamt: 30, fund_pay_amt: 30, psn_pay_amt: 0, selfpay_reason: null },
    { feedetl_sn: '2', det_item_fee_sumamt: 20, fund_pay_amt: 0, psn_pay_amt: 20, selfpay_reason: '非工伤治疗费用' },
  ],
  ...over,
});

describe('reading the insurer’s settlement reply', () => {
  it('reads a consistent reply into fen', () => {
    expect(readSettlementReply(reply(), sent, true)).toEqual({
      ok: true,
      split: {
        setlId: 'ST1',
        setlTime: '2026-11-25 10:00:00',
        totalFen: 5000,
        fundFen: 3000,
        selfPayFen: 2000,
        refundFen: null,
        lines: [
          { lineId: '1', amountFen: 3000, fundFen: 3000, selfPayFen: 0, reason: null },
          { lineId: '2', amountFen: 2000, fundFen: 0, selfPayFen: 2000, reason: '非工伤治疗费用' },
        ],
      },
    });
  });

  describe('自费转工伤 (cvs_flag "1")', () => {
    const conversion: SettlementMessage = { ...sent, input: { ...sent.input, cvs_flag: '1' } };
    const audit = {
      lines: [{ lineId: '1', findings: [] }],
    } as unknown as PreAuditResult;

    it('reads refd_amt as the refund, which must be the fund’s part; the desk collects nothing', () => {
      const read = readSettlementReply(reply({ cvs_flag: '1', refd_amt: 30 }), conversion, true);
      expect(read).toMatchObject({ ok: true, split: { fundFen: 3000, selfPayFen: 2000, refundFen: 3000 } });
      // The worker paid the whole visit on its receipts: nothing more to collect, the fund's part goes back.
      expect(read.ok && deskCollectsFen(read.split, { ...conversion, localSelfPay: [] }, audit)).toBe(0);
      const normal = readSettlementReply(reply(), sent, true);
      expect(normal.ok && deskCollectsFen(normal.split, sent, audit)).toBe(2000);
    });

    it.each([
      ['a conversion answered as a normal settlement', conversion, {}, /not one/],
      ['a refund that is not the fund’s part', conversion, { cvs_flag: '1', refd_amt: 50 }, /not the fund/],
      ['a conversion without refd_amt', conversion, { cvs_flag: '1' }, /refd_amt/],
      ['a normal settlement answered as a conversion', sent, { cvs_flag: '1', refd_amt: 30 }, /normal settlement/],
    ])('refuses %s', (_label, message, over, problem) => {
      const read = readSettlementReply(reply(over), message, true);
      expect(read.ok).toBe(false);
      expect(!read.ok && read.problem).toMatch(problem);
    });
  });

  it.each([
    ['another visit', { mdtrt_id: 'MZ2' }, /mdtrt_id/],
    ['a total that is not what was sent', { medfee_sumamt: 51, psn_pay_sumamt: 21 }, /differs/],
    ['parts that do not add up', { psn_pay_sumamt: 19 }, /do not add up/],
    ['a third decimal', { fund_pay_sumamt: 30.001 }, /at most two decimals/],
    ['a line missing', { setldetail: [reply().setldetail[0]] }, /not answered|do not add up/],
    [
      'a line never sent',
      { setldetail: [...reply().setldetail, { ...reply().setldetail[1], feedetl_sn: '9' }] },
      /never sent/,
    ],
    ['no settlement id on a settlement', { setl_id: '' }, /setl_id/],
  ])('refuses %s', (_label, over, problem) => {
    const read = readSettlementReply(reply(over), sent, true);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problem).toMatch(problem);
  });

  it('does not ask a pre-settlement for a settlement id', () => {
    expect(readSettlementReply(reply({ setl_id: undefined, setl_time: undefined }), sent, false)).toMatchObject({
      ok: true,
      split: { setlId: null, setlTime: null },
    });
  });
});
