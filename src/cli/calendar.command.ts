import type { GatewayConfig } from '../platform';
import { calendarDir, CALENDAR_HORIZON_DAYS, loadCalendar, unknownYearsMessage } from '../calendar/calendar-loader';
import { beijingDay, type CalendarDay } from '../calendar/rules/working-days';
import { CliError, CliOutput } from './cli-io';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
const KIND: Record<CalendarDay['kind'], string> = {
  workday: '工作日',
  weekend: '休息日',
  holiday: '节假日',
  'adjusted-workday': '调休上班',
};

/** `calendar show YYYY-MM`: every day of a month as the gateway counts it, and whether that is confirmed. */
export function calendarCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: readonly string[],
  out: CliOutput,
  now: Date = new Date(),
): number {
  const month = rest[0] ?? '';
  if (sub !== 'show' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    throw new CliError('use: calendar show YYYY-MM (e.g. calendar show 2027-01)');
  }
  const dir = calendarDir(config);
  const { calendar, problems } = loadCalendar(dir);
  if (problems.length > 0) {
    out.error(`calendar files with problems (not used):\n  ${problems.join('\n  ')}`);
    return 1;
  }
  const days = calendar.month(month);
  const arrangement = calendar.arrangement(Number(month.slice(0, 4)));
  out.log(
    arrangement
      ? `${month}: holidays from ${arrangement.source}`
      : `${month}: UNCONFIRMED — the calendar does not know ${month.slice(0, 4)}: Monday–Friday counted as working days. Add ${dir}/${month.slice(0, 4)}.yaml (docs/calendar.md)`,
  );
  for (const d of days) {
    const weekday = WEEKDAYS[new Date(`${d.date}T00:00:00Z`).getUTCDay()];
    out.log(
      `  ${d.date} 周${weekday}  ${KIND[d.kind]}${d.name ? `（${d.name}）` : ''}${d.confirmed ? '' : '  未确认'}`,
    );
  }
  const working = days.filter((d) => d.working).length;
  out.log(`${working} working days${arrangement ? '' : ' (unconfirmed)'}`);
  const unknown = calendar.unknownYearsWithin(beijingDay(now), CALENDAR_HORIZON_DAYS);
  if (unknown.length > 0) {
    out.error(`warning: ${unknownYearsMessage(unknown, dir)}`);
  }
  return 0;
}
