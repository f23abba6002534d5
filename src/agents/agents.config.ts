import { IsInt, Max, Min } from 'class-validator';

/** The longest an enrolment code may live: a day (a code is a credential until it is used). */
export const MAX_ENROLMENT_TTL_MINUTES = 1440;

/** `agents:` — desk agents (docs/agents.md). */
export class AgentsConfig {
  /** How long an enrolment code IT creates stays usable, unless the request says otherwise (minutes). */
  @IsInt({ message: 'expected a whole number of minutes' })
  @Min(1, { message: 'expected at least 1 minute' })
  @Max(MAX_ENROLMENT_TTL_MINUTES, { message: `expected at most ${MAX_ENROLMENT_TTL_MINUTES} minutes (24 hours)` })
  enrolmentTtlMinutes: number;
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    agents: AgentsConfig;
  }
}
