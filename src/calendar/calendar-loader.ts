import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type GatewayConfig, projectRoot } from '../platform';
import { readCalendarFile } from './rules/calendar-file';
import { arrangementsFromChineseDays, WorkingDayCalendar } from './rules/working-days';

// The package's tables (holidays and 调休 working days by date), read once.
const CHINESE_DAYS = require('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};

/** How far ahead the gateway must know the calendar (deadlines counted from today). */
export const CALENDAR_HORIZON_DAYS = 60;

export interface LoadedCalendar {
  calendar: WorkingDayCalendar;
  /** The year files read (full paths). */
  files: string[];
  /** Problems in those files, each naming the file and the place: the gateway does not start with any. */
  problems: string[];
}

export function calendarDir(config: GatewayConfig): string {
  return isAbsolute(config.calendar.dir) ? config.calendar.dir : resolve(projectRoot(), config.calendar.dir);
}

/** The package's years, then every `*.yaml` / `*.yml` in `dir` (a missing folder: the package alone). */
export function loadCalendar(dir: string): LoadedCalendar {
  const arrangements = arrangementsFromChineseDays(CHINESE_DAYS, 'chinese-days');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/i.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];
  const problems: string[] = [];
  const fromFiles = new Map<number, string>();
  for (const file of files) {
    const reading = readCalendarFile(readFileSync(file, 'utf8'), file);
    if (!reading.ok) {
      problems.push(...reading.problems);
      continue;
    }
    const other = fromFiles.get(reading.arrangement.year);
    if (other) {
      problems.push(`${file}: year ${reading.arrangement.year} is also given by ${other}; keep one file per year`);
      continue;
    }
    fromFiles.set(reading.arrangement.year, file);
    arrangements.push(reading.arrangement);
  }
  return { calendar: new WorkingDayCalendar(arrangements), files, problems };
}

/** What to tell IT when the calendar does not know a year it must count on. */
export function unknownYearsMessage(years: readonly number[], dir: string): string {
  const list = years.join(', ');
  return (
    `the working-day calendar does not know ${list} (holidays and 调休 working days): deadlines in it fall back to ` +
    `Monday–Friday, marked unconfirmed. Add ${years.map((y) => join(dir, `${y}.yaml`)).join(', ')} from the State ` +
    `Council's notice (docs/calendar.md)`
  );
}
