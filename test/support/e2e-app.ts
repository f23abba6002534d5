import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { createApp } from '../../src/app.factory';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import type { Scope } from '../../src/platform/auth/scopes';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import type { Clock } from '../../src/platform/clock';
import type { AddressInfo } from 'node:net';
import { UPSTREAM_LINK, type UpstreamLink } from '../../src/upstream/upstream-link';
import { testConfig } from './test-config';

/** Everything the gateway logged, line by line, exactly as it would reach stdout. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  config: GatewayConfig;
  logs: LogCapture;
  /** A fresh API key with these scopes: the token to send. Keys with the admin scope expire in 30 days (they must expire). */
  token(scopes: Scope[], allowIps?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** Starts the real gateway (real database, real config loader) on an ephemeral port. */
export async function startTestApp(
  overrides: Record<string, unknown> = {},
  beforeInit?: (app: NestFastifyApplication) => void,
  options: { clock?: Clock; consoleDir?: string } = {},
): Promise<TestApp> {
  const config = testConfig(overrides);
  const logs = new LogCapture();
  // nestjs-pino keeps the first app's logger for out-of-request logs in a module variable;
  // one process runs one gateway in production, but tests start several.
  __resetOutOfContextForTests();
  const app = await createApp(config, { logDestination: logs, clock: options.clock, consoleDir: options.consoleDir });
  beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    logs,
    token: async (scopes, allowIps) =>
      (
        await app.get(ApiKeyService).create(
          {
            name: `test ${scopes.join(',')}`,
            scopes,
            allowIps,
            expiresAt: scopes.includes('admin') ? new Date(Date.now() + 30 * 86_400_000) : undefined,
          },
          { type: 'system', id: 'e2e' },
        )
      ).token,
    close: () => app.close(),
  };
}

/**
 * The app listening on an ephemeral loopback port: its base URL, and the insurer's (the sandbox
 * insurer in the process; '' when the gateway has no insurer link).
 */
export async function listenLocally(t: TestApp): Promise<{ base: string; insurer: string }> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const link = t.app.get<UpstreamLink | null>(UPSTREAM_LINK);
  return {
    base: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`,
    insurer: link ? link.baseUrl.replace(/\/$/, '') : '',
  };
}
