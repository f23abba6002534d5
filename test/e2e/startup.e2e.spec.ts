import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { startGatewayProcess } from '../support/gateway-process';

jest.setTimeout(60_000);

describe('starting the gateway process', () => {
  it('in sandbox mode: creates its SQLite database and keys, migrates, starts the sandbox insurer, prints where it listens, serves /health', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gw-start-'));
    const io = startGatewayProcess(['--sandbox'], cwd, { GW_SERVER__PORT: '0', GW_SANDBOX_INSURER__PORT: '0' });
    const child = io.child;
    try {
      const url = await io.listening;
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      const health = (await res.json()) as {
        status: string;
        components: Record<string, { status: string; detail?: string; unknownYears?: number[] }>;
      };
      expect(health).toMatchObject({
        mode: 'sandbox',
        components: {
          database: { status: 'up' },
          upstream: { status: 'up', detail: expect.stringContaining('(sandbox)') },
          calendar: { status: expect.stringMatching(/^(up|degraded)$/) },
        },
      });
      // Up, except the calendar while a year within 60 days has no holiday arrangement yet (December
      // 2026: 2027), which the start-up log says too, naming the file to add.
      const calendar = health.components.calendar;
      const notUp = Object.entries(health.components).filter(([, c]) => c.status !== 'up');
      if (calendar.status === 'degraded') {
        expect(health.status).toBe('degraded');
        expect(notUp.map(([name]) => name)).toEqual(['calendar']);
        const year = (calendar.unknownYears ?? [])[0];
        expect(calendar.detail).toContain(`${year}.yaml`);
        // The log is written asynchronously: the warning may reach stdout after /health answers.
        await eventually(() => io.out().includes(`${year}.yaml`), `the start-up warning naming ${year}.yaml`);
      } else {
        expect(health.status).toBe('up');
        expect(notUp).toEqual([]);
      }
      expect(io.out()).toMatch(/insurer: {2}http:\/\/127\.0\.0\.1:\d+ \(sandbox insurer, in this process\)/);
      expect(existsSync(join(cwd, 'data', 'sandbox.sqlite'))).toBe(true);
      expect(existsSync(join(cwd, 'data', 'keys', 'pii-keyring.json'))).toBe(true);
      expect(io.out()).toContain('database migrations applied');
      // The sandbox's demo accounts (docs/console.md) can sign in to the console at once.
      const login = await fetch(`${url}/api/v1/staff/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'desk1', password: 'desk1-sandbox' }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ staff: { login: 'desk1', roles: ['desk'], desks: ['门诊挂号1'] } });
      expect(io.out()).not.toContain('desk1-sandbox');
    } finally {
      child.kill('SIGTERM');
      await io.exit;
    }
  });

  it('with three wrong keys: exits non-zero and names all three', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gw-start-'));
    const file = join(cwd, 'bad.yaml');
    writeFileSync(
      file,
      'mode: sandbox\nserver:\n  port: 99999\nhospital:\n  fixmedinsCode: 12AB\nlogging:\n  level: chatty\n',
    );
    const io = startGatewayProcess(['--sandbox'], cwd, { GATEWAY_CONFIG: file });
    const code = await io.exit;
    expect(code).not.toBe(0);
    expect(io.err()).toContain('server.port: 99999 — expected');
    expect(io.err()).toContain('hospital.fixmedinsCode: "12AB" — expected');
    expect(io.err()).toContain('logging.level: "chatty" — expected one of');
  });
});
