import { workingDaysDeadline } from './dates';

describe('the sandbox insurer counts working days as the gateway does', () => {
  it('5 working days after a Wednesday without holidays end the next Wednesday', () => {
    expect(workingDaysDeadline('2026-11-25', 5)).toBe('2026-12-02');
  });

  it('skips the National Day holiday and counts its 调休 Saturday (2026-10-10) as a working day', () => {
    // Monday–Friday alone would end on 10-07, in the middle of the holiday.
    expect(workingDaysDeadline('2026-09-30', 5)).toBe('2026-10-13');
  });

  it('counts Monday–Friday in a year the package does not know', () => {
    expect(workingDaysDeadline('2031-01-01', 5)).toBe('2031-01-08');
  });
});
