import { DataSource } from 'typeorm';
import { ClusterLocks } from '../platform';
import { SessionLocks } from './session-locks';

describe(SessionLocks.name, () => {
  it('runs work for one key one at a time, in order, even after a failure; other keys do not wait', async () => {
    // SQLite: one instance, the in-process queue (PostgreSQL's advisory locks: test/integration/cluster.spec.ts).
    const locks = new SessionLocks(new ClusterLocks(new DataSource({ type: 'better-sqlite3', database: ':memory:' })));
    const log: string[] = [];
    let release!: () => void;
    const first = locks.run('s1', async () => {
      log.push('s1:first:start');
      await new Promise<void>((r) => (release = r));
      log.push('s1:first:end');
      throw new Error('first failed');
    });
    const second = locks.run('s1', async () => (log.push('s1:second'), 2));
    const other = locks.run(SessionLocks.desk('A'), async () => (log.push('desk:A'), 'a'));
    await expect(other).resolves.toBe('a');
    expect(log).toEqual(['s1:first:start', 'desk:A']);
    release();
    await expect(first).rejects.toThrow('first failed');
    await expect(second).resolves.toBe(2);
    expect(log).toEqual(['s1:first:start', 'desk:A', 's1:first:end', 's1:second']);
    expect(locks.size).toBe(0);
  });

  it('keys a desk apart from any session id', () => {
    expect(SessionLocks.desk('门诊挂号1')).toBe('desk:门诊挂号1');
  });
});
