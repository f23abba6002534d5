import {
  CHECK_CODES,
  CHECK_EFFECTS,
  checkCardIsPersonsCard,
  checkCardNotLost,
  checkCardReadable,
  checkCardValidity,
  checkCoverage,
  checkCoverageKnown,
  checkIdCardValidity,
  checkIdNumbersAgree,
  checkIdNumberValid,
  checkInsurerRefusal,
  checkNamesAgree,
  checkQr,
  checkStaffConfirmation,
  parseBeijingDateTime,
  type CheckResult,
} from './checks';
import { normalizedIdNumber } from './normalize';
import {
  answerOf,
  cardRead,
  HOSPITAL,
  HOUR,
  lockedCardRead,
  NOW,
  qrAnswer,
  qrDecoded,
  SEED,
  staffConfirmed,
} from '../../../test/support/identity-fixtures';

const CJK = /[\u4e00-\u9fff]/;
const TODAY = '2026-11-25';
const ctx = { hospitalCode: HOSPITAL, visitKind: 'outpatient' as const, today: TODAY };

function byCode(results: readonly CheckResult[], code: string): CheckResult | undefined {
  return results.find((r) => r.code === code);
}

describe('check codes', () => {
  it('are stable upper-case English, each with one effect', () => {
    expect(CHECK_CODES.length).toBeGreaterThanOrEqual(24);
    for (const code of CHECK_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(['mismatch', 'not-covered', 'unusable', 'incomplete']).toContain(CHECK_EFFECTS[code]);
    }
  });
});

describe('identity checks', () => {
  it('ID_NUMBER_INVALID names the source and the reason, never the number', () => {
    const bad = checkIdNumberValid('his', normalizedIdNumber('640104198503120318'));
    expect(bad).toMatchObject({ code: 'ID_NUMBER_INVALID', passed: false, effect: 'mismatch', evidence: ['his'] });
    expect(bad.message).toContain('HIS登记信息');
    expect(bad.message).toContain('校验位错误');
    expect(bad.message).not.toContain('640104');
    expect(checkIdNumberValid('card', normalizedIdNumber('640104198503120319')).passed).toBe(true);
  });

  it('ID_NUMBER_MISMATCH groups the sources by the number they give, without the numbers', () => {
    const r = checkIdNumbersAgree([
      { source: 'idCard', value: '640105199007082158' },
      { source: 'card', value: '640104198503120319' },
      { source: 'insurer', value: '640104198503120319' },
    ]);
    expect(r).toMatchObject({ code: 'ID_NUMBER_MISMATCH', passed: false, evidence: ['card', 'idCard', 'insurer'] });
    expect(r?.message).toBe(
      '社保卡、经办机构信息 与 身份证的身份证号码不一致：人、卡、码不符，拒绝记账，请核实就诊人身份',
    );
    expect(checkIdNumbersAgree([{ source: 'card', value: 'x' }])).toBeUndefined();
    expect(
      checkIdNumbersAgree([
        { source: 'qr', value: '640104198503120319' },
        { source: 'his', value: '640104198503120319' },
      ]),
    ).toMatchObject({ passed: true, message: '二维码、HIS登记信息的身份证号码一致' });
  });

  it('NAME_MISMATCH says which sources disagree', () => {
    const r = checkNamesAgree([
      { source: 'card', value: '马建国' },
      { source: 'his', value: '马建军' },
    ]);
    expect(r).toMatchObject({ code: 'NAME_MISMATCH', passed: false, effect: 'mismatch' });
    expect(r?.message).toBe('社保卡 与 HIS登记信息的姓名不一致：人、卡、码不符，拒绝记账，请核实就诊人身份');
  });

  it('CARD_SN_MISMATCH compares the presented card with the one on record (case and spaces ignored)', () => {
    const sn = SEED.activeFingers.card.card_sn;
    expect(checkCardIsPersonsCard(sn.toLowerCase(), ` ${sn}`, 'insurer').passed).toBe(true);
    const r = checkCardIsPersonsCard(SEED.dotName.card.card_sn, sn, 'coverageCache');
    expect(r).toMatchObject({ code: 'CARD_SN_MISMATCH', passed: false, evidence: ['card', 'coverageCache'] });
    expect(r.message).not.toContain(sn);
    expect(checkCardIsPersonsCard('', '', 'insurer').passed).toBe(false);
  });

  it('turns each insurer refusal into its own code', () => {
    expect(checkInsurerRefusal('person-card-mismatch')).toMatchObject({
      code: 'INSURER_PERSON_CARD_MISMATCH',
      effect: 'mismatch',
    });
    expect(checkInsurerRefusal('name-mismatch')).toMatchObject({ code: 'INSURER_NAME_MISMATCH', effect: 'mismatch' });
    expect(checkInsurerRefusal('unknown-person')).toMatchObject({
      code: 'INSURER_PERSON_UNKNOWN',
      effect: 'not-covered',
    });
    expect(checkInsurerRefusal('other')).toMatchObject({
      code: 'INSURER_REFUSED',
      effect: 'incomplete',
      passed: false,
    });
  });
});

