import type { ConfigIssue, GatewayConfig } from '../platform';
import { DeviceConfig, deviceTransport, TRANSPORTS_BY_KIND } from './devices.config';

/** `VID:PID` in hex, as lsusb prints it, or a hidraw node. */
const HID_PATH = /^(?:[0-9a-fA-F]{4}:[0-9a-fA-F]{4}|\/dev\/hidraw\d+)$/;

/**
 * What the shape of one device entry cannot say: the transport must suit the kind, a real
 * transport needs a path in its own format, ids are unique, and simulated devices and the
 * simulated PSAM exist only in sandbox mode.
 */
export function checkDevices(config: GatewayConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  config.devices.forEach((device, index) => {
    const key = (name: string): string => `devices[${index}].${name}`;
    if (seen.has(device.id)) {
      issues.push({ key: key('id'), value: device.id, expected: 'an id no other device has' });
    }
    seen.add(device.id);
    const allowed = TRANSPORTS_BY_KIND[device.kind];
    const transport = deviceTransport(device);
    if (!allowed.includes(transport)) {
      issues.push({
        key: key('transport'),
        value: transport,
        expected: `for ${device.kind} devices one of ${allowed.join(', ')}`,
      });
      return;
    }
    if (transport === 'simulated') {
      if (config.mode !== 'sandbox') {
        issues.push({
          key: key('transport'),
          value: transport,
          expected: 'a real transport (simulated devices exist only in sandbox mode)',
        });
      }
    } else if (!device.path) {
      issues.push({ key: key('path'), value: '', expected: pathHint(device) });
    } else if (transport === 'hid' && !HID_PATH.test(device.path)) {
      issues.push({ key: key('path'), value: device.path, expected: pathHint(device) });
    }
    if (device.cardAuth !== undefined && device.kind !== 'ssse-card') {
      issues.push({ key: key('cardAuth'), value: device.cardAuth, expected: 'cardAuth only on ssse-card devices' });
    }
    if (device.cardAuth === 'simulated-psam' && config.mode !== 'sandbox') {
      issues.push({
        key: key('cardAuth'),
        value: device.cardAuth,
        expected: 'hsm or none (the simulated PSAM exists only in sandbox mode)',
      });
    }
    if (device.host === 'agent' && device.kind === 'ssse-card' && (device.cardAuth ?? 'hsm') === 'hsm') {
      issues.push({
        key: key('cardAuth'),
        value: device.cardAuth ?? 'hsm (the default)',
        expected:
          'none or simulated-psam on a desk agent: authenticating 3rd-generation cards through the insurer’s HSM is not carried over the agent link yet (docs/agents.md)',
      });
    }
    if (device.terminator !== undefined && !(device.kind === 'scanner' && transport !== 'hid')) {
      issues.push({
        key: key('terminator'),
        value: device.terminator,
        expected: 'terminator only on serial or simulated scanners (HID-POS scanners send whole codes)',
      });
    }
  });
  return issues;
}

function pathHint(device: DeviceConfig): string {
  switch (deviceTransport(device)) {
    case 'hid':
      return 'the scanner as VID:PID in hex (e.g. 0c2e:0b61, see `npm run gateway -- devices list`) or /dev/hidrawN';
    case 'pcsc':
      return 'the PC/SC reader name or its beginning (see `npm run gateway -- devices list`)';
    case 'serial':
    case 'simulated':
      return 'the serial port, e.g. /dev/ttyUSB0 (see `npm run gateway -- devices list`)';
  }
}
