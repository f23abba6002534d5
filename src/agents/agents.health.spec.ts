import type { Agent } from './agents.entity';
import { AGENT_MISSING_AFTER_MS, agentsHealth } from './agents.health';

const NOW = new Date('2026-12-03T02:00:00Z');
const agent = (id: string, desk: string, lastSeenAt: Date | null): Agent => ({
  id,
  name: `${desk} PC`,
  desk,
  state: 'active',
  credentialHash: 'x'.repeat(64),
  hostname: null,
  agentVersion: null,
  createdAt: NOW,
  updatedAt: NOW,
  revokedAt: null,
  revokedBy: null,
  revokedReason: null,
  lastSeenAt,
  lastAddress: null,
  lastEventSeq: 0,
});
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

describe(agentsHealth.name, () => {
  const here = (connected: string[], desks: string[], buffered: Record<string, number> = {}) => ({
    now: NOW,
    isConnected: (id: string) => connected.includes(id),
    bufferedScans: (id: string) => buffered[id] ?? null,
    desksWithDevices: new Set(desks),
  });

  it('is up with no agents', () => {
    expect(agentsHealth([], here([], ['西药房2']))).toEqual({
      status: 'up',
      detail: '0 agents, 0 connected here',
      agents: {},
    });
  });

  it('lists each agent: connected here, last seen, buffered scans as it last reported', () => {
    const health = agentsHealth(
      [agent('a1', '西药房2', ago(10_000)), agent('a2', '门诊挂号3', ago(60_000))],
      here(['a1'], ['西药房2', '门诊挂号3'], { a1: 4 }),
    );
    expect(health).toEqual({
      status: 'up',
      detail: '2 agents, 1 connected here',
      agents: {
        a1: {
          name: '西药房2 PC',
          desk: '西药房2',
          connected: true,
          lastSeenAt: ago(10_000).toISOString(),
          bufferedScans: 4,
        },
        a2: {
          name: '门诊挂号3 PC',
          desk: '门诊挂号3',
          connected: false,
          lastSeenAt: ago(60_000).toISOString(),
          bufferedScans: null,
        },
      },
    });
  });

  it('is degraded by an agent with devices neither connected here nor seen lately, naming its desk', () => {
    const stale = agent('a2', '门诊挂号3', ago(AGENT_MISSING_AFTER_MS + 1));
    const never = agent('a3', '门诊挂号4', null);
    const health = agentsHealth(
      [agent('a1', '西药房2', null), stale, never],
      here(['a1'], ['西药房2', '门诊挂号3', '门诊挂号4']),
    );
    expect(health.status).toBe('degraded');
    expect(health.detail).toBe(
      '3 agents, 1 connected here; not seen for 3 minutes, its desk cannot use its devices: 门诊挂号3 (门诊挂号3 PC), 门诊挂号4 (门诊挂号4 PC)',
    );
  });

  it('is up while an agent is seen lately (linked to another instance), or its desk has no devices on agents', () => {
    expect(agentsHealth([agent('a2', '门诊挂号3', ago(AGENT_MISSING_AFTER_MS))], here([], ['门诊挂号3'])).status).toBe(
      'up',
    );
    expect(agentsHealth([agent('a2', '门诊挂号3', null)], here([], ['西药房2'])).status).toBe('up');
  });
});
