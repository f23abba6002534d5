import type { AgentDto } from './agents.dto';
import type { Agent } from './agents.entity';

/** Entity → response DTO, once for the capability. */
/** `connected`: the agent has a link to this gateway instance now (AgentPresence). */
export function toAgentDto(agent: Agent, connected = false): AgentDto {
  return {
    id: agent.id,
    name: agent.name,
    desk: agent.desk,
    state: agent.state,
    connected,
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
