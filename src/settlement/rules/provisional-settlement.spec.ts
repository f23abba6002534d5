import { finding } from './findings';
import type { LineAudit, PreAuditResult } from './pre-audit-result';
import { differenceMessage, provisionalSplit, settlementDifference } from './provisional-settlement';
import type { SettlementMessage } from './settlement-message';
import { deskCollectsFen } from './settlement-reply';

const line = (lineId: string, amountFen: number, over: Partial<LineAudit> = {}): LineAudit => ({
  lineId,
  index: Number(lineId) - 1,
  disposition: 'fund',
  amountFen,
  insurerCode: '001203000010000',
  findings: [],
  ...over,
});

/** Four lines: the fund's, not injury related (sent), unmapped without consent (kept local, hospital's loss), unmapped with consent. */
const audit: PreAuditResult = {
  verdict: { canSettle: true, message: '预审通过' },
  visitFindings: [],
  lines: [
    line('1', 3000),
    line('2', 2000, { disposition: 'selfPay', findings: [finding('NOT_INJURY_RELATED', '2', '…')] }),
    line('3', 1500, {
      disposition: 'selfPay',
      insurerCode: null,
      findings: [finding('ITEM_NOT_MAPPED', '3', '…'), finding('SELF_PAY_NOT_CONSENTED', '3', '…')],
    }),
    line('4', 700, { disposition: 'selfPay', insurerCode: null, findings: [finding('ITEM_NOT_MAPPED', '4', '…')] }),
  ],
  totals: { lineSumFen: 7200, fundFen: 3000, selfPayFen: 4200, refusedFen: 0, hospitalLossFen: 1500 },
};
const sent: SettlementMessage = {
  input: { mdtrt_id: 'MZ1' },
  sentLineIds: ['1', '2'],
  sentTotalFen: 5000,
  localSelfPay: [
    { lineId: '3', amountFen: 1500, reason: 'not-mapped' },
    { lineId: '4', amountFen: 700, reason: 'not-mapped' },
  ],
};

describe('the provisional split (settling while the insurer is away)', () => {
  it('splits the lines sent as the pre-audit judged them; the desk collects as it would under the insurer’s split', () => {
    const split = provisionalSplit(sent, audit);
    expect(split).toEqual({
      setlId: null,
      setlTime: null,
      totalFen: 5000,
      fundFen: 3000,
      selfPayFen: 2000,
      refundFen: null,
      lines: [
        { lineId: '1', amountFen: 3000, fundFen: 3000, selfPayFen: 0, reason: null },
        { lineId: '2', amountFen: 2000, fundFen: 0, selfPayFen: 2000, reason: '非工伤治疗费用' },
      ],
      // the worker's part of the lines sent + the consented local line; the unconsented one is the hospital's
      deskCollectsFen: 2700,
    });
    expect(split.deskCollectsFen).toBe(deskCollectsFen(split, sent, audit));
  });

  it('names a sent self-pay line outside the catalogue as the insurer would, any other self-pay generically', () => {
    const outside = {
      ...audit,
      lines: [
        line('1', 3000, { disposition: 'selfPay', findings: [finding('ITEM_OUTSIDE_CATALOGUE', '1', '…')] }),
        line('2', 2000, { disposition: 'selfPay', findings: [finding('AFTER_DISCHARGE_NOTICE', '2', '…')] }),
      ],
    };
    const split = provisionalSplit({ ...sent, localSelfPay: [] }, outside);
    expect(split.lines.map((l) => l.reason)).toEqual(['工伤保险目录外项目', '医院预审：个人支付']);
    expect(split).toMatchObject({ fundFen: 0, selfPayFen: 5000, deskCollectsFen: 5000 });
  });

  it('refuses a message with a line the pre-audit does not let through, or a total that is not its lines', () => {
    const refused = { ...audit, lines: [line('1', 3000, { disposition: 'refused' }), audit.lines[1]] };
    expect(() => provisionalSplit(sent, refused)).toThrow(/line 1/);
    expect(() => provisionalSplit({ ...sent, sentLineIds: ['1', '9'] }, audit)).toThrow(/line 9/);
    expect(() => provisionalSplit({ ...sent, sentTotalFen: 5001 }, audit)).toThrow(/5001 fen/);
  });
});

describe('the difference between provisional and final', () => {
  it('is nothing when the worker pays the same', () => {
    expect(settlementDifference(2700, 2700)).toBeNull();
    expect(settlementDifference(0, 0)).toBeNull();
  });

  it('is to collect when the worker owes more, to refund when they paid too much', () => {
    expect(settlementDifference(2700, 5700)).toEqual({ direction: 'collect', differenceFen: 3000 });
    expect(settlementDifference(5700, 2700)).toEqual({ direction: 'refund', differenceFen: 3000 });
    expect(settlementDifference(0, 1)).toEqual({ direction: 'collect', differenceFen: 1 });
  });

  it('refuses amounts that are not whole fen at least 0', () => {
    expect(() => settlementDifference(10.5, 20)).toThrow(/whole fen/);
    expect(() => settlementDifference(-1, 20)).toThrow(/whole fen/);
  });

  it('tells the desk what to do in Chinese, in yuan', () => {
    const base = { mdtrtId: 'MZ1', provisionalFen: 2700, finalFen: 5705, differenceFen: 3005 };
    expect(differenceMessage({ ...base, cause: 'split-differs', direction: 'collect' })).toBe(
      '就诊 MZ1：医保结算结果与临时结算不同，请向患者补收 30.05 元（临时结算收取 27.00 元，按医保结果应由患者支付 57.05 元）',
    );
    expect(differenceMessage({ ...base, cause: 'split-differs', direction: 'refund' })).toMatch(/请退还患者 30\.05 元/);
    expect(differenceMessage({ ...base, cause: 'rejected', direction: 'collect' })).toMatch(
      /医保拒绝了应急期间的临时结算.*补收 30\.05 元.*重新结算/,
    );
  });
});
