import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/**
 * Which agents have a link to this gateway now, and the registry's changes a link must act on at once
 * (a revocation closes the agent's link; a move changes the desk it speaks for). In memory, per
 * instance: another instance's links are its own (GET /api/v1/agents answers for the instance asked).
 */
@Injectable()
export class AgentPresence extends EventEmitter<{ revoked: [string]; changed: [string] }> {
  private readonly connected = new Map<string, Date>();

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
}
