import { addDays, beijingDay, type CountedDate, type WorkingDayCalendar } from '../../calendar/rules/working-days';

/**
 * How a duty's due day is counted from the event it follows (`from`, a point in time):
 * - `workingDays: n` — the nth working day after from's Beijing day (that day itself not counted), on the
 *   working-day calendar: 5 working days after a settlement on Friday 2026-09-25 is Monday 2026-10-12
 *   (国庆 1–7 October off, Saturday 10 October worked);
 * - `days: n` — n calendar days after from's Beijing day (R18's 30 days, R6's 5 days);
 * - `on: 'yyyy-MM-dd'` — a fixed day (a month's declaration deadline).
 */
export type DueRule = { readonly workingDays: number } | { readonly days: number } | { readonly on: string };

export function dueDate(calendar: WorkingDayCalendar, from: Date, due: DueRule): CountedDate {
  const day = beijingDay(from);
  if ('workingDays' in due) {
    return calendar.addWorkingDays(day, due.workingDays);
  }
  if ('days' in due) {
    if (!Number.isInteger(due.days) || due.days < 0) {
      throw new RangeError(`expected a whole number of days ≥ 0, got ${due.days}`);
    }
    // Calendar days do not depend on holidays: always confirmed.
    return { date: addDays(day, due.days), confirmed: true };
  }
  // Validates the day (throws on 'yyyy-MM-dd' that is no day).
  addDays(due.on, 0);
  return { date: due.on, confirmed: true };
}

/** True once `dueOn` (Beijing) has passed at `now`: the last day to act was before today. */
export function isPastDue(dueOn: string, now: Date): boolean {
  return beijingDay(now) > dueOn;
}
