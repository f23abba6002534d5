import { BEIJING_OFFSET_MS } from '../beijing-time';

/** The least the law allows (网络安全法 Art. 21); the database enforces the same floor with a trigger. */
export const MIN_RETENTION_MONTHS = 6;

/**
 * The first instant retention keeps: Beijing midnight at the start of the day `months` calendar
 * months before `now`'s Beijing day (the 31st becomes the month's last day). Entries before it may be
 * pruned. Starting at midnight keeps whole days for the assessor, and it is never later than the
 * database's own bound (6 months before now, to the second), so a prune never asks the database for
 * an entry it would refuse.
 */
export function retentionCutoff(now: Date, months: number): Date {
  if (!Number.isInteger(months) || months < MIN_RETENTION_MONTHS) {
    throw new RangeError(`audit retention must be at least ${MIN_RETENTION_MONTHS} whole months, not ${months}`);
  }
  const beijing = new Date(now.getTime() + BEIJING_OFFSET_MS); // its UTC fields read as Beijing wall time
  const total = beijing.getUTCFullYear() * 12 + beijing.getUTCMonth() - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(beijing.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day) - BEIJING_OFFSET_MS);
}
