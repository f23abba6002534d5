import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock, type ComponentHealth, type HealthContributor, HealthRegistry } from '../platform';
import { DeviceRegistry } from '../devices/device-registry';
import { ActiveAgents } from './active-agents';
import { AgentPresence } from './agent-presence';
import type { Agent } from './agents.entity';

/**
 * An agent not connected here and not seen for this long is missing. Agents re-authenticate at every
 * ping (30 s) on whichever instance holds their link, and last_seen_at is written at most once a
 * minute: a linked agent is never more than about 90 s behind.
 */
export const AGENT_MISSING_AFTER_MS = 3 * 60_000;

export interface AgentHealthView {
  name: string;
  desk: string;
  connected: boolean;
  lastSeenAt: string | null;
  bufferedScans: number | null;
}

/**
 * Desk agents in /health (non-critical: a missing agent takes its desk's devices away, not the
 * gateway): degraded when an active agent whose desk has agent-hosted devices is neither linked to
 * this instance nor seen recently (by any instance) — that desk cannot read cards or scan.
 */
@Injectable()
export class AgentsHealth implements HealthContributor, OnModuleInit {
  readonly name = 'agents';
  readonly critical = false;

  constructor(
    private readonly active: ActiveAgents,
    private readonly presence: AgentPresence,
    private readonly devices: DeviceRegistry,
    private readonly clock: Clock,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<ComponentHealth> {
    const agents = await this.active.list();
    const desksWithDevices = new Set(
      this.devices
        .list()
        .filter((d) => d.host === 'agent')
        .map((d) => d.desk),
    );
    return agentsHealth(agents, {
      now: this.clock.now(),
      isConnected: (id) => this.presence.isConnected(id),
      bufferedScans: (id) => this.presence.lastReport(id)?.status.bufferedScans ?? null,
      desksWithDevices,
    });
  }
}

/** The agents component of /health, from the active agents and what this instance knows of them. */
export function agentsHealth(
  agents: readonly Agent[],
  here: {
    now: Date;
    isConnected(agentId: string): boolean;
    bufferedScans(agentId: string): number | null;
    desksWithDevices: ReadonlySet<string>;
  },
): ComponentHealth {
  const seenSince = here.now.getTime() - AGENT_MISSING_AFTER_MS;
  const views: Record<string, AgentHealthView> = {};
  const missing: string[] = [];
  let connected = 0;
  for (const agent of agents) {
    const linked = here.isConnected(agent.id);
    connected += linked ? 1 : 0;
    views[agent.id] = {
      name: agent.name,
      desk: agent.desk,
      connected: linked,
      lastSeenAt: agent.lastSeenAt?.toISOString() ?? null,
      bufferedScans: here.bufferedScans(agent.id),
    };
    const seenLately = agent.lastSeenAt !== null && agent.lastSeenAt.getTime() >= seenSince;
    if (!linked && !seenLately && here.desksWithDevices.has(agent.desk)) {
      missing.push(`${agent.desk} (${agent.name})`);
    }
  }
  const count = `${agents.length} agent${agents.length === 1 ? '' : 's'}, ${connected} connected here`;
  return {
    status: missing.length === 0 ? 'up' : 'degraded',
    detail:
      missing.length === 0
        ? count
        : `${count}; not seen for ${AGENT_MISSING_AFTER_MS / 60_000} minutes, its desk cannot use its devices: ${missing.join(', ')}`,
    agents: views,
  };
}
