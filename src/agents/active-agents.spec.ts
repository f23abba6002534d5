import { PinnedClock } from '../../test/support/pinned-clock';
import { ACTIVE_AGENTS_TTL_MS, ActiveAgents } from './active-agents';
import type { AgentRepository } from './agent.repository';
import type { Agent } from './agents.entity';

/** The registry's read, counted: the database is the boundary faked here. */
function registry(answers: Array<Agent[] | Error>): { repository: AgentRepository; queries: () => number } {
  let queries = 0;
  const repository = {
    list: (includeRevoked: boolean): Promise<Agent[]> => {
      expect(includeRevoked).toBe(false);
      const answer = answers[Math.min(queries++, answers.length - 1)];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as AgentRepository;
  return { repository, queries: () => queries };
}

const agent = (id: string): Agent => ({ id }) as Agent;

describe(ActiveAgents.name, () => {
  it('reads the registry once for concurrent and repeated callers within the TTL, then again', async () => {
    const clock = new PinnedClock(new Date('2026-12-03T02:00:00Z'));
    const { repository, queries } = registry([[agent('a1')], [agent('a1'), agent('a2')]]);
    const sut = new ActiveAgents(repository, clock);
    const [first, second] = await Promise.all([sut.list(), sut.list()]);
    expect(first).toEqual([agent('a1')]);
    expect(second).toBe(first);
    clock.advance(ACTIVE_AGENTS_TTL_MS - 1);
    expect(await sut.list()).toBe(first);
    expect(queries()).toBe(1);
    clock.advance(1);
    expect(await sut.list()).toEqual([agent('a1'), agent('a2')]);
    expect(queries()).toBe(2);
  });

  it('does not keep a failed read: the next caller asks again', async () => {
    const clock = new PinnedClock(new Date('2026-12-03T02:00:00Z'));
    const { repository, queries } = registry([new Error('database away'), [agent('a1')]]);
    const sut = new ActiveAgents(repository, clock);
    await expect(sut.list()).rejects.toThrow('database away');
    expect(await sut.list()).toEqual([agent('a1')]);
    expect(queries()).toBe(2);
  });

  it('reads again when the clock stepped back', async () => {
    const clock = new PinnedClock(new Date('2026-12-03T02:00:00Z'));
    const { repository, queries } = registry([[agent('a1')]]);
    const sut = new ActiveAgents(repository, clock);
    await sut.list();
    clock.advance(-60_000);
    await sut.list();
    expect(queries()).toBe(2);
  });
});
