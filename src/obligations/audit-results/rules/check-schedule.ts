import { beijingDay } from '../../../calendar/rules/working-days';

/**
 * When to ask the insurer (3501) about a settlement's audit again — politely: not every settlement
 * every run. The first question a while after settling (`firstCheckAfterHours`); then once per
 * `checkIntervalHours` while no result came, every `nearDueCheckIntervalHours` from `nearDueDays`
 * before the insurer's due day to the due day itself (so a result that arrives in time is seen in
 * time); once per `checkIntervalHours` again after it (the insurer is late: still asked, not
 * hammered). After a result, once per `amendmentCheckIntervalHours` for amendments until
 * `amendmentWatchDays` after the settlement, then never again (null).
 */
export interface CheckPolicy {
  firstCheckAfterHours: number;
  checkIntervalHours: number;
  nearDueCheckIntervalHours: number;
  nearDueDays: number;
  amendmentWatchDays: number;
  amendmentCheckIntervalHours: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function firstCheckAt(settledAt: Date, p: CheckPolicy): Date {
  return new Date(settledAt.getTime() + p.firstCheckAfterHours * HOUR);
}

export function nextCheckAt(
  watch: { settledAt: Date; dueOn: string; hasResult: boolean },
  now: Date,
  p: CheckPolicy,
): Date | null {
  if (watch.hasResult) {
    const next = new Date(now.getTime() + p.amendmentCheckIntervalHours * HOUR);
    const watchEnds = watch.settledAt.getTime() + p.amendmentWatchDays * DAY;
    return next.getTime() > watchEnds ? null : next;
  }
  const daysToDue = daysBetween(beijingDay(now), watch.dueOn);
  const near = daysToDue >= 0 && daysToDue <= p.nearDueDays;
  return new Date(now.getTime() + (near ? p.nearDueCheckIntervalHours : p.checkIntervalHours) * HOUR);
}

/** Calendar days from `from` to `to` ('yyyy-MM-dd'); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/**
 * On Beijing day `today`, a settlement whose due day is its settlement day + `days` is past it when
 * it was settled before this instant: the start (Beijing) of `today − days`.
 */
export function overdueCutoff(today: string, days: number): Date {
  const d = new Date(`${today}T00:00:00+08:00`);
  return new Date(d.getTime() - days * DAY);
}
