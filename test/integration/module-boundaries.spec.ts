import { join } from 'node:path';
import {
  boundaryViolations,
  importSpecifiers,
  projectViolations,
  RuleId,
  Violation,
} from '../support/module-boundaries';

/**
 * The module boundaries of issue 12, as a test. A rule that is not yet `true` here only reports
 * (its violations are printed); flip it to `true` once the work it waits for has landed:
 *
 * - capabilities-use-platform-barrel: the codemod that rewrites `../platform/x/y` imports to `../platform`.
 * - drivers-import-no-src-or-test: the drivers' contract tests stop importing test/support/eventually.
 * - devices-import-no-sandbox: devices get their simulated parts injected instead of importing sandbox/.
 * - services-have-no-sql: identity, trace-codes, forms, upstream services move their SQL to repositories.
 */
const ENFORCED: Record<RuleId, boolean> = {
  'platform-imports-no-capability': true,
  'capabilities-use-platform-barrel': true,
  'drivers-import-no-src-or-test': true,
  'devices-import-no-sandbox': true,
  'services-have-no-sql': true,
  'no-foreign-repositories': true,
};

const root = join(__dirname, '..', '..');
const all = projectViolations(root);
const byRule = (rule: RuleId): Violation[] => all.filter((v) => v.rule === rule);
const describeViolation = (v: Violation): string => `${v.file} → ${v.target}`;

describe('module boundaries', () => {
  for (const rule of Object.keys(ENFORCED) as RuleId[]) {
    if (ENFORCED[rule]) {
      it(`${rule}: nothing breaks it`, () => {
        expect(byRule(rule).map(describeViolation)).toEqual([]);
      });
    } else {
      it(`${rule}: reported only until switched on (${byRule(rule).length} now)`, () => {
        const found = byRule(rule);
        if (found.length > 0) {
          process.stderr.write(
            `\n[module-boundaries] ${rule} (not yet enforced), ${found.length}:\n  ${found.map(describeViolation).join('\n  ')}\n`,
          );
        }
        expect(found.every((v) => v.rule === rule)).toBe(true);
      });
    }
  }

  it('the platform barrel loads on its own and exposes the platform', async () => {
    const platform = await import('../../src/platform');
    for (const name of [
      'Transactions',
      'SqlDialect',
      'AuditService',
      'errorCatalogue',
      'DomainError',
      'JobRunner',
      'GatewayConfig',
      'loadConfig',
      'RequireScopes',
      'PiiCryptoService',
      'MetricsService',
      'HealthRegistry',
      'Clock',
      'uuidv7',
      'PLATFORM_ERRORS',
    ]) {
      expect(platform).toHaveProperty(name);
    }
  });
});

describe('the boundary checker itself', () => {
  const rulesOf = (file: string, source: string): RuleId[] => boundaryViolations(file, source).map((v) => v.rule);

  it('reads every form of import', () => {
    const source = [
      "import { A } from './a';",
      "import type { B } from '../b';",
      "export { C } from './c';",
      "export * from './d';",
      "import './e';",
      "const f = require('./f');",
      "const g = await import('./g');",
      "import {\n  H,\n  I,\n} from './hi';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['../b', './a', './c', './d', './e', './f', './g', './hi']);
  });

  it('flags the platform importing a capability or a root file, not its own files or packages', () => {
    expect(
      rulesOf('src/platform/config/x.ts', "import { IdentityConfig } from '../../identity/identity.config';"),
    ).toEqual(['platform-imports-no-capability']);
    expect(rulesOf('src/platform/x.ts', "import { GATEWAY_FEATURES } from '../gateway.features';")).toEqual([
      'platform-imports-no-capability',
    ]);
    expect(rulesOf('src/platform/x.ts', "import { A } from 'src/forms/forms.service';")).toEqual([
      'platform-imports-no-capability',
    ]);
    expect(
      rulesOf('src/platform/x.ts', "import { Clock } from './clock';\nimport { DataSource } from 'typeorm';"),
    ).toEqual([]);
  });

  it('flags a capability reaching inside the platform, not the barrel', () => {
    expect(rulesOf('src/identity/x.ts', "import { Clock } from '../platform/clock';")).toEqual([
      'capabilities-use-platform-barrel',
    ]);
    expect(rulesOf('src/main.ts', "import { loadConfig } from './platform/config/config-loader';")).toEqual([
      'capabilities-use-platform-barrel',
    ]);
    expect(rulesOf('src/upstream/outbox/x.ts', "import { Clock } from '../../platform';")).toEqual([]);
    expect(rulesOf('src/identity/x.ts', "import { Clock } from '../platform/index';")).toEqual([]);
  });

  it('flags drivers importing src or test', () => {
    expect(
      rulesOf('drivers/readers/x.contract.ts', "import { eventually } from '../../test/support/eventually';"),
    ).toEqual(['drivers-import-no-src-or-test']);
    expect(rulesOf('drivers/readers/x.ts', "import { Clock } from '../../src/platform';")).toEqual([
      'drivers-import-no-src-or-test',
    ]);
    expect(rulesOf('drivers/readers/x.ts', "import { T } from '../transports/t';")).toEqual([]);
  });

  it('flags devices importing sandbox', () => {
    expect(rulesOf('src/devices/simulated/x.ts', "import { SEED } from '../../sandbox/seed-people';")).toEqual([
      'devices-import-no-sandbox',
    ]);
    expect(rulesOf('src/sandbox/x.ts', "import { DeviceEvents } from '../devices/device-events';")).toEqual([]);
  });

  it('flags SQL in a service, not in a repository or a comment', () => {
    expect(rulesOf('src/forms/forms.service.ts', 'constructor(private readonly dataSource: DataSource) {}')).toEqual([
      'services-have-no-sql',
    ]);
    expect(rulesOf('src/forms/drafts.service.ts', 'return m.getRepository(FormDocument).find();')).toEqual([
      'services-have-no-sql',
    ]);
    expect(rulesOf('src/forms/drafts.service.ts', "await manager.query('SELECT 1');")).toEqual([
      'services-have-no-sql',
    ]);
    expect(rulesOf('src/forms/forms.repository.ts', 'constructor(private readonly dataSource: DataSource) {}')).toEqual(
      [],
    );
    expect(rulesOf('src/forms/drafts.service.ts', '// no DataSource here\n/* nor getRepository */')).toEqual([]);
  });

  it("flags a capability importing another capability's repository, not its own", () => {
    expect(rulesOf('src/forms/x.ts', "import { IdentityRepository } from '../identity/identity.repository';")).toEqual([
      'no-foreign-repositories',
    ]);
    expect(rulesOf('src/forms/signing.service.ts', "import { FormsRepository } from './forms.repository';")).toEqual(
      [],
    );
  });
});
