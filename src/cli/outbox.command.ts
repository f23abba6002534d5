import {
  auditServiceOn,
  DomainError,
  GatewayConfig,
  loadKeyring,
  PiiCryptoService,
  type Principal,
  SystemClock,
} from '../platform';
import { OUTBOX_STATUSES, OutboxStatus } from '../upstream/outbox/outbox-message.entity';
import { exportUndeliveredOn, standaloneOutbox } from '../upstream/outbox/standalone-outbox';
import { join } from 'node:path';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

export async function outboxCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: { status?: string; reason?: string; month?: string; out?: string },
  actor: Pick<Principal, 'type' | 'id'>,
  out: CliOutput,
): Promise<number> {
  if (sub !== 'list' && sub !== 'show' && sub !== 'rerun' && sub !== 'cancel' && sub !== 'export') {
    throw new CliError(
      'use: outbox list [--status s] | outbox show <id|msgid> | outbox rerun <id|msgid> | outbox cancel <id|msgid> --reason <text> | outbox export --month YYYY-MM [--out dir]',
    );
  }
  if (options.status && !(OUTBOX_STATUSES as readonly string[]).includes(options.status)) {
    throw new CliError(`--status must be one of ${OUTBOX_STATUSES.join(', ')}`);
  }
  return withDataSource(config, async (dataSource) => {
    const clock = new SystemClock();
    const pii = new PiiCryptoService(loadKeyring(config.pii));
    const audit = auditServiceOn(dataSource, pii, clock);
    const outbox = standaloneOutbox(dataSource, config, clock, audit, pii);
    try {
      switch (sub) {
        case 'list': {
          const counts = await outbox.countByStatus();
          out.log(
            Object.entries(counts)
              .map(([k, v]) => `${k} ${v}`)
              .join('  '),
          );
          for (const m of await outbox.list({ status: options.status as OutboxStatus | undefined, limit: 50 })) {
            out.log(
              `${m.msgid}  ${m.infno}  ${m.status.padEnd(9)}  attempts ${String(m.attempts).padStart(3)}  ${m.createdAt.toISOString()}  ${m.lastError ?? ''}`,
            );
          }
          return 0;
        }
        case 'show': {
          const { message, attempts } = await outbox.get(requireId(rest));
          out.log(
            `${message.msgid} (${message.id}) infno ${message.infno} status ${message.status} attempts ${message.attempts}`,
          );
          out.log(
            `subject ${message.subjectKey ?? '-'}  created ${message.createdAt.toISOString()}  next ${message.nextAttemptAt.toISOString()}`,
          );
          if (message.lastError) {
            out.log(`last error: ${message.lastError}`);
          }
          for (const a of attempts) {
            out.log(
              `  ${a.startedAt.toISOString()} ${a.kind.padEnd(5)} ${a.outcome.padEnd(13)} ${String(a.latencyMs).padStart(6)} ms  ${a.httpStatus ?? '-'}  ${a.detail ?? ''}  (${a.instanceId})`,
            );
          }
          return 0;
        }
        case 'rerun': {
          const copy = await outbox.rerun(requireId(rest), actor);
          out.log(`Queued again as ${copy.msgid}.`);
          return 0;
        }
        case 'export': {
          if (!options.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) {
            throw new CliError('outbox export needs --month YYYY-MM');
          }
          const result = await exportUndeliveredOn(
            dataSource,
            options.month,
            options.out ?? join(config.dataDir, 'exports'),
            clock.now(),
            pii,
          );
          out.log(
            `${result.messages} undelivered settlement message(s) of ${result.month}:\n  ${result.files.summary}\n  ${result.files.details}`,
          );
          return 0;
        }
        case 'cancel': {
          if (!options.reason) {
            throw new CliError('outbox cancel needs --reason "<why>"');
          }
          const m = await outbox.cancel(requireId(rest), options.reason, actor);
          out.log(`${m.msgid} is cancelled and will not be sent.`);
          return 0;
        }
      }
    } catch (e) {
      if (e instanceof DomainError) {
        throw new CliError(e.userMessage);
      }
      throw e;
    }
  });
}

function requireId(rest: string[]): string {
  if (!rest[0]) {
    throw new CliError('name the message by its id or msgid');
  }
  return rest[0];
}
