import { parse } from 'yaml';
import { addDays, parseDay, type YearArrangement } from './working-days';

/**
 * A year's holiday arrangement as the hospital adds it under config/calendar/ (one file per year,
 * e.g. 2027.yaml), copied from the State Council's notice (国务院办公厅关于<year>年部分节假日安排的通知):
 *
 * ```yaml
 * year: 2027
 * source: 国办发明电〔2026〕…号
 * holidays:                 # days off: single days or ranges, with the holiday's name
 *   - { date: 2027-01-01, name: 元旦 }
 *   - { from: 2027-02-05, to: 2027-02-11, name: 春节 }
 * workdays:                 # weekend days worked instead (调休上班)
 *   - { date: 2027-02-13, name: 春节 }
 * ```
 *
 * Every problem is reported with where it is, so the file can be fixed in one go.
 */
export type CalendarFileReading = { ok: true; arrangement: YearArrangement } | { ok: false; problems: string[] };

const MAX_RANGE_DAYS = 31;

export function readCalendarFile(text: string, fileName: string): CalendarFileReading {
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: false });
  } catch (e) {
    return { ok: false, problems: [`${fileName}: not valid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, problems: [`${fileName}: expected a mapping with year, source, holidays and workdays`] };
  }
  const { year, source, holidays, workdays } = doc as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) {
    problems.push(`${fileName}: year: expected the year as a number, e.g. 2027`);
  }
  if (typeof source !== 'string' || source.trim() === '') {
    problems.push(`${fileName}: source: expected the notice it copies (e.g. 国办发明电〔2026〕…号)`);
  }
  const at = (list: string, i: number) => `${fileName}: ${list}[${i}]`;
  const entries = (list: 'holidays' | 'workdays', value: unknown): Map<string, string> => {
    const days = new Map<string, string>();
    if (value === undefined || value === null) {
      return days;
    }
    if (!Array.isArray(value)) {
      problems.push(`${fileName}: ${list}: expected a list of { date, name } or { from, to, name }`);
      return days;
    }
    value.forEach((item: unknown, i) => {
      const e = (item ?? {}) as Record<string, unknown>;
      const name = typeof e.name === 'string' ? e.name.trim() : '';
      if (name === '') {
        problems.push(`${at(list, i)}: name: expected the holiday's name, e.g. 春节`);
      }
      const range = e.date !== undefined ? [e.date, e.date] : [e.from, e.to];
      const [from, to] = range.map(dayText);
      if (from === null || to === null) {
        problems.push(`${at(list, i)}: expected date: yyyy-MM-dd, or from: and to: (yyyy-MM-dd)`);
        return;
      }
      if (to < from || parseDay(to).getTime() - parseDay(from).getTime() > (MAX_RANGE_DAYS - 1) * 86_400_000) {
        problems.push(
          `${at(list, i)}: from ${from} to ${to}: expected an ascending range of at most ${MAX_RANGE_DAYS} days`,
        );
        return;
      }
      for (let d = from; d <= to; d = addDays(d, 1)) {
        if (typeof year === 'number' && Number(d.slice(0, 4)) !== year) {
          problems.push(`${at(list, i)}: ${d} is not in ${year}`);
          return;
        }
        if (days.has(d)) {
          problems.push(`${at(list, i)}: ${d} is listed twice`);
        }
        days.set(d, name);
      }
    });
    return days;
  };
  const off = entries('holidays', holidays);
  const on = entries('workdays', workdays);
  for (const d of on.keys()) {
    if (off.has(d)) {
      problems.push(`${fileName}: ${d} is both a holiday and a working day`);
    }
    const weekday = parseDay(d).getUTCDay();
    if (weekday !== 0 && weekday !== 6) {
      problems.push(`${fileName}: workdays: ${d} is a weekday already (only weekend days are 调休上班)`);
    }
  }
  if (problems.length > 0) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    arrangement: {
      year: year as number,
      source: `${fileName} (${(source as string).trim()})`,
      holidays: off,
      workdays: on,
    },
  };
}

/** A YAML date (a string, or the Date YAML 1.1 may make of it) as 'yyyy-MM-dd'; null when it is not one. */
function dayText(value: unknown): string | null {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : typeof value === 'string' ? value : null;
  if (text === null) {
    return null;
  }
  try {
    parseDay(text);
    return text;
  } catch {
    return null;
  }
}
