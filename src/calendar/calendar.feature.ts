import type { ConfigCheck, GatewayConfig, GatewayFeature } from '../platform';
import { CalendarConfig } from './calendar.config';
import { CALENDAR_HORIZON_DAYS, calendarDir, loadCalendar, unknownYearsMessage } from './calendar-loader';
import { beijingDay } from './rules/working-days';

/** A bad year file stops the gateway (every problem named); a year not known within the horizon warns. */
function checkCalendarConfig(config: GatewayConfig): ConfigCheck {
  const dir = calendarDir(config);
  const { calendar, problems } = loadCalendar(dir);
  const unknown = calendar.unknownYearsWithin(beijingDay(new Date()), CALENDAR_HORIZON_DAYS);
  return {
    issues: problems.map((p) => ({ key: 'calendar.dir', value: config.calendar.dir, expected: p })),
    warnings: unknown.length > 0 ? [unknownYearsMessage(unknown, dir)] : [],
  };
}

export const CALENDAR_FEATURE: GatewayFeature = {
  name: 'calendar',
  config: [{ key: 'calendar', type: CalendarConfig }],
  checkConfig: checkCalendarConfig,
};
