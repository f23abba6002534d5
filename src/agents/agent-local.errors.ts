import { errorCatalogue } from '../platform';
import { AGENT_LOCAL_ERROR_ENTRIES } from './agent/local-errors';

/**
 * The refusals of the desk agent's localhost server (status page and reader service on the desk PC),
 * registered with the gateway's catalogues so docs/errors.md lists them. The agent itself uses the
 * plain entries (src/agents/agent/local-errors.ts) and never loads the platform.
 */
export const AGENT_LOCAL_ERRORS = errorCatalogue('agent-local', AGENT_LOCAL_ERROR_ENTRIES);