describe('credential checks', () => {
  it('CARD_AUTH_REQUIRED fails for a card read without authentication', () => {
    expect(checkCardReadable(cardRead(SEED.activeFingers).read)).toMatchObject({
      code: 'CARD_AUTH_REQUIRED',
      passed: true,
    });
    expect(checkCardReadable(lockedCardRead(SEED.activeFingers).read)).toMatchObject({
      code: 'CARD_AUTH_REQUIRED',
      passed: false,
      effect: 'unusable',
    });
  });

  it('CARD_EXPIRED: valid through its last day, expired the day after, unreadable counts as expired', () => {
    expect(checkCardValidity([{ source: 'card', validUntil: TODAY }], TODAY).passed).toBe(true);
    expect(checkCardValidity([{ source: 'card', validUntil: '2026-11-24' }], TODAY)).toMatchObject({
      code: 'CARD_EXPIRED',
      passed: false,
    });
    expect(checkCardValidity([{ source: 'card', validUntil: '2026-02-30' }], TODAY).passed).toBe(false);
    // either the card or the insurer saying so is enough
    const both = checkCardValidity(
      [
        { source: 'card', validUntil: '2033-05-10' },
        { source: 'insurer', validUntil: '2026-01-01' },
      ],
      TODAY,
    );
    expect(both).toMatchObject({ passed: false, evidence: ['card', 'insurer'] });
  });

  it('CARD_LOST fails when the insurer reports the card lost', () => {
    expect(checkCardNotLost(answerOf(SEED.lostCard), 'insurer')).toMatchObject({
      code: 'CARD_LOST',
      passed: false,
      effect: 'mismatch',
    });
    expect(checkCardNotLost(answerOf(SEED.activeFingers), 'insurer').passed).toBe(true);
  });

  it('QR_EXPIRED / QR_INVALID / QR_DECODE_OFFLINE', () => {
    expect(checkQr(qrDecoded(SEED.activeFingers), NOW)).toMatchObject({ code: 'QR_EXPIRED', passed: true });
    // expire_time has second precision: expired at that second
    const answer = qrAnswer(SEED.activeFingers, NOW);
    expect(checkQr({ kind: 'decoded', answer, at: NOW }, NOW)).toMatchObject({ code: 'QR_EXPIRED', passed: false });
    expect(
      checkQr({ kind: 'decoded', answer: { ...answer, expire_time: '2026-11-25T10:00:00' }, at: NOW }, NOW).passed,
    ).toBe(false);
    expect(checkQr({ kind: 'refused', reason: 'expired', at: NOW }, NOW)).toMatchObject({
      code: 'QR_EXPIRED',
      passed: false,
    });
    expect(checkQr({ kind: 'refused', reason: 'invalid', at: NOW }, NOW)).toMatchObject({
      code: 'QR_INVALID',
      effect: 'unusable',
    });
    expect(checkQr({ kind: 'unreachable', at: NOW }, NOW)).toMatchObject({ code: 'QR_DECODE_OFFLINE', passed: false });
    // Judged when it was decoded: a live code stays a credential when the verdict is read later.
    const tenMinutesLater = new Date(NOW.getTime() + 600_000);
    const live = {
      kind: 'decoded' as const,
      answer: qrAnswer(SEED.activeFingers, new Date(NOW.getTime() + 60_000)),
      at: NOW,
    };
    expect(checkQr(live, tenMinutesLater).passed).toBe(true);
    expect(checkQr({ ...live, at: tenMinutesLater }, tenMinutesLater).passed).toBe(false);
  });

  it('reads Beijing date-times', () => {
    expect(parseBeijingDateTime('2026-11-25 10:00:00')).toEqual(NOW);
    expect(parseBeijingDateTime('2026-11-25 24:00:00')).toBeUndefined();
    expect(parseBeijingDateTime('2026-02-29 10:00:00')).toBeUndefined();
    expect(parseBeijingDateTime('2026-11-25')).toBeUndefined();
  });
});

