import 'reflect-metadata';
import { resolve } from 'node:path';
import { isFields } from './input-fields';
import { loadGatewayKeys, loadOrCreateInsurerKeys, parseSandboxArgs } from './key-files';
import { SandboxInsurer } from './sandbox-insurer';

/**
 * The sandbox insurer as a process, for development and demos:
 *   node dist/src/sandbox/main.js [--port 8090] [--host 127.0.0.1] [--gateway-key <cainfo>=<hex>]
 *     [--gateway-key-file <the gateway's signing key json>] [--control-port n] [--data-dir d] [--qr-ttl s]
 *     [--audit-delay s]
 * Creates its key pair on first start, prints its URL and public key, one line per request.
 */
async function main(): Promise<void> {
  const args = parseSandboxArgs(process.argv.slice(2));
  const dataDir = resolve(args.dataDir);
  const { keys, created, warning } = loadOrCreateInsurerKeys(dataDir, new Date());
  const gatewayKeys = loadGatewayKeys(dataDir, args.gatewayKeys, args.gatewayKeyFiles);
  const insurer = new SandboxInsurer({
    gatewayKeys,
    insurerKeys: keys,
    insurerKeyId: keys.id,
    qrTtlSeconds: args.qrTtlSeconds,
    auditDelaySeconds: args.auditDelaySeconds,
  });

  insurer.app.addHook('onResponse', async (request, reply) => {
    const body = request.body;
    const message = isFields(body) && typeof body.infno === 'string' ? ` ${body.infno} ${String(body.msgid)}` : '';
    process.stdout.write(
      `${new Date().toISOString()} ${request.method} ${request.url}${message} → ${reply.statusCode}\n`,
    );
  });

  const url = await insurer.start({ host: args.host, port: args.port, controlPort: args.controlPort });
  const cainfos = Object.keys(gatewayKeys);
  process.stdout.write(
    [
      `sandbox insurer listening on ${url} (POST ${url}/api/transaction)`,
      `control (stays up while faults.down): ${insurer.controlUrl ?? '-'}/sandbox/{stats,faults,messages/:msgid,qr-tokens,people,gateway-keys,audits/:setl_id}`,
      `insurer key id (cainfo): ${keys.id}${created ? ` — new key pair written to ${dataDir}/keys.json` : ''}`,
      `insurer public key: ${keys.publicKey}`,
      `gateway keys: ${cainfos.length > 0 ? cainfos.join(', ') : 'none yet — pass --gateway-key <cainfo>=<hex> or --gateway-key-file <file>, write gateway-keys.json, or PUT /sandbox/gateway-keys/<cainfo>'}`,
      '',
    ].join('\n'),
  );
  if (warning) {
    process.stderr.write(`warning: ${warning}\n`);
  }

  const shutdown = (): void => {
    insurer.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox insurer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
