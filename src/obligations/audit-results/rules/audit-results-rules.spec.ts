import { readAuditReply } from './audit-reply';
import { beijingDay } from '../../../calendar/rules/working-days';
import { CheckPolicy, firstCheckAt, nextCheckAt, overdueCutoff } from './check-schedule';

const POLICY: CheckPolicy = {
  firstCheckAfterHours: 24,
  checkIntervalHours: 24,
  nearDueCheckIntervalHours: 6,
  nearDueDays: 2,
  amendmentWatchDays: 90,
  amendmentCheckIntervalHours: 168,
};

describe('the check schedule of audit results', () => {
  // Settled 2026-11-25 10:00 Beijing; the insurer's due day is 2026-12-25.
  const settledAt = new Date('2026-11-25T02:00:00Z');
  const watch = { settledAt, dueOn: '2026-12-25', hasResult: false };
  const at = (iso: string) => new Date(iso);

  it('asks first a day after settling, then daily, every 6 h near the due day, daily again once it passed', () => {
    expect(firstCheckAt(settledAt, POLICY)).toEqual(at('2026-11-26T02:00:00Z'));
    expect(nextCheckAt(watch, at('2026-12-01T02:00:00Z'), POLICY)).toEqual(at('2026-12-02T02:00:00Z'));
    // 2026-12-22 23:00 Beijing is still 3 days before: daily.
    expect(nextCheckAt(watch, at('2026-12-22T15:00:00Z'), POLICY)).toEqual(at('2026-12-23T15:00:00Z'));
    // 2026-12-23 00:30 Beijing: 2 days before: every 6 h, through the due day.
    expect(nextCheckAt(watch, at('2026-12-22T16:30:00Z'), POLICY)).toEqual(at('2026-12-22T22:30:00Z'));
    expect(nextCheckAt(watch, at('2026-12-25T15:00:00Z'), POLICY)).toEqual(at('2026-12-25T21:00:00Z'));
    // 2026-12-26 Beijing: the insurer is late — asked daily, not hammered.
    expect(nextCheckAt(watch, at('2026-12-25T16:00:00Z'), POLICY)).toEqual(at('2026-12-26T16:00:00Z'));
  });

  it('after a result, weekly for amendments until 90 days after settling, then never', () => {
    const done = { ...watch, hasResult: true };
    expect(nextCheckAt(done, at('2026-12-10T02:00:00Z'), POLICY)).toEqual(at('2026-12-17T02:00:00Z'));
    // 2027-02-23 02:00Z is 90 days after settling: a check a week before that is the last.
    expect(nextCheckAt(done, at('2027-02-16T02:00:00Z'), POLICY)).toEqual(at('2027-02-23T02:00:00Z'));
    expect(nextCheckAt(done, at('2027-02-16T02:00:01Z'), POLICY)).toBeNull();
  });

  it('a settlement is overdue from the day after settlement day + 30 (Beijing days)', () => {
    expect(beijingDay(at('2026-11-24T16:00:00Z'))).toBe('2026-11-25');
    expect(beijingDay(at('2026-11-24T15:59:59Z'))).toBe('2026-11-24');
    // On 2026-12-26 (Beijing), settlements of 2026-11-25 and before are past their 30 days.
    const cutoff = overdueCutoff('2026-12-26', 30);
    expect(cutoff).toEqual(at('2026-11-25T16:00:00Z')); // 2026-11-26 00:00 Beijing
    expect(at('2026-11-25T15:59:59Z') < cutoff).toBe(true); // 2026-11-25 23:59:59 Beijing: overdue
    expect(at('2026-11-25T16:00:00Z') < cutoff).toBe(false); // 2026-11-26 00:00 Beijing: due today
  });
});

describe("reading the insurer's 3501 answer", () => {
  const done = {
    setl_id: 'ST1',
    audit_state: 'done',
    audit_ver: 2,
    latest_audit_ver: 2,
    audit_time: '2026-12-01 09:30:00',
    fund_pay_sumamt: 117.5,
    dedu_sumamt: 35.01,
    fund_aprv_amt: 82.49,
    deductions: [
      {
        feedetl_sn: '1',
        med_list_codg: 'XM01',
        item_name: '布洛芬缓释胶囊',
        det_item_fee_sumamt: 25,
        fund_pay_amt: 25,
        dedu_amt: 25,
        dedu_rea_code: 'A02',
        dedu_rea: '药品未上传追溯码',
      },
      {
        feedetl_sn: '3',
        med_list_codg: '001201000010000',
        item_name: '换药（中）',
        det_item_fee_sumamt: 50,
        fund_pay_amt: 50,
        dedu_amt: 10.01,
        dedu_rea_code: 'A01',
        dedu_rea: '超出医疗服务价格标准收费',
      },
    ],
  };

  it('reads a result in fen, with the Beijing audit time', () => {
    expect(readAuditReply(done, 'ST1')).toEqual({
      ok: true,
      reading: {
        state: 'done',
        version: 2,
        latestVersion: 2,
        auditedAt: new Date('2026-12-01T01:30:00Z'),
        fundFen: 11750,
        deductedFen: 3501,
        approvedFen: 8249,
        deductions: [
          expect.objectContaining({ lineId: '1', amountFen: 2500, lineFundFen: 2500, reasonCode: 'A02' }),
          expect.objectContaining({
            lineId: '3',
            amountFen: 1001,
            lineAmountFen: 5000,
            reason: '超出医疗服务价格标准收费',
          }),
        ],
      },
    });
    expect(readAuditReply({ setl_id: 'ST1', audit_state: 'pending', audit_ver: 0 }, 'ST1')).toEqual({
      ok: true,
      reading: { state: 'pending', latestVersion: 0 },
    });
  });

  it.each([
    [{ ...done, setl_id: 'ST2' }, 'not ST1'],
    [{ ...done, audit_state: 'partly' }, 'expected pending or done'],
    [{ ...done, dedu_sumamt: 35 }, 'add up to 3501 fen'],
    [{ ...done, fund_aprv_amt: 82.5 }, 'not fund_pay_sumamt − dedu_sumamt'],
    [{ ...done, audit_time: '2026-12-01' }, 'audit_time'],
    [{ ...done, audit_ver: 0 }, 'audit_ver'],
    [{ ...done, latest_audit_ver: 1 }, 'before audit_ver'],
    [{ ...done, dedu_sumamt: 35.011 }, 'more than two decimals'],
    [
      { ...done, deductions: [{ ...done.deductions[0], dedu_amt: 25.01 }, done.deductions[1]], dedu_sumamt: 35.02 },
      'not within what the fund paid',
    ],
    [{ ...done, deductions: [{ ...done.deductions[0], dedu_rea: '' }, done.deductions[1]] }, 'dedu_rea'],
    [null, 'output is not an object'],
  ])('refuses an answer that does not hold together (%#)', (output, problem) => {
    const check = readAuditReply(output, 'ST1');
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.problem).toContain(problem);
  });
});