describe('person checks', () => {
  it('ID_CARD_EXPIRED: 长期 is valid, a past end date is not', () => {
    expect(checkIdCardValidity('长期', TODAY).passed).toBe(true);
    expect(checkIdCardValidity(TODAY, TODAY).passed).toBe(true);
    expect(checkIdCardValidity('2026-11-24', TODAY)).toMatchObject({
      code: 'ID_CARD_EXPIRED',
      passed: false,
      effect: 'unusable',
    });
    expect(checkIdCardValidity('', TODAY).passed).toBe(false);
  });

  it('STAFF_CONFIRMATION_INVALID: who and when are required, and when is not in the future', () => {
    expect(checkStaffConfirmation(staffConfirmed(), NOW).passed).toBe(true);
    expect(checkStaffConfirmation(staffConfirmed({ staffId: ' ' }), NOW).passed).toBe(false);
    expect(checkStaffConfirmation(staffConfirmed({ staffName: '' }), NOW).passed).toBe(false);
    expect(checkStaffConfirmation(staffConfirmed({ at: new Date(NOW.getTime() + 1) }), NOW).passed).toBe(false);
    expect(checkStaffConfirmation(staffConfirmed({ at: new Date(Number.NaN) }), NOW)).toMatchObject({
      code: 'STAFF_CONFIRMATION_INVALID',
      passed: false,
    });
  });
});

