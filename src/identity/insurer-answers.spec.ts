import { refusalReason, reviveDates } from './insurer-answers';

describe('refusalReason', () => {
  it.each([
    ['证件号码与社会保障卡不属于同一人（人卡不符）', 'person-card-mismatch'],
    ['姓名与证件信息不符', 'name-mismatch'],
    ['未查询到该证件号码的参保人员信息', 'unknown-person'],
    ['未查询到该卡识别码对应的社会保障卡', 'unknown-person'],
    ['certno 校验位错误', 'other'],
  ])('%s → %s', (message, reason) => {
    expect(refusalReason(message)).toBe(reason);
  });
});

describe('reviveDates', () => {
  it('turns the instants JSON.stringify wrote back into Dates and leaves calendar days and Beijing date-times as text', () => {
    const at = new Date('2026-11-25T04:00:00.123Z');
    const parsed = JSON.parse(
      JSON.stringify({ at, validUntil: '2030-01-01', expire_time: '2026-11-25 12:01:00' }),
      reviveDates,
    ) as Record<string, unknown>;
    expect(parsed.at).toEqual(at);
    expect(parsed.validUntil).toBe('2030-01-01');
    expect(parsed.expire_time).toBe('2026-11-25 12:01:00');
  });
});
