import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { AgentReportedStatus } from './link/link-messages';

/** An agent's last `agent-status` and when this instance received it. */
export interface AgentStatusReport {
  readonly status: AgentReportedStatus;
  readonly reportedAt: Date;
}

/**
 * Which agents have a link to this gateway now, what each last reported about itself, and the
 * registry's changes a link must act on at once (a revocation closes the agent's link; a move changes
 * the desk it speaks for). In memory, per instance: another instance's links are its own (GET
 * /api/v1/agents answers for the instance asked). A report is kept after its link closes, so the last
 * known figures stay visible (with `reportedAt` saying how old they are) until the agent reports again.
 */
@Injectable()
export class AgentPresence extends EventEmitter<{ revoked: [string]; changed: [string] }> {
  private readonly connected = new Map<string, Date>();
  private readonly reports = new Map<string, AgentStatusReport>();

  linked(agentId: string, at: Date): void {
    this.connected.set(agentId, at);
  }

  unlinked(agentId: string): void {
    this.connected.delete(agentId);
  }

  isConnected(agentId: string): boolean {
    return this.connected.has(agentId);
  }

  get count(): number {
    return this.connected.size;
  }

  /**
   * Keeps the agent's report. True when it carries an outage this instance had not been told of (the
   * link logs those once; the agent repeats its last outage in every report until the next one).
   */
  reported(agentId: string, status: AgentReportedStatus, at: Date): boolean {
    const earlier = this.reports.get(agentId)?.status.lastOutage ?? null;
    this.reports.set(agentId, { status, reportedAt: at });
    return isNewOutage(earlier, status.lastOutage);
  }

  /** The agent's last report to this instance, or null when it has not reported since this one started. */
  lastReport(agentId: string): AgentStatusReport | null {
    return this.reports.get(agentId) ?? null;
  }
}

/** Whether `now` names an outage other than `before` (the same outage has the same start and end). */
export function isNewOutage(
  before: AgentReportedStatus['lastOutage'],
  now: AgentReportedStatus['lastOutage'],
): boolean {
  if (now === null) {
    return false;
  }
  return before === null || before.from !== now.from || before.to !== now.to;
}
