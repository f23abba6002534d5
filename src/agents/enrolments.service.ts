import { Injectable } from '@nestjs/common';
import {
  AuditService,
  Clock,
  GatewayConfig,
  PiiCryptoService,
  type Principal,
  systemPrincipal,
  Transactions,
  uuidv7,
} from '../platform';
import { AgentEnrolmentRepository } from './agent-enrolment.repository';
import { deskProblems, nameProblems, ttlProblems } from './agent-input';
import { AgentRepository } from './agent.repository';
import { hashCredentialSecret, newCredential, newEnrolmentCode, normalizeEnrolmentCode } from './agent-credential';
import type { EnrolledAgentDto, EnrolmentCodeDto } from './agents.dto';
import type { Agent, AgentEnrolment } from './agents.entity';
import { AGENT_ERRORS, AGENT_MESSAGES } from './agents.errors';
import { AgentsMetrics } from './agents.metrics';

export interface EnrolmentRequest {
  desk: string;
  name?: string;
  ttlMinutes?: number;
}

export interface EnrolRequest {
  code: string;
  hostname?: string;
  agentVersion?: string;
}

type Refusal = 'AGENT_ENROLMENT_UNKNOWN' | 'AGENT_ENROLMENT_USED' | 'AGENT_ENROLMENT_EXPIRED';
type Exchange = { enrolled: EnrolledAgentDto } | { refusal: Refusal; enrolment: AgentEnrolment | null };

/** The domain of the enrolment code's keyed hash. */
const CODE_HASH_DOMAIN = 'agent.enrolment-code';

/**
 * Use case: IT creates a one-time enrolment code for a desk; a desk agent exchanges it, once and
 * before it expires, for its own credential. Both secrets are shown once and stored as hashes only.
 */
