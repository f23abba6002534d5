/**
 * The working-day calendar the duties with deadlines count on (R11: 5 working days; R13: the first
 * working day of a month). Pure: the State Council's holiday arrangements come in as data — the
 * `chinese-days` package's tables (2004–2026 as shipped) and the hospital's own files for later
 * years (calendar-file.ts) — and every answer says whether it rests on a known arrangement
 * (`confirmed`) or on plain Monday–Friday because the year is not known yet.
 *
 * Dates are calendar days in Beijing time, 'yyyy-MM-dd'.
 */

/** One year's arrangement: its public holidays and its adjusted working days (调休上班), with names. */
export interface YearArrangement {
  readonly year: number;
  /** Where it comes from: the package, or the file (and the notice it copies). */
  readonly source: string;
  /** Days off that would otherwise be working days or weekends, by date → holiday name. */
  readonly holidays: ReadonlyMap<string, string>;
  /** Weekend days that are working days, by date → the holiday they make up for. */
  readonly workdays: ReadonlyMap<string, string>;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted-workday';

export interface CalendarDay {
  readonly date: string;
  readonly kind: DayKind;
  readonly working: boolean;
  /** The holiday's name (holiday, adjusted-workday). */
  readonly name?: string;
  /** False: the year's arrangement is not known; the day is judged by Monday–Friday alone. */
  readonly confirmed: boolean;
}

export interface CountedDate {
  readonly date: string;
  /** False when any day counted lies in a year whose arrangement is not known. */
  readonly confirmed: boolean;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'yyyy-MM-dd' → a UTC midnight Date (calendar arithmetic only; never a point in time). */
export function parseDay(date: string): Date {
  const m = DAY.exec(date);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : new Date(NaN);
  if (Number.isNaN(d.getTime()) || formatDay(d) !== date) {
    throw new RangeError(`not a calendar day (yyyy-MM-dd): ${date}`);
  }
  return d;
}

export function formatDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, n: number): string {
  const d = parseDay(date);
  d.setUTCDate(d.getUTCDate() + n);
  return formatDay(d);
}

/** The Beijing calendar day of an instant. */
export function beijingDay(at: Date): string {
  return formatDay(new Date(at.getTime() + 8 * 3600_000));
}

export class WorkingDayCalendar {
  private readonly years: ReadonlyMap<number, YearArrangement>;

  /** Later arrangements of the same year replace earlier ones (a hospital's file over the package's). */
  constructor(arrangements: readonly YearArrangement[]) {
    const years = new Map<number, YearArrangement>();
    for (const a of arrangements) {
      years.set(a.year, a);
    }
    this.years = years;
  }

  /** The years whose arrangement is known, ascending. */
  knownYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  arrangement(year: number): YearArrangement | undefined {
    return this.years.get(year);
  }

  day(date: string): CalendarDay {
    const d = parseDay(date);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const year = this.years.get(d.getUTCFullYear());
    if (!year) {
      return { date, kind: weekend ? 'weekend' : 'workday', working: !weekend, confirmed: false };
    }
    const holiday = year.holidays.get(date);
    if (holiday !== undefined) {
      return { date, kind: 'holiday', working: false, name: holiday, confirmed: true };
    }
    const adjusted = year.workdays.get(date);
    if (adjusted !== undefined) {
      return { date, kind: 'adjusted-workday', working: true, name: adjusted, confirmed: true };
    }
    return { date, kind: weekend ? 'weekend' : 'workday', working: !weekend, confirmed: true };
  }

  /**
   * The `n`th working day after `date` (n ≥ 1; `date` itself is not counted: "5 working days after
   * the settlement" on a Monday without holidays is the next Monday).
   */
  addWorkingDays(date: string, n: number): CountedDate {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`expected a whole number of working days ≥ 1, got ${n}`);
    }
    let confirmed = this.day(date).confirmed;
    let current = date;
    for (let left = n; left > 0;) {
      current = addDays(current, 1);
      const day = this.day(current);
      confirmed &&= day.confirmed;
      if (day.working) {
        left--;
      }
    }
    return { date: current, confirmed };
  }

  /** The first working day of a month ('yyyy-MM'). */
  firstWorkingDay(month: string): CountedDate {
    const first = `${month}-01`;
    const day = this.day(first);
    return day.working ? { date: first, confirmed: day.confirmed } : this.addWorkingDays(first, 1);
  }

  /** Every day of a month ('yyyy-MM'), in order. */
  month(month: string): CalendarDay[] {
    const d = parseDay(`${month}-01`);
    const m = d.getUTCMonth();
    const days: CalendarDay[] = [];
    for (; d.getUTCMonth() === m; d.setUTCDate(d.getUTCDate() + 1)) {
      days.push(this.day(formatDay(d)));
    }
    return days;
  }

  /** The years not known among the `days` days from `from` on (what a deadline may need to count on). */
  unknownYearsWithin(from: string, days: number): number[] {
    const last = parseDay(addDays(from, Math.max(0, days - 1))).getUTCFullYear();
    const unknown: number[] = [];
    for (let y = parseDay(from).getUTCFullYear(); y <= last; y++) {
      if (!this.years.has(y)) {
        unknown.push(y);
      }
    }
    return unknown;
  }
}

/**
 * The arrangements in the `chinese-days` tables (its dist/chinese-days.json: `holidays` and
 * `workdays`, date → "English name,中文名,days"), one per year that has any holiday listed.
 */
export function arrangementsFromChineseDays(
  data: { holidays: Record<string, string>; workdays: Record<string, string> },
  source: string,
): YearArrangement[] {
  const byYear = new Map<number, { holidays: Map<string, string>; workdays: Map<string, string> }>();
  const yearOf = (date: string) => {
    const year = Number(date.slice(0, 4));
    let entry = byYear.get(year);
    if (!entry) {
      entry = { holidays: new Map(), workdays: new Map() };
      byYear.set(year, entry);
    }
    return entry;
  };
  const name = (value: string) => value.split(',')[1] ?? value;
  for (const [date, value] of Object.entries(data.holidays)) {
    yearOf(date).holidays.set(date, name(value));
  }
  for (const [date, value] of Object.entries(data.workdays)) {
    yearOf(date).workdays.set(date, name(value));
  }
  return [...byYear.entries()]
    .filter(([, e]) => e.holidays.size > 0)
    .map(([year, e]) => ({ year, source, holidays: e.holidays, workdays: e.workdays }));
}
