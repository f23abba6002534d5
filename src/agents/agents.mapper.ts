import type { AgentStatusReport } from './agent-presence';
import type { AgentDto, AgentStatusDto } from './agents.dto';
import type { Agent } from './agents.entity';

/** Entity → response DTO, once for the capability. */
/**
 * `connected`: the agent has a link to this gateway instance now; `report`: its last agent-status to
 * this instance (AgentPresence).
 */
export function toAgentDto(agent: Agent, connected = false, report: AgentStatusReport | null = null): AgentDto {
  return {
    id: agent.id,
    name: agent.name,
    desk: agent.desk,
    state: agent.state,
    connected,
    status: report === null ? null : toAgentStatusDto(report),
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

export function toAgentStatusDto({ status, reportedAt }: AgentStatusReport): AgentStatusDto {
  return {
    bufferedScans: status.bufferedScans,
    journalFillPercent: status.journalFillPercent,
    droppedReads: status.droppedReads,
    lastOutage: status.lastOutage === null ? null : { ...status.lastOutage },
    startedAt: status.startedAt,
    reportedAt: reportedAt.toISOString(),
  };
}

function iso(at: Date | null): string | null {
  return at ? at.toISOString() : null;
}
