import { IsInt, Max, Min } from 'class-validator';

/**
 * `auditResults:` — how the gateway asks the insurer for its audit results (R18, 3501): how often the
 * job runs, how many settlements a run asks about, and the polite schedule per settlement
 * (rules/check-schedule.ts).
 */
export class AuditResultsConfig {
  /** How often the job runs (milliseconds): opens the duties of new settlements and asks those due. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(10_000, { message: 'expected at least 10000 ms' })
  @Max(86_400_000, { message: 'expected at most 86400000 ms (a day)' })
  intervalMs: number;

  /** Settlements asked about per run at most (the next run takes the rest). */
  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected at least 1' })
  @Max(1000, { message: 'expected at most 1000' })
  batchSize: number;

  /** The first question this long after settling (hours): the insurer needs time to audit. */
  @IsInt({ message: 'expected a whole number of hours' })
  @Min(0, { message: 'expected at least 0 hours' })
  @Max(720, { message: 'expected at most 720 hours (30 days)' })
  firstCheckAfterHours: number;

  /** Then once per this many hours while there is no result. */
  @IsInt({ message: 'expected a whole number of hours' })
  @Min(1, { message: 'expected at least 1 hour' })
  @Max(720, { message: 'expected at most 720 hours' })
  checkIntervalHours: number;

  /** Every this many hours from `nearDueDays` before the insurer's due day to the due day. */
  @IsInt({ message: 'expected a whole number of hours' })
  @Min(1, { message: 'expected at least 1 hour' })
  @Max(720, { message: 'expected at most 720 hours' })
  nearDueCheckIntervalHours: number;

  @IsInt({ message: 'expected a whole number of days' })
  @Min(0, { message: 'expected at least 0 days' })
  @Max(30, { message: 'expected at most 30 days' })
  nearDueDays: number;

  /** After a result, the insurer may amend it: asked again until this many days after the settlement. */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(0, { message: 'expected at least 0 days' })
  @Max(3650, { message: 'expected at most 3650 days' })
  amendmentWatchDays: number;

  /** …once per this many hours. */
  @IsInt({ message: 'expected a whole number of hours' })
  @Min(1, { message: 'expected at least 1 hour' })
  @Max(8760, { message: 'expected at most 8760 hours (a year)' })
  amendmentCheckIntervalHours: number;

  /** The insurer unreachable or answering nonsense: asked again after this many minutes. */
  @IsInt({ message: 'expected a whole number of minutes' })
  @Min(1, { message: 'expected at least 1 minute' })
  @Max(1440, { message: 'expected at most 1440 minutes (a day)' })
  retryAfterMinutes: number;
}

declare module '../../platform/config/gateway-config' {
  interface GatewayConfig {
    auditResults: AuditResultsConfig;
  }
}
