import { Injectable } from '@nestjs/common';

export type ComponentStatus = 'up' | 'degraded' | 'down';

export interface ComponentHealth {
  status: ComponentStatus;
  /** Short English description for IT staff, e.g. "sqlite /var/lib/gateway/gateway.sqlite". */
  detail?: string;
  [extra: string]: unknown;
}

export interface HealthContributor {
  /** Slot name in the /health body: database, upstream, devices, … */
  readonly name: string;
  /** A down critical component makes /health answer 503; a non-critical one only degrades it. */
  readonly critical: boolean;
  check(): Promise<ComponentHealth>;
}

/** Capabilities register what they want /health to report (upstream link, devices, …). */
@Injectable()
export class HealthRegistry {
  private readonly contributors = new Map<string, HealthContributor>();

  register(contributor: HealthContributor): void {
    if (this.contributors.has(contributor.name)) {
      throw new Error(`health slot ${contributor.name} is registered twice`);
    }
    this.contributors.set(contributor.name, contributor);
  }

  list(): HealthContributor[] {
    return [...this.contributors.values()];
  }
}
