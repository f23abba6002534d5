import { beijingClock, beijingDateTime, beijingDay, beijingMinute } from './beijing-time';

describe('Beijing time', () => {
  // 2026-12-31 16:30:05 UTC is already New Year's Day in Beijing.
  const at = new Date('2026-12-31T16:30:05.900Z');

  it('shows an instant as Beijing wall-clock time, crossing the day and the year', () => {
    expect(beijingDateTime(at)).toBe('2027-01-01 00:30:05');
    expect(beijingMinute(at)).toBe('2027-01-01 00:30');
    expect(beijingDay(at)).toBe('2027-01-01');
    expect(beijingClock(at)).toBe('00:30');
  });

  it('does not depend on the process time zone', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      expect(beijingDateTime(new Date('2026-07-01T00:00:00Z'))).toBe('2026-07-01 08:00:00');
    } finally {
      process.env.TZ = before;
    }
  });
});
