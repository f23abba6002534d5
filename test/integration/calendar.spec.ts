import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALENDAR_FEATURE } from '../../src/calendar/calendar.feature';
import { loadCalendar } from '../../src/calendar/calendar-loader';
import { CalendarService } from '../../src/calendar/calendar.service';
import { calendarCommand } from '../../src/cli/calendar.command';
import { Clock, HealthRegistry } from '../../src/platform';
import { testConfig } from '../support/test-config';

class FixedClock extends Clock {
  constructor(private readonly at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
}

const YEAR_2027 = `year: 2027
source: 测试用安排（非国务院通知）
holidays:
  - { date: 2027-01-01, name: 元旦 }
  - { from: 2027-02-06, to: 2027-02-12, name: 春节 }
workdays:
  - { date: 2027-02-13, name: 春节 }
`;
const TODAY = new Date('2026-12-03T02:00:00Z'); // Beijing 2026-12-03: 2027 is within 60 days

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-calendar-'));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function lines(): {
  out: { log: (t: string) => void; error: (t: string) => void };
  logged: string[];
  errors: string[];
} {
  const logged: string[] = [];
  const errors: string[] = [];
  return { out: { log: (t) => logged.push(t), error: (t) => errors.push(t) }, logged, errors };
}

describe('the working-day calendar of a gateway (config/calendar)', () => {
  it('without a file for 2027 in December 2026: /health degraded naming the file to add; deadlines unconfirmed', async () => {
    const dir = folder({});
    const registry = new HealthRegistry();
    const service = new CalendarService(testConfig({ calendar: { dir } }), new FixedClock(TODAY), registry);
    service.onModuleInit();
    const health = await service.check();
    expect(health).toMatchObject({ status: 'degraded', unknownYears: [2027], knownUntil: 2026 });
    expect(health.detail).toContain(join(dir, '2027.yaml'));
    expect(service.workingDaysAfter(new Date('2026-12-28T02:00:00Z'), 5)).toEqual({
      date: '2027-01-04',
      confirmed: false,
    });
    // The config check says so as a warning (the gateway starts).
    const check = CALENDAR_FEATURE.checkConfig?.(testConfig({ calendar: { dir } }));
    expect(check?.issues).toEqual([]);
  });

  it('with config/calendar/2027.yaml: up, and 2027-01-01 counted as the holiday it is', async () => {
    const dir = folder({ '2027.yaml': YEAR_2027 });
    const service = new CalendarService(testConfig({ calendar: { dir } }), new FixedClock(TODAY), new HealthRegistry());
    expect(await service.check()).toMatchObject({ status: 'up', unknownYears: [], knownUntil: 2027 });
    expect(service.workingDaysAfter(new Date('2026-12-28T02:00:00Z'), 5)).toEqual({
      date: '2027-01-05',
      confirmed: true,
    });
  });

  it('a broken file, or two for one year: every problem named, the config check refuses to start, nothing half-read', () => {
    const dir = folder({
      '2027.yaml': YEAR_2027,
      '2027-copy.yml': YEAR_2027,
      '2028.yaml': 'year: 2028\nsource: x\nholidays:\n  - { date: 2028-02-30, name: 春节 }\n',
    });
    const { problems } = loadCalendar(dir);
    expect(problems).toEqual([
      expect.stringContaining('year 2027 is also given by'),
      expect.stringContaining('2028.yaml: holidays[0]: expected date'),
    ]);
    const check = CALENDAR_FEATURE.checkConfig?.(testConfig({ calendar: { dir } }));
    expect(check?.issues.map((i) => i.key)).toEqual(['calendar.dir', 'calendar.dir']);
    expect(
      () => new CalendarService(testConfig({ calendar: { dir } }), new FixedClock(TODAY), new HealthRegistry()),
    ).toThrow(/2028\.yaml/);
  });

  it('gateway calendar show 2027-01: each day, unconfirmed without the file, the holiday with it', () => {
    const without = lines();
    expect(
      calendarCommand(testConfig({ calendar: { dir: folder({}) } }), 'show', ['2027-01'], without.out, TODAY),
    ).toBe(0);
    expect(without.logged[0]).toContain('UNCONFIRMED');
    expect(without.logged).toContain('  2027-01-01 周五  工作日  未确认');
    expect(without.logged[without.logged.length - 1]).toBe('21 working days (unconfirmed)');
    expect(without.errors[0]).toContain('2027.yaml');

    const withFile = lines();
    const dir = folder({ '2027.yaml': YEAR_2027 });
    expect(calendarCommand(testConfig({ calendar: { dir } }), 'show', ['2027-01'], withFile.out, TODAY)).toBe(0);
    expect(withFile.logged).toContain('  2027-01-01 周五  节假日（元旦）');
    expect(withFile.logged[withFile.logged.length - 1]).toBe('20 working days');
    expect(withFile.errors).toEqual([]);
    expect(() => calendarCommand(testConfig({ calendar: { dir } }), 'show', ['2027-1'], withFile.out, TODAY)).toThrow(
      /calendar show YYYY-MM/,
    );
  });
});
