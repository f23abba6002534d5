import { arrangementsFromChineseDays, WorkingDayCalendar } from '../calendar/rules/working-days';
import { beijingTimestamp } from '../upstream/protocol/msgid';

/** yyyy-MM-dd of an instant in UTC+8: business dates are the insurer's calendar days. */
export function beijingDate(date: Date): string {
  const s = beijingTimestamp(date);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) {
    return false;
  }
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

export function isDateTime(text: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.exec(text);
  return m !== null && isCalendarDate(m[1]);
}

// The State Council's arrangements as the chinese-days package ships them (2004–2026): the real
// insurer knows the holidays, and so does the sandbox. A later year counts Monday–Friday.
const INSURER_CALENDAR = new WorkingDayCalendar(
  arrangementsFromChineseDays(
    require('chinese-days/dist/chinese-days.json') as {
      holidays: Record<string, string>;
      workdays: Record<string, string>;
    },
    'chinese-days',
  ),
);

/**
 * The last day of a period of `n` working days after `from` (the day itself not counted), on the
 * same working-day rules as the gateway's calendar (src/calendar/rules/working-days.ts): public
 * holidays are days off, 调休 weekend days are working days, years the package does not know count
 * Monday–Friday.
 */
export function workingDaysDeadline(from: string, n: number): string {
  return INSURER_CALENDAR.addWorkingDays(from, n).date;
}
