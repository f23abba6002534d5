import { Injectable } from '@nestjs/common';
import { AuditService, Clock, type Principal, Transactions } from '../platform';
import { credentialSecretMatches, parseCredential } from './agent-credential';
import { deskProblems, nameProblems } from './agent-input';
import { AgentRepository } from './agent.repository';
import type { AgentDto, AgentEventDto } from './agents.dto';
import type { Agent } from './agents.entity';
import { AGENT_ERRORS, AGENT_MESSAGES, type AgentRefusalCode } from './agents.errors';
import { toAgentDto } from './agents.mapper';
import { AgentsMetrics } from './agents.metrics';
import { AgentPresence } from './agent-presence';

/** The agent an accepted credential belongs to. */
export interface AuthenticatedAgent {
  id: string;
  name: string;
  desk: string;
}

export type AgentAuthentication =
  { ok: true; agent: AuthenticatedAgent } | { ok: false; code: AgentRefusalCode; message: string };

export interface AgentChange {
  name?: string;
  desk?: string;
}

/** last_seen_at is written at most this often per agent (one conditional UPDATE, no cache). */
const LAST_SEEN_REFRESH_MS = 60_000;

/**
 * Use case: the central registry of desk agents — who they are, which desk they serve, whether their
 * credential is still good. Every change is audited in its transaction. Authentication reads the row
 * every time (no cache), so a revocation refuses the agent on the very next authentication, on every
 * gateway instance sharing the database.
 */
@Injectable()
export class AgentsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly agents: AgentRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly metrics: AgentsMetrics,
    private readonly presence: AgentPresence,
  ) {}

  private dto(agent: Agent): AgentDto {
    return toAgentDto(agent, this.presence.isConnected(agent.id), this.presence.lastReport(agent.id));
  }

  async list(includeRevoked = false): Promise<AgentDto[]> {
    return (await this.agents.list(includeRevoked)).map((a) => this.dto(a));
  }

  async get(id: string): Promise<AgentDto> {
    return this.dto(await this.existing(id));
  }

  /** The agent's durable events (trace-code scans from its journal) the centre received, in seq order. */
  async events(id: string, afterSeq: number, limit: number): Promise<AgentEventDto[]> {
    await this.existing(id);
    return (await this.agents.events(id, afterSeq, limit)).map((e) => ({
      seq: Number(e.seq),
      desk: e.desk,
      deviceId: e.deviceId,
      kind: e.kind,
      text: e.text,
      scannedAt: e.scannedAt.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      replayed: e.replayed === true || (e.replayed as unknown) === 1,
    }));
  }

  /** Renames and/or moves an agent to another desk: one audit entry per kind of change. */
  async change(id: string, change: AgentChange, by: Pick<Principal, 'type' | 'id'>): Promise<AgentDto> {
    const changed = await this.changed(id, change, by);
    // A link speaks for the agent's desk: after a move it reconnects and is welcomed at the new one.
    this.presence.emit('changed', id);
    return changed;
  }

  private async changed(id: string, change: AgentChange, by: Pick<Principal, 'type' | 'id'>): Promise<AgentDto> {
    const problems = [...(change.desk === undefined ? [] : deskProblems(change.desk)), ...nameProblems(change.name)];
    if (change.name === undefined && change.desk === undefined) {
      problems.push({ message: '请至少给出新的名称（name）或工位（desk）' });
    }
    if (problems.length > 0) {
      throw AGENT_ERRORS.raise('AGENT_CHANGE_INVALID', { details: problems });
    }
    return this.transactions.run(async (manager) => {
      const agent = await this.existing(id, manager);
      const name = change.name?.trim() ?? agent.name;
      const desk = change.desk?.trim() ?? agent.desk;
      if (name === agent.name && desk === agent.desk) {
        return this.dto(agent);
      }
      const now = this.clock.now();
      if (!(await this.agents.change(id, { name, desk, updatedAt: now }, manager))) {
        throw AGENT_ERRORS.raise('AGENT_ALREADY_REVOKED', { message: AGENT_MESSAGES.alreadyRevoked(id) });
      }
      if (name !== agent.name) {
        await this.audit.record(
          {
            actor: by,
            action: 'agent.rename',
            outcome: 'success',
            details: { agentId: id, from: agent.name, to: name },
          },
          manager,
        );
      }
      if (desk !== agent.desk) {
        await this.audit.record(
          { actor: by, action: 'agent.move', outcome: 'success', details: { agentId: id, from: agent.desk, to: desk } },
          manager,
        );
      }
      return this.dto({ ...agent, name, desk, updatedAt: now });
    });
  }

  /** Revokes an agent at once; revoking a revoked agent again changes nothing and answers it as it is. */
  async revoke(id: string, reason: string, by: Pick<Principal, 'type' | 'id'>): Promise<AgentDto> {
    const revoked = await this.revoked(id, reason, by);
    // Its link to this instance closes now; other instances' links see it at their next check.
    this.presence.emit('revoked', id);
    return revoked;
  }

  private async revoked(id: string, reason: string, by: Pick<Principal, 'type' | 'id'>): Promise<AgentDto> {
    const why = reason.trim();
    if (why.length < 1 || why.length > 200) {
      throw AGENT_ERRORS.raise('AGENT_CHANGE_INVALID', {
        details: [{ field: 'reason', message: '请写明吊销原因（1 到 200 个字符）' }],
      });
    }
    return this.transactions.run(async (manager) => {
      const agent = await this.existing(id, manager);
      const at = this.clock.now();
      if (!(await this.agents.revoke(id, { at, by: by.id, reason: why }, manager))) {
        return this.dto(agent);
      }
      await this.audit.record(
        {
          actor: by,
          action: 'agent.revoke',
          outcome: 'success',
          details: { agentId: id, desk: agent.desk, name: agent.name, reason: why },
        },
        manager,
      );
      return this.dto({
        ...agent,
        state: 'revoked',
        revokedAt: at,
        revokedBy: by.id,
        revokedReason: why,
        updatedAt: at,
      });
    });
  }

  /**
   * What the agent link calls when an agent connects: the active agent the credential belongs to, or
   * the refusal to send it (AGENT_UNKNOWN: not a credential, no such agent, or a wrong secret;
   * AGENT_REVOKED). Reads the row every time; records when and from where it was last seen.
   */
  async authenticate(credential: string, address: string | null = null): Promise<AgentAuthentication> {
    const parsed = parseCredential(credential);
    const agent = parsed ? await this.agents.findById(parsed.agentId) : null;
    if (!parsed || !agent || !credentialSecretMatches(parsed.secret, agent.credentialHash)) {
      return this.refusal('AGENT_UNKNOWN');
    }
    if (agent.state !== 'active') {
      return this.refusal('AGENT_REVOKED');
    }
    const now = this.clock.now();
    await this.agents.touch(agent.id, {
      at: now,
      address: address?.slice(0, 64) ?? null,
      staleBefore: new Date(now.getTime() - LAST_SEEN_REFRESH_MS),
    });
    return { ok: true, agent: { id: agent.id, name: agent.name, desk: agent.desk } };
  }

  private refusal(code: AgentRefusalCode): AgentAuthentication {
    this.metrics.refused(code);
    return { ok: false, code, message: AGENT_ERRORS.message(code) };
  }

  private async existing(id: string, manager = this.transactions.reader): Promise<Agent> {
    const agent = await this.agents.findById(id, manager);
    if (!agent) {
      throw AGENT_ERRORS.raise('AGENT_NOT_FOUND', { message: AGENT_MESSAGES.notFound(id) });
    }
    return agent;
  }
}
