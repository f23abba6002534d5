/**
 * Calendar helpers shared by the card and code parsers. Dates on cards and packs are plain
 * calendar days with no time zone, so they are handled as numbers and 'YYYY-MM-DD' strings,
 * never as Date objects (a Date would drag the server's time zone into a birth date).
 */

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  const days = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return days[month - 1];
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 'yyyyMMdd' (as cards store dates) → 'YYYY-MM-DD', or undefined when it is not a real date. */
export function compactToIso(compact: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (!m) {
    return undefined;
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(y, mo, d) ? isoDate(y, mo, d) : undefined;
}

/** 'YYYY-MM-DD' → 'yyyyMMdd', or undefined when it is not a real date. */
export function isoToCompact(iso: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m || !isValidDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    return undefined;
  }
  return `${m[1]}${m[2]}${m[3]}`;
}

/**
 * Today's calendar date in China (UTC+8, no daylight saving), as 'YYYY-MM-DD'. A pharmacy in
 * Yinchuan decides "expired" by its own calendar, whatever zone the server happens to run in.
 */
export function chinaToday(now: Date): string {
  const shifted = new Date(now.getTime() + 8 * 3600 * 1000);
  return isoDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}
