import type { AgentDto } from './agents.dto';
import type { Agent } from './agents.entity';

/** Entity → response DTO, once for the capability. */
export function toAgentDto(agent: Agent): AgentDto {
  return {
    id: agent.id,
    name: agent.name,
    desk: agent.desk,
    state: agent.state,
    // The agent link (docs/agents.md) will say which agents are connected; until then none is.
    connected: false,
    lastSeenAt: iso(agent.lastSeenAt),
    lastAddress: agent.lastAddress,
    hostname: agent.hostname,
    agentVersion: agent.agentVersion,
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
    revokedAt: iso(agent.revokedAt),
    revokedReason: agent.revokedReason,
  };
}

function iso(at: Date | null): string | null {
  return at ? at.toISOString() : null;
}
