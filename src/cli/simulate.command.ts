import { GatewayConfig } from '../platform';
import { CliError, CliOutput } from './cli-io';
import { gatewayRequest } from './gateway-http';

interface Presented {
  deviceId: string;
  kind: string;
  presented: string | null;
}

interface Plugged {
  deviceId: string;
  kind: string;
  plugged: boolean;
}

const SUBCOMMANDS = ['present', 'remove', 'unplug', 'replug'];

/**
 * Operates a simulated device of the running sandbox gateway, as a person at the desk would:
 * `simulate present <device> [--person <role|ID number>]` puts that seed person's ID card or
 * social-security card on the reader; `--text <code> [--aim ]d2]` scans a code;
 * `simulate remove <device>` takes the card away; `simulate unplug|replug <device>` pulls the
 * device's cable and plugs it in again (the driver reports disconnected, then reconnects by itself).
 */
export async function simulateCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: { person?: string; text?: string; aim?: string; url?: string },
  out: CliOutput,
): Promise<number> {
  const id = rest[0];
  if (sub === undefined || !SUBCOMMANDS.includes(sub) || !id) {
    throw new CliError(
      'use: simulate present <device id> [--person <seed role|ID number>] [--text <code> [--aim ]d2]] | simulate remove|unplug|replug <device id>',
    );
  }
  if (config.mode !== 'sandbox') {
    throw new CliError('simulated devices exist only in sandbox mode (npm start, or --sandbox)');
  }
  if (sub === 'unplug' || sub === 'replug') {
    const result = await gatewayRequest<Plugged>(config, {
      method: 'POST',
      path: `/api/v1/sandbox/devices/${encodeURIComponent(id)}/${sub}`,
      url: options.url,
    });
    out.log(`${result.deviceId} (${result.kind}): ${result.plugged ? 'plugged in again' : 'unplugged'}`);
    return 0;
  }
  const body = sub === 'present' ? { person: options.person, text: options.text, aim: options.aim } : undefined;
  const result = await gatewayRequest<Presented>(config, {
    method: 'POST',
    path: `/api/v1/sandbox/devices/${encodeURIComponent(id)}/${sub}`,
    url: options.url,
    body,
  });
  out.log(
    result.presented === null
      ? `${result.deviceId}: card taken away`
      : `${result.deviceId} (${result.kind}): presented ${result.presented}`,
  );
  return 0;
}
