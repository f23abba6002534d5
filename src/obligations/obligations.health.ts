import { Injectable, OnModuleInit } from '@nestjs/common';
import { type ComponentHealth, type HealthContributor, HealthRegistry } from '../platform';
import { ObligationsService } from './obligations.service';

/**
 * Duties in /health (`obligations`, not critical): degraded while any duty of the hospital is
 * overdue (its day passed, neither fulfilled nor waived), naming how many of each kind and the
 * earliest due day. The insurer's overdue duties (R18 audit results) are reported, not degrading.
 */
@Injectable()
export class ObligationsHealth implements HealthContributor, OnModuleInit {
  readonly name = 'obligations';
  readonly critical = false;

  constructor(
    private readonly obligations: ObligationsService,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<ComponentHealth> {
    const counts = await this.obligations.counts();
    const overdue: Record<string, number> = {};
    const insurerOverdue: Record<string, number> = {};
    let open = 0;
    for (const c of counts) {
      if (c.state === 'open') {
        open += c.count;
      }
      if (c.overdue > 0) {
        const into = c.owedBy === 'hospital' ? overdue : insurerOverdue;
        into[c.kind] = (into[c.kind] ?? 0) + c.overdue;
      }
    }
    const total = Object.values(overdue).reduce((a, b) => a + b, 0);
    const describe = (by: Record<string, number>): string =>
      Object.entries(by)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
    return {
      status: total > 0 ? 'degraded' : 'up',
      detail:
        total > 0
          ? `${total} duty(ies) overdue: ${describe(overdue)} — see GET /api/v1/obligations?overdue=true or \`gateway obligations list --overdue\``
          : `no duty overdue; ${open} open`,
      overdue,
      open,
      ...(Object.keys(insurerOverdue).length > 0 ? { insurerOverdue } : {}),
    };
  }
}
