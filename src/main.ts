import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createApp } from './app.factory';
import { GATEWAY_FEATURES } from './gateway.features';
import { checkConfigSemantics, ConfigError, formatIssues, loadStartupConfig, TlsSetupError } from './platform';
import { UPSTREAM_LINK, UpstreamLink } from './upstream/upstream-link';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sandbox: { type: 'boolean', default: false }, config: { type: 'string' } },
    allowPositionals: false,
  });

  let loaded;
  try {
    loaded = loadStartupConfig({ sandbox: values.sandbox ?? false, configFile: values.config }, GATEWAY_FEATURES);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nConfig read from: ${e.sources.join(', ')}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const { config } = loaded;
  const { issues, warnings } = checkConfigSemantics(config, GATEWAY_FEATURES);
  if (issues.length > 0) {
    process.stderr.write(
      `Configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}\n`,
    );
    process.exit(78);
  }
  for (const warning of warnings) {
    process.stderr.write(`warning: ${warning}\n`);
  }

  mkdirSync(config.dataDir, { recursive: true });
  const app = await createApp(config);
  await app.listen({ host: config.server.host, port: config.server.port });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const scheme = config.server.tls.certFile ? 'https' : 'http';
  const base = `${scheme}://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  const link = app.get<UpstreamLink | null>(UPSTREAM_LINK);
  const insurer = link
    ? `${link.baseUrl}${link.source === 'sandbox' ? ' (sandbox insurer, in this process)' : ''}`
    : 'none configured: messages wait in the outbox';
  process.stdout.write(
    `\n宁夏工伤保险医院网关 (${config.mode}) — ${config.hospital.name}\n` +
      `  listening on ${base}\n  console:  ${base}/console/\n  health:   ${base}/health\n  API docs: ${base}/api/docs\n  metrics:  ${base}/metrics\n` +
      `  insurer:  ${insurer}\n\n`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof TlsSetupError) {
    process.stderr.write(`The gateway could not start: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(`The gateway could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
