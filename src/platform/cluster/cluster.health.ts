import { Injectable, OnModuleInit } from '@nestjs/common';
import { ComponentHealth, HealthContributor, HealthRegistry } from '../health/health.registry';
import { ClusterBus } from './cluster-bus';

/**
 * /health `cluster`: on PostgreSQL, whether this instance hears the others (its LISTEN connection);
 * degraded, not down, while it reconnects — the instance still serves, only other instances' desk
 * events miss it meanwhile. On SQLite: one instance, nothing to share.
 */
@Injectable()
export class ClusterHealth implements HealthContributor, OnModuleInit {
  readonly name = 'cluster';
  readonly critical = false;

  constructor(
    private readonly bus: ClusterBus,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  check(): Promise<ComponentHealth> {
    const s = this.bus.status;
    if (!s) {
      return Promise.resolve({
        status: 'up',
        detail: 'one instance (SQLite): locks, desk events and jobs in this process',
      });
    }
    return Promise.resolve({
      status: s.state === 'listening' ? 'up' : 'degraded',
      detail:
        s.state === 'listening'
          ? 'listening for the other instances (PostgreSQL LISTEN/NOTIFY)'
          : `LISTEN connection ${s.state}: desk events of other instances do not reach this one until it is back`,
      instanceId: this.bus.instanceId,
      listener: s.state,
      since: s.since.toISOString(),
      ...(s.state === 'listening' ? {} : { attempts: s.attempts, lastError: s.lastError }),
    });
  }
}
