import type { GatewayFeature } from '../platform';
import { AgentsConfig } from './agents.config';
import { AGENT_ENTITIES } from './agents.entity';
import { AGENT_LOCAL_ERRORS } from './agent-local.errors';
import { AGENT_ERRORS } from './agents.errors';
import { Agents1765584000000 } from './migrations/1765584000000-Agents';
import { AgentLink1765670400000 } from './migrations/1765670400000-AgentLink';
import { AgentEvents1765756800000 } from './migrations/1765756800000-AgentEvents';

export const AGENTS_FEATURE: GatewayFeature = {
  name: 'agents',
  entities: AGENT_ENTITIES,
  migrations: [Agents1765584000000, AgentLink1765670400000, AgentEvents1765756800000],
  config: [{ key: 'agents', type: AgentsConfig }],
  errors: [AGENT_ERRORS, AGENT_LOCAL_ERRORS],
};
