import 'reflect-metadata';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { checkConfigSemantics, ConfigError, formatIssues, loadStartupConfig, selectOverlay } from '../platform';
import { GATEWAY_FEATURES } from '../gateway.features';
import { agentsCommand } from './agents.command';
import { apikeyCommand } from './apikey.command';
import { staffCommand } from './staff.command';
import { calendarCommand } from './calendar.command';
import { migrateCommand } from './migrate.command';
import { piiCommand } from './pii.command';
import { outboxCommand } from './outbox.command';
import { formsCommand } from './forms.command';
import { referenceCommand } from './reference.command';
import { upstreamCommand } from './upstream.command';
import { devicesCommand } from './devices.command';
import { simulateCommand } from './simulate.command';
import { catalogueCommand } from './catalogue.command';
import { settlementsCommand } from './settlements.command';
import { obligationsCommand } from './obligations.command';
import { documentsCommand } from './documents.command';
import { backupCommand } from './backup.command';
import { auditCommand } from './audit.command';
import { CliError, CliOutput, stdio } from './cli-io';

const USAGE = `Usage: npm run gateway -- <command> [options]

Commands:
  agent [--central <wss://…>] [--enrol <code>] [--data-dir <dir>]
                                      run the desk agent on a desk PC (gateway agent --help)
  agent status [--data-dir <dir>]     the desk agent's state on this PC
  config check [file]                 validate the configuration (default: $GATEWAY_CONFIG, or --sandbox)
  migrate                             apply pending database migrations
  backup <file>                       a checked copy of the SQLite database, taken while the gateway runs
                                      (PostgreSQL: the command names pg_dump / base backups instead)
  apikey create --name <n> --scopes <a,b> [--allow-ip <ip|cidr>]... [--expires-in <90d|12h> | --expires <date>]
                                      create an API key; the token is printed once (admin keys must expire:
                                      --expires 2027-03-01 = refused from 00:00 Beijing time that day)
  apikey list [--all]                 list API keys (--all includes revoked ones)
  apikey revoke <id> --reason <text>  revoke an API key at once
  staff create --login <l> --name <n> --roles <a,b> [--desks <d1,d2>] [--password-stdin]
                                      a console account (roles: desk, pharmacy, doctor, finance,
                                      it-admin, auditor); a generated password is printed once
  staff reset <login> [--password-stdin]
                                      a new password (printed once); unlocks the account, ends its sessions
  staff disable <login> --reason <text>
                                      disable an account at once (its sessions end)
  staff list                          staff accounts with roles, desks and state
  agents enroll --desk <desk> [--name <n>] [--ttl <minutes>] [--central <wss://…>]
                                      a one-time enrolment code for a desk agent (printed once,
                                      default lifetime agents.enrolmentTtlMinutes) and the command
                                      to run on the desk PC
  agents list [--all]                 desk agents by desk (--all includes revoked ones)
  agents rename <id> --name <n>       rename a desk agent
  agents move <id> --desk <desk>      move a desk agent to another desk
  agents revoke <id> --reason <text>  revoke a desk agent: refused from its next connection on
  pii init <file> [--algorithm a]     write a new PII keyring file (mode 0600); sm4-gcm (default) or aes-256-gcm
  pii rotate <file> [--algorithm a]   add a new key to a keyring and make it active (default: the active key's algorithm)
  pii status                          rows per key per encrypted column, and the re-encryption's progress
  pii reencrypt [--batch-size n]      move every stored row to the active key now, with progress (resumable)
  reference import [--seed <file>] [--out <dir>]
                                      rebuild config/reference/institutions.json from the agreement text
  calendar show <YYYY-MM>             a month's working days as deadlines count them (holidays, 调休, unconfirmed)
  outbox list [--status <s>]          messages to the insurer, with counts by status
  outbox show <id|msgid>              one message with every attempt
  outbox rerun <id|msgid>             send a rejected message again (as a new msgid)
  outbox cancel <id|msgid> --reason <text>
                                      withdraw a message that is still pending
  outbox export --month YYYY-MM [--out <dir>]
                                      write the month's undelivered settlements and a summary (emergency plan)
  documents export --month YYYY-MM [--out <dir>]
                                      write the medical documents (病案首页, 出院小结, 费用明细清单,
                                      费用结算单) of the month's inpatient settlements and a manifest,
                                      each checked against its SHA-256
  forms prune [--dry-run]             delete drafts past forms.retention.draftDays and signed forms past
                                      their keep-until (never before); --dry-run only lists them
  upstream keygen <file> [--id <id>]  create the gateway's SM2 signing key
  devices list                        configured devices, and the serial ports, HID devices and
                                      PC/SC readers attached to this machine
  devices status [--url <u>] [--key <admin key>]
                                      the running gateway's devices and their status
                                      (key also from GATEWAY_API_KEY)
  devices test <id> [--wait <s>]      open one device here and wait for a card or a scan
                                      (stop the gateway first: it holds the port)
  simulate present <device> [--person <role|ID number>] [--text <code> [--aim <]xy>]]
                                      sandbox: present a seed person's ID card or social-security
                                      card at a simulated reader, or scan a code
  simulate remove <device>            sandbox: take the card away
  simulate unplug|replug <device>     sandbox: pull a simulated device's cable / plug it in again
  catalogue import <file.xlsx|file.csv> [--dry-run] [--note <text>]
                                      import the HIS → insurer catalogue mapping (编码比对) as a
                                      new current version; --dry-run only prints the report
  catalogue list                      mapping versions (* = current)
  catalogue show <hisCode>            a HIS item's current mapping and its history
  settlements list --status <s> [--url <u>] [--key <key>]
                                      the running gateway's settlements in one status (e.g. needs-review)
  settlements review <id> --requery [--staff <name>]
  settlements review <id> --resolve settled|not-settled --staff <name> --note <text> [--evidence <t>]
                      [--setl-id <id> --setl-time <t> --fund-fen <n> --self-pay-fen <n> [--line <id>:<fund>:<self>]...]
                                      IT's way out of needs-review: ask the insurer again by msgid (9201), or
                                      record what the insurer confirmed (admin key; also GATEWAY_API_KEY)
  settlements reconcile --from <yyyy-MM-dd> --to <yyyy-MM-dd> [--url <u>] [--key <key>]
                                      reconcile a period with the insurer now (3201, 3202 when it differs):
                                      totals and each differing settlement with what to do (exit 1 unless agreed)
  settlements audits [--missing | --state pending|done|closed]
                                      the insurer's audit results (R18); --missing: settlements past its
                                      30 days without a result (exit 1 when there are any)
  settlements audit <id> [--check]    one settlement's audit result with its deductions per line;
                                      --check asks the insurer (3501) first
  obligations list [--state open|done|late|waived] [--kind <kind>] [--due-before YYYY-MM-DD] [--overdue]
                                      the duties with deadlines (cross-province uploads, documents, declarations,
                                      reconciliation, audit results, rehab assessments), earliest due first
  audit verify [--from <seq|time>] [--to <seq|time>] [--checkpoint <seq>:<hash>]
                                      walks the SM3-chained audit log and names the first broken link
                                      (exit 1); --checkpoint: a head copied from the "audit chain
                                      checkpoint" log line must still be reached
  audit verify --file <export.jsonl>  checks an export offline, without the database
  audit export --from <day|time> --to <day|time> --out <file.jsonl>
                                      the audit entries of a period, with their chain hashes, for the assessor
  audit status                        sealed up to, unsealed entries, last checkpoint, retention
  audit seal                          seals pending entries now (the gateway does it every second)

Global options:
  --config <file>   overlay config file (else $GATEWAY_CONFIG)
  --sandbox         use config/sandbox.yaml, as npm start does
`;

