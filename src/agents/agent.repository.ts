import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SqlDialect } from '../platform';
import { Agent, AgentEvent } from './agents.entity';

/** The `agent` table: every read and write of desk agents. */
@Injectable()
export class AgentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(agent: Agent, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(Agent, agent);
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Agent | null> {
    return manager.findOne(Agent, { where: { id } });
  }

  /** By desk, then name; revoked agents only when asked. */
  async list(includeRevoked: boolean, manager: EntityManager = this.dataSource.manager): Promise<Agent[]> {
    return manager.find(Agent, {
      where: includeRevoked ? {} : { state: 'active' },
      order: { desk: 'ASC', name: 'ASC', createdAt: 'ASC' },
    });
  }

  /** Renames and/or moves an active agent; false when it is not (or no longer) active. */
  async change(
    id: string,
    fields: { name: string; desk: string; updatedAt: Date },
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await manager.update(Agent, { id, state: 'active' }, fields);
    return (result.affected ?? 0) > 0;
  }

  /** Revokes an active agent; false when it was already revoked (nothing changes then). */
  async revoke(
    id: string,
    revocation: { at: Date; by: string; reason: string },
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await manager.update(
      Agent,
      { id, state: 'active' },
      {
        state: 'revoked',
        revokedAt: revocation.at,
        revokedBy: revocation.by,
        revokedReason: revocation.reason,
        updatedAt: revocation.at,
      },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Records that the agent authenticated (when and from where), unless that was already recorded after
   * `staleBefore`: one cheap conditional statement, no cache, so every instance sees the same row.
   */
  async touch(
    id: string,
    seen: { at: Date; address: string | null; staleBefore: Date },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const dialect = SqlDialect.of(manager);
    const b = dialect.binder();
    const sql =
      `UPDATE agent SET last_seen_at = ${b.bind(seen.at)}, last_address = ${b.bind(seen.address)} ` +
      `WHERE id = ${b.bind(id)} AND state = 'active' AND (last_seen_at IS NULL OR last_seen_at < ${b.bind(seen.staleBefore)})`;
    await dialect.run(manager, sql, b.params);
  }

  /** The last journal seq recorded for the agent (0: none yet). */
  async lastEventSeq(id: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const d = SqlDialect.of(manager);
    const { rows } = await d.run(manager, `SELECT last_event_seq AS "seq" FROM agent WHERE id = ${d.p(1)}`, [id]);
    return Number(rows[0]?.seq ?? 0);
  }

  /**
   * Records `seq` as the last passed on, only if `seq − 1` was (two links of one agent on two instances
   * cannot both record it); false when that did not hold.
   */
  async advanceEventSeq(id: string, seq: number, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const d = SqlDialect.of(manager);
    const { affected } = await d.run(
      manager,
      `UPDATE agent SET last_event_seq = ${d.p(1)} WHERE id = ${d.p(2)} AND last_event_seq = ${d.p(3)}`,
      [seq, id, seq - 1],
    );
    return affected > 0;
  }

  /**
   * Records a durable event of the agent: `seq` advanced from `seq − 1` and the event stored, in one
   * transaction (so a crash cannot record one without the other). False, and nothing stored, when the
   * agent's last seq was not `seq − 1` (another link of this agent recorded it).
   */
  async recordDurableEvent(event: AgentEvent, manager: EntityManager): Promise<boolean> {
    if (!(await this.advanceEventSeq(event.agentId, event.seq, manager))) {
      return false;
    }
    await manager.insert(AgentEvent, event);
    return true;
  }

  /** The agent's durable events after `afterSeq`, in seq order. */
  async events(
    agentId: string,
    afterSeq: number,
    limit: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AgentEvent[]> {
    return manager
      .createQueryBuilder(AgentEvent, 'e')
      .where('e.agent_id = :agentId AND e.seq > :afterSeq', { agentId, afterSeq })
      .orderBy('e.seq', 'ASC')
      .limit(limit)
      .getMany();
  }
}
