import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { enrolAgent, readCredential } from './agent-credentials';
import { processAlive } from './agent-lock';
import { AgentSettingsError, defaultDataDir, loadAgentSettings } from './agent-settings';
import type { AgentStatusView } from './agent-state';
import { DeskAgent, STATUS_FILE, type AgentLogger } from './desk-agent';
import { AgentInstallError, installAgent } from './install/install-agent';
import { type AgentLocalServer, startAgentLocalServer } from './local-server';

/**
 * `gateway agent …` on a desk PC (docs/agents.md). Kept apart from the gateway's CLI: an agent loads
 * only the drivers, the link and its journal — no database, no insurer, no Nest.
 */
export const AGENT_USAGE = `Usage: gateway agent [options]            run the desk agent (in the foreground; as a service: see docs/agents.md)
       gateway agent status [--json]     the running agent's state (exit 0 online, 1 otherwise)
       gateway agent install --central <wss://…> --enrol <code> [--service-user <u>] [--out-dir <d>] [--no-start]
                                         enrol this PC and install the agent as a service (systemd; WinSW on Windows)

Options:
  --central <wss://host:port>   the central gateway (stored at enrolment; needed with --enrol)
  --enrol <code>                exchange a one-time enrolment code (from \`gateway agents enroll\`) for this
                                agent's credential, then run
  --data-dir <dir>              credential, journal, settings (agent.yaml) and status (default
                                ${'$'}GATEWAY_AGENT_DIR, %ProgramData%\\GongshangAgent, /var/lib/gateway-agent or ~/.gateway-agent)
  --ca <file.pem>               the hospital's CA, when the centre's certificate is not publicly signed
  --json                        status as JSON
  --service-user <user>         install, Linux: the account the service runs as (default gateway-agent)
  --out-dir <dir>               install: where the service file goes (default /etc/systemd/system; on
                                Windows the install directory, next to WinSW)
  --no-start                    install: write the files, print the system commands instead of running them
`;

export interface AgentCliIo {
  log(line: string): void;
  error(line: string): void;
}

/** Where a status.json not refreshed for this long belongs to an agent that no longer runs. */
const STALE_STATUS_MS = 20_000;

