import { readCalendarFile } from './calendar-file';
import { arrangementsFromChineseDays, beijingDay, WorkingDayCalendar } from './working-days';
const CHINESE_DAYS = require('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};

const packaged = arrangementsFromChineseDays(CHINESE_DAYS, 'chinese-days');
const FILE_2027 = `
year: 2027
source: 测试用安排
holidays:
  - { date: 2027-01-01, name: 元旦 }
  - { from: 2027-02-06, to: 2027-02-12, name: 春节 }
workdays:
  - { date: 2027-02-13, name: 春节 }
`;

describe('WorkingDayCalendar', () => {
  const calendar = new WorkingDayCalendar(packaged);

  it('knows the packaged years (2026 included) and what each day of 2026’s National Day week is', () => {
    expect(calendar.knownYears()).toContain(2026);
    expect(calendar.day('2026-10-01')).toMatchObject({
      kind: 'holiday',
      working: false,
      name: '国庆节',
      confirmed: true,
    });
    expect(calendar.day('2026-10-10')).toMatchObject({ kind: 'adjusted-workday', working: true, confirmed: true });
    expect(calendar.day('2026-12-05')).toMatchObject({ kind: 'weekend', working: false, confirmed: true });
    expect(calendar.day('2026-12-03')).toMatchObject({ kind: 'workday', working: true, confirmed: true });
  });

  it('counts working days after a date, skipping holidays and counting 调休 Saturdays (R11: 5 working days)', () => {
    // Thursday 2026-12-03 + 5 → Thursday 12-10 (a weekend between).
    expect(calendar.addWorkingDays('2026-12-03', 5)).toEqual({ date: '2026-12-10', confirmed: true });
    // Settled on 2026-09-30: 10-01…10-07 off (and more: the package's table), 10-10 a Saturday worked.
    const after = calendar.addWorkingDays('2026-09-30', 1);
    expect(calendar.day(after.date).working).toBe(true);
    expect(after.date > '2026-10-07').toBe(true);
    expect(() => calendar.addWorkingDays('2026-12-03', 0)).toThrow(RangeError);
  });

  it('falls back to Monday–Friday, marked unconfirmed, in a year it does not know', () => {
    expect(calendar.day('2027-01-01')).toEqual({
      date: '2027-01-01',
      kind: 'workday',
      working: true,
      confirmed: false,
    });
    // Monday 2026-12-28 + 5 crosses into 2027: Tue 12-29 … Fri 01-01 are four, Monday 01-04 the fifth.
    expect(calendar.addWorkingDays('2026-12-28', 5)).toEqual({ date: '2027-01-04', confirmed: false });
    expect(calendar.unknownYearsWithin('2026-12-03', 60)).toEqual([2027]);
    expect(calendar.unknownYearsWithin('2026-10-01', 60)).toEqual([]);
  });

  it('takes a year from the hospital’s file over nothing (and over the package for the same year)', () => {
    const reading = readCalendarFile(FILE_2027, '2027.yaml');
    if (!reading.ok) {
      throw new Error(reading.problems.join('; '));
    }
    const withFile = new WorkingDayCalendar([...packaged, reading.arrangement]);
    expect(withFile.day('2027-01-01')).toMatchObject({ kind: 'holiday', name: '元旦', confirmed: true });
    expect(withFile.day('2027-02-13')).toMatchObject({ kind: 'adjusted-workday', working: true });
    expect(withFile.addWorkingDays('2026-12-28', 5)).toEqual({ date: '2027-01-05', confirmed: true });
    expect(withFile.firstWorkingDay('2027-02')).toEqual({ date: '2027-02-01', confirmed: true });
    expect(withFile.unknownYearsWithin('2026-12-03', 60)).toEqual([]);
    expect(withFile.month('2027-02').filter((d) => d.kind === 'holiday')).toHaveLength(7);
  });

  it('gives the first working day of a month after a holiday start', () => {
    expect(calendar.firstWorkingDay('2026-10')).toMatchObject({ confirmed: true });
    expect(calendar.firstWorkingDay('2026-10').date > '2026-10-01').toBe(true);
    expect(calendar.month('2026-11')).toHaveLength(30);
  });

  it('reads the Beijing calendar day of an instant', () => {
    expect(beijingDay(new Date('2026-12-02T16:30:00Z'))).toBe('2026-12-03');
    expect(beijingDay(new Date('2026-12-02T15:59:59Z'))).toBe('2026-12-02');
  });
});

describe('readCalendarFile', () => {
  it('names every problem with where it is, and gives nothing for a bad file', () => {
    const reading = readCalendarFile(
      `year: 2027
source: ""
holidays:
  - { date: 2027-13-01, name: 元旦 }
  - { from: 2027-02-12, to: 2027-02-06, name: 春节 }
  - { date: 2028-01-01, name: 元旦 }
  - { date: 2027-05-01 }
workdays:
  - { date: 2027-02-10, name: 春节 }
`,
      '2027.yaml',
    );
    expect(reading.ok).toBe(false);
    const problems = reading.ok ? [] : reading.problems;
    expect(problems).toEqual([
      expect.stringContaining('source'),
      expect.stringContaining('holidays[0]: expected date'),
      expect.stringContaining('holidays[1]: from 2027-02-12 to 2027-02-06'),
      expect.stringContaining('holidays[2]: 2028-01-01 is not in 2027'),
      expect.stringContaining('holidays[3]: name'),
      expect.stringContaining('workdays: 2027-02-10 is a weekday already'),
    ]);
    expect(readCalendarFile('- a\n- b', 'x.yaml')).toEqual({
      ok: false,
      problems: [expect.stringContaining('mapping')],
    });
    expect(readCalendarFile('year: [', 'x.yaml')).toMatchObject({ ok: false });
  });

  it('refuses a day both off and worked', () => {
    const reading = readCalendarFile(
      'year: 2027\nsource: x\nholidays:\n  - { date: 2027-02-13, name: 春节 }\nworkdays:\n  - { date: 2027-02-13, name: 春节 }\n',
      'y.yaml',
    );
    expect(reading).toEqual({ ok: false, problems: ['y.yaml: 2027-02-13 is both a holiday and a working day'] });
  });
});
