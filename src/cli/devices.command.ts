import type { DeviceStatus } from '../../drivers/readers/device-status';
import { GatewayConfig } from '../platform';
import { deviceTransport } from '../devices/devices.config';
import type { DeviceEvent } from '../devices/device-events';
import { discoverDevices, DiscoverySection } from '../devices/device-discovery';
import { buildDevice } from '../devices/device-factory';
import { WORKING_STATES as WORKING } from '../devices/devices.health';
import { CliError, CliOutput } from './cli-io';
import { gatewayRequest } from './gateway-http';

/**
 * `devices list` (configured devices and what is attached), `devices status` (the running
 * gateway's view), `devices test <id>` (open one device here and wait for a read).
 */
export async function devicesCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: { url?: string; key?: string; wait?: string },
  out: CliOutput,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  switch (sub) {
    case 'list':
      return list(config, out);
    case 'status':
      return status(config, options, out, env);
    case 'test': {
      const id = rest[0];
      if (!id) {
        throw new CliError('use: devices test <id> [--wait <seconds>]');
      }
      return test(config, id, parseWait(options.wait), out);
    }
    case undefined:
    default:
      throw new CliError(
        'use: devices list | devices status [--url <gateway>] [--key <admin API key>] | devices test <id> [--wait <seconds>]',
      );
  }
}

async function list(config: GatewayConfig, out: CliOutput): Promise<number> {
  out.log(`Configured devices (${config.devices.length}):`);
  for (const d of config.devices) {
    out.log(
      `  ${d.id.padEnd(20)} ${d.kind.padEnd(10)} ${deviceTransport(d).padEnd(9)} ${(d.path ?? '-').padEnd(24)} ${d.desk}`,
    );
  }
  if (config.devices.length === 0) {
    out.log('  (none: add them under devices: in the config, see config/example-hospital.yaml)');
  }
  const found = await discoverDevices();
  printSection(
    out,
    'Serial ports',
    found.serial,
    (p) =>
      `${p.path}${p.vendorId ? `  ${p.vendorId}:${p.productId ?? '????'}` : ''}${p.manufacturer ? `  ${p.manufacturer}` : ''}`,
  );
  printSection(
    out,
    'HID devices (path: VID:PID)',
    found.hid,
    (h) => `${h.description}${h.hidPos ? '  ← HID POS scanner: transport hid' : ''}`,
  );
  printSection(out, 'PC/SC readers (path: the name)', found.pcsc, (r) => r.name);
  return 0;
}

function printSection<T>(out: CliOutput, title: string, section: DiscoverySection<T>, line: (item: T) => string): void {
  if (!section.ok) {
    out.log(`${title}: could not look — ${section.message}`);
    return;
  }
  out.log(`${title} (${section.items.length}):`);
  for (const item of section.items) {
    out.log(`  ${line(item)}`);
  }
  if (section.note) {
    out.log(`  note: ${section.note}`);
  }
}

interface DeviceRow {
  id: string;
  kind: string;
  transport: string;
  desk: string;
  state: string;
  message: string;
  since: string;
}

async function status(
  config: GatewayConfig,
  options: { url?: string; key?: string },
  out: CliOutput,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const key = options.key ?? env.GATEWAY_API_KEY;
  if (!key) {
    throw new CliError(
      'devices status asks the running gateway: give an API key with the admin scope in --key or GATEWAY_API_KEY',
    );
  }
  const rows = await gatewayRequest<DeviceRow[]>(config, {
    method: 'GET',
    path: '/api/v1/devices',
    url: options.url,
    key,
  });
  for (const r of rows) {
    out.log(
      `${r.id.padEnd(20)} ${r.kind.padEnd(10)} ${r.state.padEnd(24)} ${r.desk}  ${r.message}  (since ${r.since})`,
    );
  }
  if (rows.length === 0) {
    out.log('no devices configured');
  }
  return rows.every((r) => WORKING.has(r.state)) ? 0 : 1;
}

function parseWait(wait: string | undefined): number {
  if (wait === undefined) {
    return 15;
  }
  const seconds = Number(wait);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) {
    throw new CliError('--wait is the number of seconds to wait for a read, 1 to 600');
  }
  return seconds;
}

/**
 * Opens the device in this process with the gateway's own driver, prints every status change,
 * and waits for one read (present a card or scan a code). The running gateway holds the port,
 * so stop it first or look at `devices status`. 3rd-generation cards stop at "authentication
 * required" here: the insurer's HSM is only used by the running gateway.
 */
async function test(config: GatewayConfig, id: string, waitSeconds: number, out: CliOutput): Promise<number> {
  const device = config.devices.find((d) => d.id === id);
  if (!device) {
    throw new CliError(
      `no device "${id}" in the config (configured: ${config.devices.map((d) => d.id).join(', ') || 'none'})`,
    );
  }
  if (deviceTransport(device) === 'simulated') {
    throw new CliError(
      `${id} is simulated: operate it with "npm run gateway -- simulate present ${id}" while the sandbox runs`,
    );
  }
  let read: DeviceEvent | undefined;
  let onRead: () => void = () => undefined;
  const { reader } = buildDevice(device, {
    publish: (event) => {
      read = event;
      onRead();
    },
  });
  let last: DeviceStatus = reader.status;
  reader.on('status', (s: DeviceStatus) => {
    last = s;
    out.log(`${new Date().toISOString().slice(11, 19)}  ${s.state.padEnd(24)} ${s.message}`);
  });
  out.log(
    `Testing ${id} (${device.kind} on ${deviceTransport(device)} ${device.path ?? ''}); present a card or scan a code within ${waitSeconds} s …`,
  );
  reader.start();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitSeconds * 1000);
    onRead = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  await reader.stop();
  if (read) {
    out.log(`Read: ${describeRead(read)}`);
    return 0;
  }
  out.log(
    WORKING.has(last.state)
      ? `No read within ${waitSeconds} s, but the device answered (${last.state}).`
      : `The device is not working: ${last.message}`,
  );
  return WORKING.has(last.state) ? 0 : 1;
}

/** What was read, with personal data masked: the terminal may be shared or recorded. */
export function describeRead(event: DeviceEvent): string {
  switch (event.type) {
    case 'id-card':
      return `ID card of ${maskName(event.read.identity.name)}, ${maskId(event.read.identity.idNumber)}, valid until ${event.read.identity.validTo}`;
    case 'ssse-card': {
      const { result } = event.read;
      if (result.kind === 'authentication-required') {
        return `social-security card ${result.card.cardSn.slice(0, 6)}…, version ${result.card.specVersion}: authentication required — ${result.reason.message}`;
      }
      return `social-security card of ${maskName(result.card.name)}, ${maskId(result.card.ssn)}, version ${result.card.specVersion}`;
    }
    case 'scan':
      return `scan (${event.scan.classification.kind}${event.scan.symbology ? `, ${event.scan.symbology.id}` : ''}), ${event.scan.text.length} characters`;
    case 'status':
      return event.status.message;
  }
}

function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

function maskId(id: string): string {
  return id.length < 10 ? '*'.repeat(id.length) : `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}
