import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * The agent link: `agent.last_event_seq`, the last journal seq of the agent's durable events (trace-code
 * scans) the centre has passed on — what the welcome tells a reconnecting agent, so it resends only
 * what follows (exactly once, in order; src/agents/link/inbound-sequence.ts).
 */
export class AgentLink1765670400000 implements MigrationInterface {
  name = 'AgentLink1765670400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('agent', new TableColumn({ name: 'last_event_seq', type: 'bigint', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('agent', 'last_event_seq');
  }
}
