import { WorkingDayCalendar } from '../../calendar/rules/working-days';
import { loadCalendar } from '../../calendar/calendar-loader';
import { dueDate, isPastDue } from './due-date';

/** Beijing noon of a day, as a point in time. */
const at = (day: string, time = '12:00:00'): Date => new Date(`${day}T${time}+08:00`);

describe('dueDate', () => {
  let calendar: WorkingDayCalendar;
  beforeAll(() => {
    // No year files: chinese-days alone (2004–2026).
    calendar = loadCalendar('/nonexistent-calendar-dir').calendar;
  });

  it('counts 5 working days across 国庆 2026 (1–7 October off, Saturday 10 October worked)', () => {
    expect(dueDate(calendar, at('2026-09-29'), { workingDays: 5 })).toEqual({ date: '2026-10-12', confirmed: true });
    expect(dueDate(calendar, at('2026-09-30'), { workingDays: 5 })).toEqual({ date: '2026-10-13', confirmed: true });
  });

  it('counts 5 working days across the Spring Festival 2026 (15–23 February off, Saturday 14 February worked): Thu 12 → 13, 14, 24, 25, 26', () => {
    expect(dueDate(calendar, at('2026-02-12'), { workingDays: 5 })).toEqual({ date: '2026-02-26', confirmed: true });
  });

  it('counts across a weekend', () => {
    // Friday 2026-11-27 → Mon 30, Tue 1, Wed 2, Thu 3, Fri 4 December.
    expect(dueDate(calendar, at('2026-11-27'), { workingDays: 5 })).toEqual({ date: '2026-12-04', confirmed: true });
  });

  it('takes the Beijing day of the event: 23:30 UTC is already the next day in Beijing', () => {
    expect(dueDate(calendar, new Date('2026-11-26T23:30:00Z'), { days: 0 }).date).toBe('2026-11-27');
  });

  it('marks a date counted over an unknown year unconfirmed', () => {
    expect(dueDate(calendar, at('2026-12-29'), { workingDays: 5 }).confirmed).toBe(false);
  });

  it('counts calendar days and fixed days, refusing nonsense', () => {
    expect(dueDate(calendar, at('2026-11-02'), { days: 30 })).toEqual({ date: '2026-12-02', confirmed: true });
    expect(dueDate(calendar, at('2026-11-02'), { on: '2026-12-10' })).toEqual({ date: '2026-12-10', confirmed: true });
    expect(() => dueDate(calendar, at('2026-11-02'), { on: '2026-02-30' })).toThrow(RangeError);
    expect(() => dueDate(calendar, at('2026-11-02'), { days: -1 })).toThrow(RangeError);
  });
});

describe('isPastDue', () => {
  it('is past only once the Beijing day after the due day has begun', () => {
    expect(isPastDue('2026-12-04', at('2026-12-04', '23:59:59'))).toBe(false);
    expect(isPastDue('2026-12-04', at('2026-12-05', '00:00:00'))).toBe(true);
  });
});
