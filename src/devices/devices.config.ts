import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Length } from 'class-validator';
// The platform's framework-free entry, not the barrel: desk agents load this without Nest or TypeORM.
import { CONFIG_TEXT } from '../platform/agent-safe';

/** `devices:` — card readers and scanners attached to this gateway. */
export const DEVICE_KINDS = ['id-card', 'scanner', 'ssse-card'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const DEVICE_TRANSPORTS = ['serial', 'hid', 'pcsc', 'simulated'] as const;
export type DeviceTransport = (typeof DEVICE_TRANSPORTS)[number];
/** Which transports each kind of device can use; the first is the default. */
export const TRANSPORTS_BY_KIND: Readonly<Record<DeviceKind, readonly DeviceTransport[]>> = {
  'id-card': ['serial', 'simulated'],
  scanner: ['serial', 'hid', 'simulated'],
  'ssse-card': ['pcsc', 'simulated'],
};
/** Where a device is plugged in: this machine, or a desk PC running an agent. */
export const DEVICE_HOSTS = ['gateway', 'agent'] as const;
export type DeviceHost = (typeof DEVICE_HOSTS)[number];
export const SCANNER_TERMINATORS = ['CR', 'LF', 'CRLF', 'TAB', 'none'] as const;
/**
 * How a 3rd-generation social-security card is authenticated before its number and name can be
 * read: the insurer's HSM (transaction 1165), a simulated PSAM (sandbox only), or not at all
 * (such cards then stop at "authentication required").
 */
export const CARD_AUTH_MODES = ['hsm', 'simulated-psam', 'none'] as const;
export type CardAuthMode = (typeof CARD_AUTH_MODES)[number];

export class DeviceConfig {
  /** Stable name, used in events, logs and the console, e.g. desk1-idcard. */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: 'expected a short name of lower-case letters, digits and -' })
  id: string;

  @IsIn(DEVICE_KINDS, { message: `expected one of ${DEVICE_KINDS.join(', ')}` })
  kind: DeviceKind;

  /** How it is attached; default: pcsc for ssse-card, serial for the others. */
  @IsOptional()
  @IsIn(DEVICE_TRANSPORTS, { message: `expected one of ${DEVICE_TRANSPORTS.join(', ')}` })
  transport?: DeviceTransport;

  /** The desk or workstation it belongs to: events go to that desk's console and HIS session. */
  @IsString({ message: CONFIG_TEXT })
  @Length(1, 40, { message: 'expected 1 to 40 characters' })
  desk: string;

  /**
   * serial: /dev/ttyUSB0, /dev/ttyACM0, COM3 or a pty; hid: VID:PID in hex (0c2e:0b61) or a
   * /dev/hidraw path; pcsc: the reader name or its beginning; simulated: not used.
   */
  @IsOptional()
  @IsString({ message: CONFIG_TEXT })
  @IsNotEmpty({ message: 'expected a port path, VID:PID or reader name' })
  path?: string;

  @IsOptional()
  @IsInt({ message: 'expected a whole number' })
  @IsIn([9600, 19200, 38400, 57600, 115200], { message: 'expected 9600, 19200, 38400, 57600 or 115200' })
  baudRate?: number;

  /** Serial scanners only: what ends a code (factory setting is usually CR). */
  @IsOptional()
  @IsIn(SCANNER_TERMINATORS, { message: `expected one of ${SCANNER_TERMINATORS.join(', ')}` })
  terminator?: (typeof SCANNER_TERMINATORS)[number];

  /**
   * Where the device is plugged in: `gateway` (default) — a port of this machine, opened by this
   * process; `agent` — a port of the desk PC of `desk`, opened by that desk's agent (docs/agents.md),
   * which this gateway hands the device's settings and whose events it passes on as if local.
   */
  @IsOptional()
  @IsIn(DEVICE_HOSTS, { message: `expected one of ${DEVICE_HOSTS.join(', ')}` })
  host?: DeviceHost;

  /** Social-security card readers only; default hsm. */
  @IsOptional()
  @IsIn(CARD_AUTH_MODES, { message: `expected one of ${CARD_AUTH_MODES.join(', ')}` })
  cardAuth?: CardAuthMode;
}

/** The transport a device uses, its default filled in. */
export function deviceTransport(device: Pick<DeviceConfig, 'kind' | 'transport'>): DeviceTransport {
  return device.transport ?? TRANSPORTS_BY_KIND[device.kind][0];
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    devices: DeviceConfig[];
  }
}