@Injectable()
export class EnrolmentsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly enrolments: AgentEnrolmentRepository,
    private readonly agents: AgentRepository,
    private readonly audit: AuditService,
    private readonly pii: PiiCryptoService,
    private readonly clock: Clock,
    private readonly config: GatewayConfig,
    private readonly metrics: AgentsMetrics,
  ) {}

  async create(request: EnrolmentRequest, by: Pick<Principal, 'type' | 'id'>): Promise<EnrolmentCodeDto> {
    const problems = [...deskProblems(request.desk), ...nameProblems(request.name), ...ttlProblems(request.ttlMinutes)];
    if (problems.length > 0) {
      throw AGENT_ERRORS.raise('AGENT_ENROLMENT_INVALID', { details: problems });
    }
    const code = newEnrolmentCode();
    const now = this.clock.now();
    const ttlMinutes = request.ttlMinutes ?? this.config.agents.enrolmentTtlMinutes;
    const enrolment: AgentEnrolment = {
      id: uuidv7(now.getTime()),
      codeHash: this.codeHash(code.replace('-', '')),
      desk: request.desk.trim(),
      name: request.name?.trim() || null,
      createdBy: by.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMinutes * 60_000),
      usedAt: null,
      usedByAgent: null,
    };
    await this.transactions.run(async (manager) => {
      await this.enrolments.insert(enrolment, manager);
      await this.audit.record(
        {
          actor: by,
          action: 'agent.enrolment.create',
          outcome: 'success',
          details: {
            enrolmentId: enrolment.id,
            desk: enrolment.desk,
            name: enrolment.name,
            expiresAt: enrolment.expiresAt.toISOString(),
          },
        },
        manager,
      );
    });
    return { code, desk: enrolment.desk, name: enrolment.name, expiresAt: enrolment.expiresAt.toISOString() };
  }

  /**
   * The agent's side: the code for a credential. Unknown, used and expired codes are each refused
   * with their own code, audited (with the caller's address) and counted; nothing else is stored.
   */
  async exchange(request: EnrolRequest, address: string | null): Promise<EnrolledAgentDto> {
    const normalized = normalizeEnrolmentCode(request.code);
    const outcome: Exchange = normalized
      ? await this.transactions.run(async (manager): Promise<Exchange> => {
          const now = this.clock.now();
          const enrolment = await this.enrolments.findByCodeHash(
            this.pii.hashes(normalized, CODE_HASH_DOMAIN),
            manager,
          );
          const refusal = this.refusalOf(enrolment, now);
          if (refusal || !enrolment) {
            return { refusal: refusal ?? 'AGENT_ENROLMENT_UNKNOWN', enrolment };
          }
          const agentId = uuidv7(now.getTime());
          if (!(await this.enrolments.claim(enrolment.id, agentId, now, manager))) {
            // Another exchange of the same code claimed it first (expiry was checked at this same `now`).
            return { refusal: 'AGENT_ENROLMENT_USED', enrolment: { ...enrolment, usedAt: now } };
          }
          const { credential, secret } = newCredential(agentId);
          const agent = this.newAgent(agentId, enrolment, request, hashCredentialSecret(secret), now);
          await this.agents.insert(agent, manager);
          await this.audit.record(
            {
              actor: systemPrincipal(`agent:${agentId}`),
              action: 'agent.enrol',
              outcome: 'success',
              details: { agentId, enrolmentId: enrolment.id, desk: agent.desk, name: agent.name, address },
            },
            manager,
          );
          return { enrolled: { agentId, credential, desk: agent.desk, name: agent.name } };
        })
      : { refusal: 'AGENT_ENROLMENT_UNKNOWN', enrolment: null };
    if ('enrolled' in outcome) {
      this.metrics.enrolment('enrolled');
      return outcome.enrolled;
    }
    await this.refuse(outcome.refusal, outcome.enrolment, address);
    throw AGENT_ERRORS.raise(outcome.refusal, { message: this.refusalMessage(outcome.refusal, outcome.enrolment) });
  }

  private refusalOf(enrolment: AgentEnrolment | null, now: Date): Refusal | undefined {
    if (!enrolment) {
      return 'AGENT_ENROLMENT_UNKNOWN';
    }
    if (enrolment.usedAt) {
      return 'AGENT_ENROLMENT_USED';
    }
    return enrolment.expiresAt.getTime() <= now.getTime() ? 'AGENT_ENROLMENT_EXPIRED' : undefined;
  }

  private refusalMessage(refusal: Refusal, enrolment: AgentEnrolment | null): string | undefined {
    if (refusal === 'AGENT_ENROLMENT_EXPIRED' && enrolment) {
      return AGENT_MESSAGES.expired(enrolment.expiresAt);
    }
    if (refusal === 'AGENT_ENROLMENT_USED' && enrolment?.usedAt) {
      return AGENT_MESSAGES.used(enrolment.usedAt);
    }
    return undefined;
  }

  /** A refused exchange: audited in its own transaction (the exchange wrote nothing) and counted. */
  private async refuse(refusal: Refusal, enrolment: AgentEnrolment | null, address: string | null): Promise<void> {
    this.metrics.enrolment('refused', refusal);
    await this.audit.record({
      actor: systemPrincipal('agents.enrol'),
      action: 'agent.enrol',
      outcome: 'denied',
      details: { code: refusal, enrolmentId: enrolment?.id ?? null, desk: enrolment?.desk ?? null, address },
    });
  }

  private newAgent(
    id: string,
    enrolment: AgentEnrolment,
    request: EnrolRequest,
    credentialHash: string,
    now: Date,
  ): Agent {
    const hostname = request.hostname?.trim().slice(0, 100) || null;
    return {
      id,
      name: enrolment.name ?? hostname ?? enrolment.desk,
      desk: enrolment.desk,
      state: 'active',
      credentialHash,
      hostname,
      agentVersion: request.agentVersion?.trim().slice(0, 40) || null,
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
      revokedBy: null,
      revokedReason: null,
      lastSeenAt: null,
      lastEventSeq: 0,
      lastAddress: null,
    };
  }

  private codeHash(normalizedCode: string): string {
    return this.pii.hash(normalizedCode, CODE_HASH_DOMAIN);
  }
}
