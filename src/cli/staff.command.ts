import {
  auditServiceOn,
  DomainError,
  GatewayConfig,
  loadKeyring,
  PiiCryptoService,
  type Principal,
  staffServiceOn,
  type StaffUser,
  SystemClock,
} from '../platform';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

interface StaffOptions {
  login?: string;
  name?: string;
  roles?: string;
  desks?: string;
  reason?: string;
  'password-stdin'?: boolean;
}

const USE =
  'use: staff create --login <l> --name <n> --roles <a,b> [--desks <d1,d2>] [--password-stdin] | ' +
  'staff reset <login> [--password-stdin] | staff disable <login> --reason <text> | staff list';

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The first line of what was piped in (a password never comes from the command line, where `ps` shows it). */
async function passwordFrom(readStdin: () => Promise<string>): Promise<string> {
  const password = (await readStdin()).split(/\r?\n/)[0];
  if (!password) {
    throw new CliError('--password-stdin: nothing was piped in (e.g. printf %s "$PASSWORD" | gateway staff …)');
  }
  return password;
}

function describe(u: StaffUser): string {
  return `${u.login} "${u.displayName}" (${u.roles.join(', ')}${u.desks.length ? `; desks ${u.desks.join(', ')}` : ''})`;
}

/** `staff create|reset|disable|list`: the console's staff accounts, straight on the database (as `apikey`). */
export async function staffCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: StaffOptions,
  actor: Pick<Principal, 'type' | 'id'>,
  out: CliOutput,
  readStdin: () => Promise<string>,
): Promise<number> {
  if (sub !== 'create' && sub !== 'reset' && sub !== 'disable' && sub !== 'list') {
    throw new CliError(`unknown staff command "${sub ?? ''}" — ${USE}`);
  }
  if (sub === 'create' && (!options.login || !options.name || !options.roles)) {
    throw new CliError(`staff create needs --login, --name and --roles — ${USE}`);
  }
  if ((sub === 'reset' || sub === 'disable') && !rest[0]) {
    throw new CliError(`staff ${sub} needs the login — ${USE}`);
  }
  if (sub === 'disable' && !options.reason) {
    throw new CliError(`staff disable needs --reason "<why>" — ${USE}`);
  }
  const given = options['password-stdin'] ? await passwordFrom(readStdin) : undefined;
  return withDataSource(config, async (dataSource) => {
    const clock = new SystemClock();
    const audit = auditServiceOn(dataSource, new PiiCryptoService(loadKeyring(config.pii)), clock);
    const service = staffServiceOn(dataSource, audit, clock);
    try {
      switch (sub) {
        case 'create': {
          const { staff, password } = await service.create(
            {
              login: options.login as string,
              displayName: options.name as string,
              roles: list(options.roles),
              desks: list(options.desks),
              password: given,
            },
            actor,
          );
          out.log(`Created staff account ${describe(staff)}.`);
          printPassword(out, password);
          return 0;
        }
        case 'reset': {
          const { staff, password } = await service.reset(rest[0], actor, given);
          out.log(
            `New password for ${describe(staff)}; the account is unlocked and its sessions have ended. ` +
              'They must choose their own password when they next sign in.',
          );
          printPassword(out, password);
          return 0;
        }
        case 'disable': {
          const staff = await service.disable(rest[0], options.reason as string, actor);
          out.log(`Staff account ${staff.login} is disabled; its sessions have ended and its logins are refused.`);
          return 0;
        }
        case 'list': {
          const users = await service.list();
          if (users.length === 0) {
            out.log(
              'No staff accounts. Create one with: npm run gateway -- staff create --login zhangsan --name 张三 --roles desk --desks 门诊挂号1',
            );
            return 0;
          }
          out.log(
            ['LOGIN            NAME             ROLES                 DESKS                 LAST LOGIN  STATUS']
              .concat(
                users.map((u) =>
                  [
                    u.login.padEnd(16),
                    u.displayName.padEnd(16).slice(0, 16),
                    u.roles.join(',').padEnd(21).slice(0, 21),
                    (u.desks.join(',') || '-').padEnd(21).slice(0, 21),
                    (u.lastLoginAt ? u.lastLoginAt.toISOString().slice(0, 10) : '-').padEnd(11),
                    u.state === 'disabled'
                      ? `disabled (${u.disabledReason ?? ''})`
                      : u.lockedUntil && u.lockedUntil > clock.now()
                        ? `locked until ${u.lockedUntil.toISOString()}`
                        : 'active',
                  ].join(' '),
                ),
              )
              .join('\n'),
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

function printPassword(out: CliOutput, password: string | undefined): void {
  if (password === undefined) {
    out.log('The password is the one piped in; the gateway keeps only its scrypt hash.');
    return;
  }
  out.log(`\n  ${password}\n`);
  out.log('This password is shown only now: hand it to the person. The gateway keeps only its scrypt hash.');
}
