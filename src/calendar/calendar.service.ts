import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock, type ComponentHealth, GatewayConfig, type HealthContributor, HealthRegistry } from '../platform';
import { CALENDAR_HORIZON_DAYS, calendarDir, loadCalendar, unknownYearsMessage } from './calendar-loader';
import { beijingDay, type CountedDate, type WorkingDayCalendar } from './rules/working-days';

/**
 * The working-day calendar of this gateway (chinese-days plus config/calendar/<year>.yaml), loaded
 * at start. What the duties with deadlines count on; in /health (`calendar`, not critical): degraded
 * while a year within the next 60 days is not known, with the file to add; said in the start-up log too.
 */
@Injectable()
export class CalendarService implements HealthContributor, OnModuleInit {
  readonly name = 'calendar';
  readonly critical = false;
  private readonly logger = new Logger(CalendarService.name);
  readonly calendar: WorkingDayCalendar;
  private readonly dir: string;

  constructor(
    config: GatewayConfig,
    private readonly clock: Clock,
    private readonly registry: HealthRegistry,
  ) {
    this.dir = calendarDir(config);
    // The config check refused bad files before start; a file broken since is reported, never half-read.
    const { calendar, problems } = loadCalendar(this.dir);
    if (problems.length > 0) {
      throw new Error(`calendar: ${problems.join('; ')}`);
    }
    this.calendar = calendar;
  }

  onModuleInit(): void {
    this.registry.register(this);
    const unknown = this.unknownYears();
    if (unknown.length > 0) {
      this.logger.warn(unknownYearsMessage(unknown, this.dir));
    }
  }

  /** The `n`th working day after the Beijing day of `at`. */
  workingDaysAfter(at: Date, n: number): CountedDate {
    return this.calendar.addWorkingDays(beijingDay(at), n);
  }

  /** Years within the next 60 days (Beijing time) the calendar does not know. */
  unknownYears(): number[] {
    return this.calendar.unknownYearsWithin(beijingDay(this.clock.now()), CALENDAR_HORIZON_DAYS);
  }

  async check(): Promise<ComponentHealth> {
    const unknown = this.unknownYears();
    const known = this.calendar.knownYears();
    return {
      status: unknown.length > 0 ? 'degraded' : 'up',
      detail:
        unknown.length > 0
          ? unknownYearsMessage(unknown, this.dir)
          : `holidays known for ${known[0]}–${known[known.length - 1]}`,
      knownUntil: known[known.length - 1] ?? null,
      unknownYears: unknown,
    };
  }
}