describe('coverage checks', () => {
  it('all pass for the default patient at the hospital he signed with', () => {
    const r = checkCoverage(answerOf(SEED.activeFingers), 'insurer', ctx);
    expect(r.map((c) => c.code)).toEqual([
      'NOT_INSURED',
      'NO_DETERMINATION',
      'DETERMINATION_PENDING',
      'NOT_SIGNED_HERE',
    ]);
    expect(r.every((c) => c.passed)).toBe(true);
  });

  it('NOT_INSURED', () => {
    expect(byCode(checkCoverage(answerOf(SEED.uninsured), 'insurer', ctx), 'NOT_INSURED')).toMatchObject({
      passed: false,
      effect: 'not-covered',
    });
  });

  it('NO_DETERMINATION and DETERMINATION_PENDING are separate checks', () => {
    const none = checkCoverage(answerOf(SEED.uninsured), 'insurer', ctx);
    expect(byCode(none, 'NO_DETERMINATION')?.passed).toBe(false);
    expect(byCode(none, 'DETERMINATION_PENDING')?.passed).toBe(true);
    const pending = checkCoverage(answerOf(SEED.pending), 'insurer', ctx);
    expect(byCode(pending, 'NO_DETERMINATION')?.passed).toBe(true);
    expect(byCode(pending, 'DETERMINATION_PENDING')).toMatchObject({ passed: false, effect: 'not-covered' });
  });

  it('NOT_SIGNED_HERE only for a local worker’s outpatient visit', () => {
    expect(byCode(checkCoverage(answerOf(SEED.threeSigned), 'insurer', ctx), 'NOT_SIGNED_HERE')?.passed).toBe(false);
    expect(
      byCode(
        checkCoverage(answerOf(SEED.threeSigned), 'insurer', { ...ctx, visitKind: 'inpatient' }),
        'NOT_SIGNED_HERE',
      ),
    ).toBeUndefined();
    expect(
      byCode(
        checkCoverage(answerOf(SEED.oldInjury), 'insurer', { ...ctx, hospitalCode: 'h64010600001 ' }),
        'NOT_SIGNED_HERE',
      )?.passed,
    ).toBe(true);
    expect(byCode(checkCoverage(answerOf(SEED.crossWithFiling), 'insurer', ctx), 'NOT_SIGNED_HERE')).toBeUndefined();
  });

  it('CROSS_PROVINCE_NO_FILING and CROSS_PROVINCE_FILING_NOT_VALID', () => {
    const noFiling = checkCoverage(answerOf(SEED.crossNoFiling), 'insurer', ctx);
    expect(byCode(noFiling, 'CROSS_PROVINCE_NO_FILING')).toMatchObject({ passed: false, effect: 'not-covered' });
    expect(byCode(noFiling, 'CROSS_PROVINCE_FILING_NOT_VALID')).toBeUndefined();
    const filed = checkCoverage(answerOf(SEED.crossWithFiling), 'insurer', ctx);
    expect(byCode(filed, 'CROSS_PROVINCE_NO_FILING')?.passed).toBe(true);
    expect(byCode(filed, 'CROSS_PROVINCE_FILING_NOT_VALID')?.passed).toBe(true);
    expect(
      byCode(
        checkCoverage(answerOf(SEED.crossWithFiling), 'insurer', { ...ctx, today: '2026-05-11' }),
        'CROSS_PROVINCE_FILING_NOT_VALID',
      )?.passed,
    ).toBe(false);
    expect(
      byCode(
        checkCoverage(answerOf(SEED.crossWithFiling), 'insurer', { ...ctx, today: '2031-01-01' }),
        'CROSS_PROVINCE_FILING_NOT_VALID',
      )?.passed,
    ).toBe(false);
    expect(
      byCode(
        checkCoverage(answerOf(SEED.crossWithFiling), 'insurer', { ...ctx, today: '2030-12-31' }),
        'CROSS_PROVINCE_FILING_NOT_VALID',
      )?.passed,
    ).toBe(true);
  });

  it('COVERAGE_NOT_QUERIED / COVERAGE_PENDING say where coverage comes from or why it is missing', () => {
    expect(checkCoverageKnown({ source: 'insurer' })).toMatchObject({ code: 'COVERAGE_PENDING', passed: true });
    expect(checkCoverageKnown({ source: 'coverageCache', ageMs: 90 * 60_000 }).message).toContain('90分钟前的缓存');
    expect(checkCoverageKnown({ source: 'coverageCache', ageMs: 30 * HOUR }).message).toContain('30小时前');
    expect(checkCoverageKnown({ kind: 'not-queried' })).toMatchObject({
      code: 'COVERAGE_NOT_QUERIED',
      passed: false,
      effect: 'incomplete',
    });
    for (const kind of [
      'offline-no-cache',
      'offline-cache-undated',
      'offline-cache-other-person',
      'offline-identity-unknown',
      'identity-unresolved',
    ] as const) {
      expect(checkCoverageKnown({ kind })).toMatchObject({
        code: 'COVERAGE_PENDING',
        passed: false,
        effect: 'incomplete',
      });
    }
    expect(checkCoverageKnown({ kind: 'offline-cache-stale', ageMs: 25 * HOUR }).message).toContain('25小时前');
  });
});

describe('every message', () => {
  it('is Chinese', () => {
    const all: CheckResult[] = [
      ...checkCoverage(answerOf(SEED.uninsured), 'insurer', ctx),
      ...checkCoverage(answerOf(SEED.crossWithFiling), 'coverageCache', ctx),
      checkQr({ kind: 'unreachable', at: NOW }, NOW),
      checkStaffConfirmation(staffConfirmed(), NOW),
    ];
    for (const r of all) {
      expect(r.message).toMatch(CJK);
    }
  });
});

describe('an invalid clock', () => {
  it('shows no card and no filing to be within validity', () => {
    expect(checkCardValidity([{ source: 'card', validUntil: '2033-05-10' }], 'NaN-NaN-NaN').passed).toBe(false);
    expect(
      byCode(
        checkCoverage(answerOf(SEED.crossWithFiling), 'insurer', { ...ctx, today: 'NaN-NaN-NaN' }),
        'CROSS_PROVINCE_FILING_NOT_VALID',
      )?.passed,
    ).toBe(false);
    expect(checkQr(qrDecoded(SEED.activeFingers), new Date(Number.NaN)).passed).toBe(false);
  });
});
