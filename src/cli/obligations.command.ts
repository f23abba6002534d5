import { beijingDay } from '../calendar/rules/working-days';
import { OBLIGATION_KINDS, OBLIGATION_STATES, type Obligation } from '../obligations/obligation.entity';
import { listObligationsOn } from '../obligations/standalone-obligations';
import type { GatewayConfig } from '../platform';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

const USE = `use: obligations list [--state open|done|late|waived] [--kind <kind>] [--due-before YYYY-MM-DD] [--overdue]
   kinds: ${OBLIGATION_KINDS.join(', ')}`;

const STATE_ZH: Record<Obligation['state'], string> = { open: '待办', done: '已完成', late: '逾期', waived: '已免除' };

export interface ObligationsOptions {
  state?: string;
  kind?: string;
  'due-before'?: string;
  overdue?: boolean;
}

/**
 * `obligations list`: the duties with deadlines from the database (works with the gateway stopped),
 * earliest due first, with what each is waiting for or its evidence, and a count of overdue ones.
 */
export async function obligationsCommand(
  config: GatewayConfig,
  sub: string | undefined,
  options: ObligationsOptions,
  out: CliOutput,
  now: Date = new Date(),
): Promise<number> {
  if (sub !== 'list') {
    throw new CliError(USE);
  }
  if (options.state && !(OBLIGATION_STATES as readonly string[]).includes(options.state)) {
    throw new CliError(`--state must be one of ${OBLIGATION_STATES.join(', ')}\n${USE}`);
  }
  if (options.kind && !(OBLIGATION_KINDS as readonly string[]).includes(options.kind)) {
    throw new CliError(`--kind must be one of ${OBLIGATION_KINDS.join(', ')}\n${USE}`);
  }
  const dueBefore = options['due-before'];
  if (dueBefore !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(dueBefore)) {
    throw new CliError(`--due-before must be a day as YYYY-MM-DD (e.g. 2027-01-08)\n${USE}`);
  }
  const today = beijingDay(now);
  return withDataSource(config, async (ds) => {
    const rows = await listObligationsOn(ds, {
      state: options.state as Obligation['state'] | undefined,
      kind: options.kind as Obligation['kind'] | undefined,
      dueBefore,
      overdueOn: options.overdue ? today : undefined,
      limit: 500,
    });
    rows.sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id.localeCompare(b.id));
    let overdue = 0;
    for (const o of rows) {
      const late = o.fulfilledAt === null && o.state !== 'waived' && o.dueOn < today;
      overdue += late ? 1 : 0;
      out.log(
        [
          o.dueOn + (o.dueConfirmed ? '' : ' 未确认'),
          `${o.state} ${STATE_ZH[o.state]}${late ? ' 已过期限' : ''}`,
          o.kind,
          `${o.subjectType} ${o.subjectId}`,
          o.owedBy === 'insurer' ? '(insurer)' : '',
          o.attempts > 0 ? `attempts ${o.attempts}` : '',
          o.lastError ? `last error: ${o.lastError}` : '',
          note(o),
        ]
          .filter((s) => s !== '')
          .join('  '),
      );
      out.log(`    ${o.id}  ${o.rule}`);
    }
    out.log(
      rows.length === 0
        ? 'no duties match'
        : `${rows.length} duty(ies)${rows.length === 500 ? ' (first 500)' : ''}; ${overdue} overdue (today ${today}, Beijing)`,
    );
    return 0;
  });
}

function note(o: Obligation): string {
  if (o.state === 'waived') {
    return `waived by ${o.waivedBy ?? '?'}: ${o.waivedReason ?? ''}`;
  }
  if (o.evidence) {
    return `evidence ${JSON.stringify(o.evidence)}`;
  }
  return o.detail ? `needs ${JSON.stringify(o.detail)}` : '';
}