export async function agentCli(
  argv: string[],
  io: AgentCliIo,
  env: NodeJS.ProcessEnv = process.env,
  options: { agentVersion?: string; logger?: AgentLogger; onStarted?: (agent: DeskAgent) => void } = {},
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.error(`${(e as Error).message}\n\n${AGENT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.log(AGENT_USAGE);
    return 0;
  }
  const dataDir = values['data-dir'] ?? defaultDataDir(env);
  const sub = positionals[0];
  if (sub === 'status') {
    return statusCommand(dataDir, values.json === true, io);
  }
  if (sub === 'install') {
    return installCommand(dataDir, values, io, options.agentVersion ?? packageVersion());
  }
  if (sub !== undefined && sub !== 'run') {
    io.error(`unknown agent command "${sub}"\n\n${AGENT_USAGE}`);
    return 2;
  }
  return run(dataDir, values, io, options);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      central: { type: 'string' },
      enrol: { type: 'string' },
      enroll: { type: 'string' },
      'data-dir': { type: 'string' },
      ca: { type: 'string' },
      json: { type: 'boolean' },
      'service-user': { type: 'string' },
      'out-dir': { type: 'string' },
      'no-start': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function run(
  dataDir: string,
  values: ReturnType<typeof parse>['values'],
  io: AgentCliIo,
  options: { agentVersion?: string; logger?: AgentLogger; onStarted?: (agent: DeskAgent) => void },
): Promise<number> {
  const agentVersion = options.agentVersion ?? packageVersion();
  let ca: Buffer | undefined;
  const code = values.enrol ?? values.enroll;
  try {
    let caFile = values.ca;
    if (code !== undefined) {
      if (!values.central) {
        io.error('--enrol needs --central <wss://host:port>: the gateway the code came from');
        return 2;
      }
      // Checked before the code is spent: a bad URL or CA must not cost IT a new code.
      loadAgentSettings(dataDir, { central: values.central, caFile });
      ca = caFile ? readFileSync(caFile) : undefined;
      const { credential, file } = await enrolAgent({ central: values.central, code, dataDir, agentVersion, ca });
      io.log(
        `enrolled as agent "${credential.name}" for desk ${credential.desk} (${credential.agentId}); credential in ${file}`,
      );
    }
    const credential = await readCredential(dataDir);
    if (!credential) {
      io.error(
        `this desk agent is not enrolled (no credential in ${dataDir}): at the centre run ` +
          '`gateway agents enroll --desk <desk>`, then here `gateway agent --central wss://… --enrol <code>`',
      );
      return 2;
    }
    const settings = loadAgentSettings(dataDir, { central: values.central ?? credential.central, caFile });
    caFile = settings.caFile;
    ca = caFile ? readFileSync(caFile) : undefined;
    const logger = options.logger ?? jsonLogger();
    const agent = await DeskAgent.start({ dataDir, settings, credential, agentVersion, logger, ca });
    let local: AgentLocalServer | undefined;
    if (settings.local) {
      try {
        local = await startAgentLocalServer(agent, {
          port: settings.local.port,
          readerApi: settings.local.readerApi ?? false,
          allowedOrigins: settings.local.allowedOrigins ?? [],
        });
        logger.info({ url: local.url, readerApi: settings.local.readerApi ?? false }, 'local status page');
      } catch (e) {
        // The devices and the link matter more than the page: the agent runs on without it.
        logger.error(
          { port: settings.local.port, err: (e as Error).message },
          'the local status page could not start (port in use?): set another local.port in agent.yaml',
        );
      }
    }
    options.onStarted?.(agent);
    await new Promise<void>((resolve) => {
      // The agent runs until it is told to stop, also when nothing else is pending (refused by the
      // centre, devices released): its status page and status.json still say why.
      const keepAlive = setInterval(() => undefined, 3_600_000);
      const stop = (): void => {
        clearInterval(keepAlive);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void Promise.all([local?.close(), agent.stop()]).then(() => resolve(), resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  } catch (e) {
    if (e instanceof AgentSettingsError) {
      io.error(e.message);
      return 2;
    }
    const err = e as Error & { code?: string };
    io.error(`${err.code ? `${err.code}: ` : ''}${err.message}`);
    return 1;
  }
}

async function installCommand(
  dataDir: string,
  values: ReturnType<typeof parse>['values'],
  io: AgentCliIo,
  agentVersion: string,
): Promise<number> {
  const code = values.enrol ?? values.enroll;
  if (!values.central || !code) {
    io.error(
      'install needs --central <wss://host:port> and --enrol <code> (from `gateway agents enroll` at the centre)',
    );
    return 2;
  }
  const caFile = values.ca;
  try {
    loadAgentSettings(dataDir, { central: values.central, caFile });
    const ca = caFile ? readFileSync(caFile) : undefined;
    const result = await installAgent(
      {
        platform: process.platform,
        central: values.central,
        code,
        dataDir: resolve(dataDir),
        installDir: resolve(__dirname, '..', '..', '..', '..'),
        nodePath: process.execPath,
        serviceUser: values['service-user'],
        outDir: values['out-dir'],
        start: values['no-start'] !== true,
        enrol: (o) => enrolAgent({ ...o, agentVersion, ca }),
      },
      io,
    );
    return result.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof AgentSettingsError || e instanceof AgentInstallError) {
      io.error(e.message);
      return 2;
    }
    const err = e as Error & { code?: string };
    io.error(`${err.code ? `${err.code}: ` : ''}${err.message}`);
    return 1;
  }
}

async function statusCommand(dataDir: string, json: boolean, io: AgentCliIo): Promise<number> {
  let view: AgentStatusView;
  try {
    view = JSON.parse(readFileSync(join(dataDir, STATUS_FILE), 'utf8')) as AgentStatusView;
  } catch {
    io.error(`no desk agent has run with ${dataDir} (no ${STATUS_FILE}); start it with \`gateway agent\``);
    return 1;
  }
  const running = processAlive(view.pid) && Date.now() - Date.parse(view.updatedAt) < STALE_STATUS_MS;
  if (json) {
    io.log(JSON.stringify({ running, ...view }, null, 2));
  } else {
    io.log(describeStatus(view, running));
  }
  return running && view.link.state === 'online' ? 0 : 1;
}

const STATE_WORDS: Record<string, string> = {
  connecting: '正在连接中心',
  online: '在线',
  offline: '离线（自动重连中）',
  refused: '已被中心拒绝',
};

/** The status in words, for `gateway agent status` (Chinese where the desk reads it). */
export function describeStatus(view: AgentStatusView, running: boolean): string {
  const lines = [
    running
      ? `desk agent "${view.name ?? ''}" for desk ${view.desk ?? '?'} (pid ${view.pid}, version ${view.agentVersion})`
      : `desk agent NOT RUNNING (last status written ${view.updatedAt} by pid ${view.pid})`,
    `centre:  ${view.central}`,
    `link:    ${STATE_WORDS[view.link.state] ?? view.link.state} since ${view.link.since}` +
      (view.link.state !== 'online' && view.link.attempts > 0 ? `, ${view.link.attempts} failed attempts` : '') +
      (view.link.nextAttemptAt ? `, next attempt ${view.link.nextAttemptAt}` : ''),
  ];
  if (view.link.lastError && view.link.state !== 'online') {
    lines.push(`problem: ${view.link.lastError}`);
  }
  if (view.link.state === 'refused') {
    lines.push(
      `         the centre refuses this agent (${view.link.refusedCode}): enrol it again with a new code from the centre`,
    );
  }
  lines.push(
    `scans:   ${view.offline.bufferedScans} waiting for the centre (journal ${view.offline.journalFillPercent}% full; last seq ${view.journal.lastSeq}, acknowledged ${view.journal.ackedThrough})`,
    `reads:   ${view.offline.heldReads} held, ${view.offline.droppedReads} not delivered since start`,
  );
  if (view.offline.notice) {
    lines.push(`notice:  ${view.offline.notice}`);
  }
  lines.push('devices:');
  if (view.devices.length === 0) {
    lines.push('  (none yet: the centre sends them once the agent is linked)');
  }
  for (const d of view.devices) {
    lines.push(
      `  ${d.id.padEnd(20)} ${d.kind.padEnd(10)} ${(d.path ?? '').padEnd(16)} ${d.state.padEnd(12)} ${d.message}`,
    );
  }
  for (const r of view.refusedDevices) {
    lines.push(`  ${r.id.padEnd(20)} REFUSED: ${r.problem}`);
  }
  return lines.join('\n');
}

function packageVersion(): string {
  for (const up of ['../../../package.json', '../../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up), 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (ts-jest runs from src, the build from dist/src)
    }
  }
  return '0.0.0';
}

/** A JSON-lines log on stdout (pino): a service manager (WinSW, journald) keeps it. */
function jsonLogger(): AgentLogger {
  return pino({ base: { service: 'gateway-agent' }, timestamp: pino.stdTimeFunctions.isoTime });
}
