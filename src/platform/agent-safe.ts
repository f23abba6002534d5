/**
 * The platform's framework-free part: what code that also runs in the desk agent (no Nest, no TypeORM,
 * no database driver: docs/agents.md, "Running the agent") may import. The second public entry into
 * src/platform beside the barrel (index.ts), which loads the whole platform.
 */
export { CONFIG_TEXT } from './config/gateway-config';
export { beijingClock, beijingDateTime, beijingDay, beijingMinute } from './beijing-time';
