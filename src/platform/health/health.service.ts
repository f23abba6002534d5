import { Injectable } from '@nestjs/common';
import { ComponentHealth, ComponentStatus, HealthRegistry } from './health.registry';

export interface HealthReport {
  status: ComponentStatus;
  components: Record<string, ComponentHealth>;
}

/** A check that does not answer in time is reported down rather than hanging /health. */
const CHECK_TIMEOUT_MS = 3000;

@Injectable()
export class HealthService {
  constructor(private readonly registry: HealthRegistry) {}

  async report(): Promise<HealthReport> {
    const contributors = this.registry.list();
    const results = await Promise.all(contributors.map((c) => runCheck(c.check.bind(c))));
    const components: Record<string, ComponentHealth> = {};
    let status: ComponentStatus = 'up';
    contributors.forEach((c, i) => {
      const result = results[i];
      components[c.name] = result;
      if (result.status === 'down' && c.critical) {
        status = 'down';
      } else if (result.status !== 'up' && status === 'up') {
        status = 'degraded';
      }
    });
    return { status, components };
  }
}

async function runCheck(check: () => Promise<ComponentHealth>): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ComponentHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'down', detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([check(), timeout]);
  } catch (err) {
    return { status: 'down', detail: err instanceof Error ? err.message.slice(0, 200) : 'check failed' };
  } finally {
    clearTimeout(timer);
  }
}
