import { Injectable } from '@nestjs/common';
import { Clock } from '../platform';
import { AgentRepository } from './agent.repository';
import type { Agent } from './agents.entity';

/** How long /health and /metrics reuse one read of the active agents. */
export const ACTIVE_AGENTS_TTL_MS = 5_000;

/**
 * The active agents for /health and /metrics: one query, reused for a few seconds, so a monitor
 * polling both every second does not read the registry twice a second (concurrent callers share the
 * query in flight). What it answers is at most ACTIVE_AGENTS_TTL_MS old.
 */
@Injectable()
export class ActiveAgents {
  private cached: { at: number; agents: Promise<Agent[]> } | undefined;

  constructor(
    private readonly repository: AgentRepository,
    private readonly clock: Clock,
  ) {}

  list(): Promise<Agent[]> {
    const now = this.clock.now().getTime();
    if (this.cached === undefined || now - this.cached.at >= ACTIVE_AGENTS_TTL_MS || now < this.cached.at) {
      const agents = this.repository.list(false);
      this.cached = { at: now, agents };
      // A failed query is not kept: the next caller asks again.
      agents.catch(() => {
        if (this.cached?.agents === agents) {
          this.cached = undefined;
        }
      });
    }
    return this.cached.agents;
  }
}
