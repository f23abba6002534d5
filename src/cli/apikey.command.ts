import {
  apiKeyServiceOn,
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

interface ApikeyOptions {
  name?: string;
  scopes?: string;
  'allow-ip'?: string[];
  reason?: string;
  all?: boolean;
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
    const service = apiKeyServiceOn(dataSource, audit, clock);
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
            { name: options.name, scopes, allowIps: options['allow-ip'] },
            actor,
          );
          out.log(
            `Created API key ${key.id} "${key.name}" with scopes ${key.scopes.join(', ')}${key.allowIps ? `, allowed from ${key.allowIps.join(', ')}` : ''}.`,
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
              'ID            NAME                           SCOPES                          CREATED     LAST USED   STATUS',
            ]
              .concat(
                keys.map((k) =>
                  [
                    k.id.padEnd(13),
                    k.name.padEnd(30).slice(0, 30),
                    k.scopes.join(',').padEnd(31).slice(0, 31),
                    k.createdAt.toISOString().slice(0, 10),
                    (k.lastUsedAt ? k.lastUsedAt.toISOString().slice(0, 10) : '-').padEnd(11),
                    k.revokedAt ? `revoked ${k.revokedAt.toISOString().slice(0, 10)}` : 'active',
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
