import { AGENTS_FEATURE } from './agents/agents.feature';
import { CALENDAR_FEATURE } from './calendar/calendar.feature';
import { DEVICES_FEATURE } from './devices/devices.feature';
import { FORMS_FEATURE } from './forms/forms.feature';
import { IDENTITY_FEATURE } from './identity/identity.feature';
import { OBLIGATIONS_FEATURE } from './obligations/obligations.feature';
import { databaseSchema, DatabaseSchema, GatewayFeature, PLATFORM_FEATURE } from './platform';
import { REFERENCE_FEATURE } from './reference/reference.feature';
import { SETTLEMENT_FEATURE } from './settlement/settlement.feature';
import { TRACE_CODES_FEATURE } from './trace-codes/trace-codes.feature';
import { UPSTREAM_FEATURE } from './upstream/upstream.feature';

/**
 * The composition root of the gateway's features: each capability's tables, migrations, config
 * sections, config checks and error catalogues. The platform takes this list as a parameter (config
 * loading, the data source, the migration command, `config check`) and imports no capability.
 *
 * The order is the order of the config sections (as in config/default.yaml) and of the config checks.
 * Migrations run in timestamp order whatever the order here.
 */
export const GATEWAY_FEATURES: readonly GatewayFeature[] = [
  PLATFORM_FEATURE,
  REFERENCE_FEATURE,
  CALENDAR_FEATURE,
  UPSTREAM_FEATURE,
  IDENTITY_FEATURE,
  FORMS_FEATURE,
  DEVICES_FEATURE,
  AGENTS_FEATURE,
  TRACE_CODES_FEATURE,
  SETTLEMENT_FEATURE,
  OBLIGATIONS_FEATURE,
];

/** Every table and migration of the gateway. */
export const GATEWAY_SCHEMA: DatabaseSchema = databaseSchema(GATEWAY_FEATURES);

/** Every migration, in the order they run. */
export const GATEWAY_MIGRATIONS = GATEWAY_SCHEMA.migrations;
