import {
  apiKeyServiceOn,
  auditServiceOn,
  beijingDay,
  beijingMinute,
  type Clock,
  DomainError,
  GatewayConfig,
  loadKeyring,
  parseDuration,
  PiiCryptoService,
  type Principal,
  SystemClock,
} from '../platform';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

interface ApikeyOptions {
  name?: string;
  scopes?: string;
  'allow-ip'?: string[];
  reason?: string;
  all?: boolean;
  'expires-in'?: string;
  expires?: string;
}

/**
 * `--expires-in 90d` (d, h or m) or `--expires <date>`: a bare date `2027-03-01` means 00:00 Beijing
 * time that day (the key works through the day before); an ISO 8601 instant is taken as it is.
 */
export function expiryOf(options: ApikeyOptions, clock: Clock): Date | undefined {
  if (options['expires-in'] !== undefined && options.expires !== undefined) {
    throw new CliError('give either --expires-in <90d> or --expires <date>, not both');
  }
  if (options['expires-in'] !== undefined) {
    const ms = parseDuration(options['expires-in']);
    if (ms === undefined || ms <= 0) {
      throw new CliError(
        `--expires-in ${options['expires-in']}: expected a number of days, hours or minutes, e.g. 90d, 12h`,
      );
    }
    return new Date(clock.now().getTime() + ms);
  }
  if (options.expires !== undefined) {
    const text = options.expires.trim();
    const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00+08:00` : text);
    if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
      throw new CliError(`--expires ${options.expires}: expected a date (2027-03-01) or an ISO 8601 time`);
    }
    return at;
  }
  return undefined;
}

export async function apikeyCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: ApikeyOptions,
  actor: Pick<Principal, 'type' | 'id'>,
  out: CliOutput,
): Promise<number> {
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
    throw new CliError(`unknown apikey command "${sub ?? ''}" — use: apikey create | list | revoke`);
  }
  return withDataSource(config, async (dataSource) => {
    const clock = new SystemClock();
    const audit = auditServiceOn(dataSource, new PiiCryptoService(loadKeyring(config.pii)), clock);
    const service = apiKeyServiceOn(dataSource, audit, clock, undefined, config);
    try {
      switch (sub) {
        case 'create': {
          if (!options.name || !options.scopes) {
            throw new CliError('apikey create needs --name "<what it is for>" and --scopes <scope,scope>');
          }
          const scopes = options.scopes
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const { key, token } = await service.create(
            { name: options.name, scopes, allowIps: options['allow-ip'], expiresAt: expiryOf(options, clock) },
            actor,
          );
          out.log(
            `Created API key ${key.id} "${key.name}" with scopes ${key.scopes.join(', ')}${key.allowIps ? `, allowed from ${key.allowIps.join(', ')}` : ''}${key.expiresAt ? `, expiring ${beijingMinute(key.expiresAt)} Beijing time` : ', without expiry'}.`,
          );
          out.log(`\n  ${token}\n`);
          out.log('This token is shown only now: put it in the HIS configuration. The gateway keeps only its hash.');
          return 0;
        }
        case 'list': {
          const keys = await service.list(options.all ?? false);
          if (keys.length === 0) {
            out.log('No API keys. Create one with: npm run gateway -- apikey create --name "HIS" --scopes identity');
            return 0;
          }
          out.log(
            [
              'ID            NAME                           SCOPES                          CREATED     LAST USED   EXPIRES     STATUS',
            ]
              .concat(
                keys.map((k) =>
                  [
                    k.id.padEnd(13),
                    k.name.padEnd(30).slice(0, 30),
                    k.scopes.join(',').padEnd(31).slice(0, 31),
                    k.createdAt.toISOString().slice(0, 10),
                    (k.lastUsedAt ? k.lastUsedAt.toISOString().slice(0, 10) : '-').padEnd(11),
                    (k.expiresAt ? beijingDay(k.expiresAt) : 'never').padEnd(11),
                    k.revokedAt
                      ? `revoked ${k.revokedAt.toISOString().slice(0, 10)}`
                      : k.expiresAt && k.expiresAt <= clock.now()
                        ? 'expired'
                        : 'active',
                  ].join(' '),
                ),
              )
              .join('\n'),
          );
          return 0;
        }
        case 'revoke': {
          const id = rest[0];
          if (!id || !options.reason) {
            throw new CliError('apikey revoke needs the key id and --reason "<why>"');
          }
          const key = await service.revoke(id, options.reason, actor);
          out.log(`API key ${key.id} "${key.name}" is revoked; running gateways refuse it within a second.`);
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
