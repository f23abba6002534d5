import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { SqlDialect } from '../platform';
import { AgentEnrolment } from './agents.entity';

/** The `agent_enrolment` table: one-time enrolment codes (their hashes). */
@Injectable()
export class AgentEnrolmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(enrolment: AgentEnrolment, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(AgentEnrolment, enrolment);
  }

  /** `codeHashes`: the code's hash under every lookup key of the keyring (a code issued before a rotation still enrols). */
  async findByCodeHash(
    codeHashes: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AgentEnrolment | null> {
    return manager.findOne(AgentEnrolment, { where: { codeHash: In([...codeHashes]) } });
  }

  /**
   * Marks the code used by `agentId` if it is still unused and unexpired at `at`: one conditional
   * UPDATE, so of two exchanges of the same code exactly one wins (on PostgreSQL the second waits for
   * the first's row lock, then finds `used_at` set; SQLite has one writer). False: it lost, or the
   * code expired meanwhile.
   */
  async claim(id: string, agentId: string, at: Date, manager: EntityManager): Promise<boolean> {
    const dialect = SqlDialect.of(manager);
    const b = dialect.binder();
    const sql =
      `UPDATE agent_enrolment SET used_at = ${b.bind(at)}, used_by_agent = ${b.bind(agentId)} ` +
      `WHERE id = ${b.bind(id)} AND used_at IS NULL AND expires_at > ${b.bind(at)}`;
    const { affected } = await dialect.run(manager, sql, b.params);
    return affected > 0;
  }
}