export async function runCli(
  argv: string[],
  out: CliOutput = stdio,
  env: NodeJS.ProcessEnv = process.env,
  readStdin: () => Promise<string> = readProcessStdin,
): Promise<number> {
  if (argv[0] === 'agent') {
    // The desk agent's own CLI, loaded only here: it needs no database, no insurer, no Nest.
    const { agentCli } = await import('../agents/agent/agent-cli');
    return agentCli(argv.slice(1), { log: (l) => out.log(l), error: (l) => out.error(l) }, env);
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      sandbox: { type: 'boolean', default: false },
      name: { type: 'string' },
      desk: { type: 'string' },
      ttl: { type: 'string' },
      central: { type: 'string' },
      scopes: { type: 'string' },
      login: { type: 'string' },
      roles: { type: 'string' },
      desks: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'allow-ip': { type: 'string', multiple: true },
      'expires-in': { type: 'string' },
      expires: { type: 'string' },
      reason: { type: 'string' },
      all: { type: 'boolean', default: false },
      seed: { type: 'string' },
      out: { type: 'string' },
      status: { type: 'string' },
      month: { type: 'string' },
      id: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      wait: { type: 'string' },
      person: { type: 'string' },
      text: { type: 'string' },
      aim: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      algorithm: { type: 'string' },
      'batch-size': { type: 'string' },
      note: { type: 'string' },
      requery: { type: 'boolean' },
      resolve: { type: 'string' },
      staff: { type: 'string' },
      evidence: { type: 'string' },
      'setl-id': { type: 'string' },
      'setl-time': { type: 'string' },
      'fund-fen': { type: 'string' },
      'self-pay-fen': { type: 'string' },
      line: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      kind: { type: 'string' },
      state: { type: 'string' },
      'due-before': { type: 'string' },
      overdue: { type: 'boolean' },
      missing: { type: 'boolean' },
      check: { type: 'boolean' },
      checkpoint: { type: 'string' },
      file: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    out.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  // `simulate` only makes sense against the sandbox: it is the default config there.
  const sandboxByDefault = command === 'simulate' && !values.config && !env.GATEWAY_CONFIG;
  const selection = { configFile: values.config, sandbox: (values.sandbox ?? false) || sandboxByDefault };
  const actor = { type: 'cli' as const, id: `cli:${safeUserName()}` };
  /** The configuration the command runs with, loaded only by commands that need one. */
  const config = () => loadStartupConfig(selection, GATEWAY_FEATURES, env).config;

  try {
    switch (command) {
      case 'config':
        if (sub !== 'check') {
          throw new CliError(`unknown config command "${sub ?? ''}" — use: config check [file]`);
        }
        return configCheck({ ...selection, configFile: rest[0] ?? selection.configFile }, out, env);
      case 'migrate':
        return await migrateCommand(config(), out);
      case 'backup':
        return await backupCommand(config(), sub === undefined ? [] : [sub, ...rest], out);
      case 'apikey':
        return await apikeyCommand(config(), sub, rest, values, actor, out);
      case 'staff':
        return await staffCommand(config(), sub, rest, values, actor, out, readStdin);
      case 'agents':
        return await agentsCommand(config(), sub, rest, values, actor, out);
      case 'pii':
        return await piiCommand(sub, rest, values, config, out);
      case 'reference':
        return referenceCommand(sub, values, out);
      case 'calendar':
        return calendarCommand(config(), sub, rest, out);
      case 'outbox':
        return await outboxCommand(config(), sub, rest, values, actor, out);
      case 'documents':
        return await documentsCommand(config(), sub, values, out);
      case 'forms':
        return await formsCommand(config(), sub, values, out);
      case 'upstream':
        return upstreamCommand(sub, rest, values, out);
      case 'devices':
        return await devicesCommand(config(), sub, rest, values, out, env);
      case 'simulate':
        return await simulateCommand(config(), sub, rest, values, out);
      case 'catalogue':
        return await catalogueCommand(config(), sub, rest, values, actor, out);
      case 'settlements':
        return await settlementsCommand(config(), sub, rest, values, safeUserName(), out, env);
      case 'obligations':
        return await obligationsCommand(config(), sub, values, out);
      case 'audit':
        return await auditCommand(config, sub, values, out);
      default:
        throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      out.error(`${e.message}\nConfig read from: ${e.sources.join(', ')}`);
      return 78;
    }
    if (e instanceof CliError) {
      out.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

function configCheck(
  selection: { configFile?: string; sandbox: boolean },
  out: CliOutput,
  env: NodeJS.ProcessEnv,
): number {
  const overlay = selectOverlay(selection, env);
  try {
    const { config, sources } = loadStartupConfig(selection, GATEWAY_FEATURES, env);
    const { issues, warnings } = checkConfigSemantics(config, GATEWAY_FEATURES);
    if (issues.length > 0) {
      out.error(
        `Configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`,
      );
      return 78;
    }
    for (const w of warnings) {
      out.error(`warning: ${w}`);
    }
    out.log(
      `Configuration is valid (${config.mode} mode, ${config.hospital.name} ${config.hospital.fixmedinsCode}).\nRead from: ${sources.join(', ')}`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      out.error(`${e.message}\nConfig read from: ${e.sources.join(', ') || overlay || 'config/default.yaml'}`);
      return 78;
    }
    throw e;
  }
}

/** Everything piped in on stdin (`--password-stdin`). */
async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Ends the process once stdout and stderr are flushed. Commands that touched PC/SC must not
 * hang: with the unpatched @pokusew/pcsclite (when the patched copy could not be built, see
 * docs/devices.md) a reader's status thread can, rarely, keep Node alive after it was closed.
 */
function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (require.main === module) {
  runCli(process.argv.slice(2))
    .then((code) => exitWhenFlushed(code))
    .catch((err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      exitWhenFlushed(1);
    });
}
