import { agentServicesOn } from '../agents/standalone-agents';
import type { AgentDto } from '../agents/agents.dto';
import {
  auditServiceOn,
  DomainError,
  GatewayConfig,
  loadKeyring,
  PiiCryptoService,
  type Principal,
  SystemClock,
} from '../platform';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

interface AgentsOptions {
  desk?: string;
  name?: string;
  ttl?: string;
  reason?: string;
  all?: boolean;
  central?: string;
}

const USE =
  'use: agents enroll --desk <desk> [--name <n>] [--ttl <minutes>] [--central <wss://…>] | agents list [--all] | ' +
  'agents rename <id> --name <n> | agents move <id> --desk <desk> | agents revoke <id> --reason <text>';

/** `agents enroll|list|rename|move|revoke`: the desk-agent registry, straight on the database (as `apikey`). */
export async function agentsCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: AgentsOptions,
  actor: Pick<Principal, 'type' | 'id'>,
  out: CliOutput,
): Promise<number> {
  const request = parseRequest(sub, rest, options);
  return withDataSource(config, async (dataSource) => {
    const clock = new SystemClock();
    const pii = new PiiCryptoService(loadKeyring(config.pii));
    const audit = auditServiceOn(dataSource, pii, clock);
    const { agents, enrolments } = agentServicesOn(dataSource, config, { clock, audit, pii });
    try {
      switch (request.kind) {
        case 'enroll': {
          const code = await enrolments.create(request, actor);
          out.log(
            `Enrolment code for desk ${code.desk}${code.name ? ` (agent "${code.name}")` : ''}, valid once until ${code.expiresAt}:`,
          );
          out.log(`\n  ${code.code}\n`);
          out.log('On the desk PC, run (or `gateway agent install …` with the same options, to run it as a service):');
          out.log(`\n  ${agentCommandLine(options.central ?? centralUrl(config), code.code)}\n`);
          out.log(
            'The code is shown only now and works once; the agent exchanges it for its own credential. ' +
              (options.central
                ? ''
                : 'Put this server’s address (as the desk PCs reach it) in the URL, or pass --central.'),
          );
          return 0;
        }
        case 'list': {
          printAgents(await agents.list(request.all), out);
          return 0;
        }
        case 'rename':
        case 'move': {
          const change = request.kind === 'rename' ? { name: request.value } : { desk: request.value };
          const agent = await agents.change(request.id, change, actor);
          out.log(`Agent ${agent.id} is now "${agent.name}" at desk ${agent.desk}.`);
          return 0;
        }
        case 'revoke': {
          const agent = await agents.revoke(request.id, request.reason, actor);
          out.log(
            `Agent ${agent.id} "${agent.name}" (desk ${agent.desk}) is revoked; it is refused from its next connection on.`,
          );
          return 0;
        }
      }
    } catch (e) {
      if (e instanceof DomainError) {
        const details = e.details?.map((d) => `\n  - ${d.field ? `${d.field}: ` : ''}${d.message}`).join('') ?? '';
        throw new CliError(`${e.userMessage}${details}`);
      }
      throw e;
    }
  });
}

/** The command the desk agent takes to enrol (the agent mode is `gateway agent`, docs/agents.md). */
export function agentCommandLine(central: string, code: string): string {
  return `npx gateway agent --central ${central} --enrol ${code}`;
}

/** This gateway as a desk PC would address it: its configured port; the host when it is not a loopback or wildcard. */
function centralUrl(config: GatewayConfig): string {
  const host = config.server.host;
  const reachable =
    host !== '127.0.0.1' && host !== 'localhost' && host !== '::1' && host !== '0.0.0.0' && host !== '::';
  return `wss://${reachable ? host : '<this server>'}:${config.server.port}`;
}

type AgentsRequest =
  | { kind: 'enroll'; desk: string; name?: string; ttlMinutes?: number }
  | { kind: 'list'; all: boolean }
  | { kind: 'rename' | 'move'; id: string; value: string }
  | { kind: 'revoke'; id: string; reason: string };

function parseRequest(sub: string | undefined, rest: string[], options: AgentsOptions): AgentsRequest {
  switch (sub) {
    case 'enroll':
      if (!options.desk) {
        throw new CliError('agents enroll needs --desk <desk>, e.g. --desk 门诊挂号3');
      }
      return { kind: 'enroll', desk: options.desk, name: options.name, ttlMinutes: ttlOf(options.ttl) };
    case 'list':
      return { kind: 'list', all: options.all ?? false };
    case 'rename':
    case 'move': {
      const value = sub === 'rename' ? options.name : options.desk;
      if (!rest[0] || !value) {
        throw new CliError(
          sub === 'rename'
            ? 'agents rename needs the agent id and --name <n>'
            : 'agents move needs the agent id and --desk <desk>',
        );
      }
      return { kind: sub, id: rest[0], value };
    }
    case 'revoke':
      if (!rest[0] || !options.reason) {
        throw new CliError('agents revoke needs the agent id and --reason "<why>"');
      }
      return { kind: 'revoke', id: rest[0], reason: options.reason };
    case undefined:
    default:
      throw new CliError(`unknown agents command "${sub ?? ''}" — ${USE}`);
  }
}

function ttlOf(ttl: string | undefined): number | undefined {
  if (ttl === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(ttl)) {
    throw new CliError(`--ttl ${ttl}: expected a whole number of minutes`);
  }
  return Number(ttl);
}

function printAgents(agents: AgentDto[], out: CliOutput): void {
  if (agents.length === 0) {
    out.log('No desk agents. Enrol one with: npm run gateway -- agents enroll --desk <desk>');
    return;
  }
  const rows = agents.map((a) =>
    [
      a.id.padEnd(36),
      pad(a.desk, 12),
      pad(a.name, 20),
      (a.lastSeenAt ? a.lastSeenAt.slice(0, 16).replace('T', ' ') : '-').padEnd(16),
      a.state === 'revoked' ? `revoked ${(a.revokedAt ?? '').slice(0, 10)} (${a.revokedReason ?? ''})` : 'active',
    ].join('  '),
  );
  out.log([`${'ID'.padEnd(36)}  ${pad('DESK', 12)}  ${pad('NAME', 20)}  LAST SEEN (UTC)   STATE`, ...rows].join('\n'));
}

/** Pads to `width` terminal columns, counting a CJK character as two. */
function pad(text: string, width: number): string {
  let cols = 0;
  let out = '';
  for (const ch of text) {
    const w = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
    if (cols + w > width) {
      break;
    }
    out += ch;
    cols += w;
  }
  return out + ' '.repeat(width - cols);
}
