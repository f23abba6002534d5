import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * `agent_event`: every durable event (a trace-code scan from an agent's journal) the centre received,
 * once, by (agent, seq), with the scan time the agent recorded and when it arrived. Written in the
 * same transaction that advances `agent.last_event_seq`: the record and "received" cannot part.
 */
export class AgentEvents1765756800000 implements MigrationInterface {
  name = 'AgentEvents1765756800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'agent_event',
        columns: [
          { name: 'agent_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'bigint', isPrimary: true },
          { name: 'desk', type: 'varchar', length: '40' },
          { name: 'device_id', type: 'varchar', length: '64' },
          { name: 'kind', type: 'varchar', length: '24' },
          { name: 'text', type: 'varchar', length: '512' },
          { name: 'scanned_at', type: ts },
          { name: 'received_at', type: ts },
          { name: 'replayed', type: 'boolean' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'agent_event',
      new TableIndex({ name: 'ix_agent_event_received', columnNames: ['received_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('agent_event');
  }
}
