import { retentionCutoff } from './audit-retention';

describe(retentionCutoff.name, () => {
  it('counts Beijing calendar months back to the start of that Beijing day', () => {
    // 2026-12-04 09:30 Beijing → 2026-06-04 00:00 Beijing.
    expect(retentionCutoff(new Date('2026-12-04T01:30:00Z'), 6).toISOString()).toBe('2026-06-03T16:00:00.000Z');
    // Already the 5th in Beijing while still the 4th in UTC.
    expect(retentionCutoff(new Date('2026-12-04T17:00:00Z'), 6).toISOString()).toBe('2026-06-04T16:00:00.000Z');
  });

  it('turns a day the month lacks into its last day, across years', () => {
    expect(retentionCutoff(new Date('2026-08-31T04:00:00Z'), 6).toISOString()).toBe('2026-02-27T16:00:00.000Z');
    expect(retentionCutoff(new Date('2027-03-01T02:00:00Z'), 12).toISOString()).toBe('2026-02-28T16:00:00.000Z');
  });

  it('refuses less than the 6 months the law asks for', () => {
    expect(() => retentionCutoff(new Date(), 5)).toThrow(/at least 6/);
  });
});
