import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JobRunner } from '../platform';
import { ObligationsService } from './obligations.service';

export const OBLIGATIONS_DEADLINES_JOB = 'obligations.deadlines';
/** Every minute: a duty becomes late within a minute of Beijing midnight after its day. */
export const DEADLINES_INTERVAL_MS = 60_000;

/**
 * Marks duties late once their due day has passed (open → late, logged). Idempotent (an UPDATE …
 * WHERE state = 'open'), so two instances running it at once change each duty once.
 */
@Injectable()
export class ObligationsJob implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobRunner,
    private readonly obligations: ObligationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.register({
      name: OBLIGATIONS_DEADLINES_JOB,
      intervalMs: DEADLINES_INTERVAL_MS,
      runAtStart: true,
      run: () => this.obligations.markLate(),
    });
  }
}
