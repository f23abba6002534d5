import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  auditServiceOn,
  databaseSchema,
  decodeKeyring,
  DomainError,
  generateKeyringDocument,
  LocalStaffDirectory,
  openDataSource,
  PiiCryptoService,
  PLATFORM_FEATURE,
  runMigrations,
  StaffSessionRepository,
  StaffSessionService,
  staffServiceOn,
  StaffUserRepository,
  Transactions,
} from '../../src/platform';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { PinnedClock } from '../support/pinned-clock';
import { testConfig } from '../support/test-config';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-it-staffage-'));
const DAY = 86_400_000;
const IT = { type: 'cli', id: 'cli:test' } as const;

/** staff.passwordMaxAgeDays against a real database: 0 never expires; expiry is decided by the sign-in. */
describe.each(availableDatabases())('staff password age on %s', (kind: DbKind) => {
  let cleanup: () => Promise<void>;
  let ds: DataSource;

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, databaseSchema([PLATFORM_FEATURE]));
    await runMigrations(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  /** The account `login` made now, and the session service on staff.passwordMaxAgeDays = `maxAgeDays`. */
  async function setUp(login: string, maxAgeDays: number) {
    const clock = new PinnedClock(new Date('2026-12-04T02:00:00Z'));
    const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1'))), clock);
    await staffServiceOn(ds, audit, clock).create(
      { login, displayName: '测试', roles: ['desk'], password: 'first-password-1' },
      IT,
    );
    const users = new StaffUserRepository(ds);
    const config = testConfig({ staff: { passwordMaxAgeDays: maxAgeDays } });
    const sessions = new StaffSessionService(
      new Transactions(ds),
      users,
      new StaffSessionRepository(ds),
      new LocalStaffDirectory(users),
      audit,
      clock,
      config,
    );
    const signIn = () => sessions.login({ login, password: 'first-password-1' }, '10.0.0.1');
    return { clock, sessions, signIn };
  }

  it('never expires a password with passwordMaxAgeDays 0', async () => {
    const { clock, sessions, signIn } = await setUp(`never-${kind}`, 0);
    clock.advance(400 * DAY);
    const started = await signIn();
    expect(started.staff).toMatchObject({
      passwordChangeRequired: false,
      passwordExpiresAt: null,
      passwordExpiresSoon: false,
    });
    await expect(sessions.authenticate(started.cookieValue, 'GET', undefined)).resolves.toBeDefined();
  });

  it('lets a session signed in before the expiry work on past it; the next sign-in must change', async () => {
    const { clock, sessions, signIn } = await setUp(`aged-${kind}`, 30);
    clock.advance(30 * DAY - 10 * 60_000);
    const before = await signIn();
    expect(before.staff).toMatchObject({ passwordChangeRequired: false, passwordExpiresSoon: true });
    clock.advance(20 * 60_000);
    await expect(sessions.authenticate(before.cookieValue, 'GET', undefined)).resolves.toMatchObject({
      passwordChangeRequired: false,
    });
    const after = await signIn();
    expect(after.staff.passwordChangeRequired).toBe(true);
    const refused = await sessions.authenticate(after.cookieValue, 'GET', undefined).catch((e: DomainError) => e);
    expect(refused).toMatchObject({ code: 'STAFF_PASSWORD_EXPIRED', status: 403 });
    await expect(
      sessions.authenticate(after.cookieValue, 'GET', undefined, { allowPasswordChange: true }),
    ).resolves.toMatchObject({ passwordChangeRequired: true });
  });
});
