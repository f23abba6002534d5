import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import type { CatalogueError } from '../../src/platform/errors/error-catalogue';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { answerOf, SEED } from '../support/identity-fixtures';
import { SETTLEMENT_HIS as HIS, settlementVisitsOn, type SettlementVisitsWorld } from '../support/settlement-visits';
import { testConfig } from '../support/test-config';
import { FixedClock } from '../support/trace-codes';

jest.setTimeout(30_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-xprov-visits-'));
const CROSS = SEED.crossWithFiling;
const NO_FILING = SEED.crossNoFiling;

/**
 * R11 (协议 33): a cross-province worker's admission and discharge are checked against the filing
 * when HIS gives the visit's MATCH token; a refusal stores nothing. The worker behind each token is
 * the insurer's 1101 answer (faked at identity's boundary, as the settlement specs do).
 */
describe.each(availableDatabases())('cross-province admission and discharge on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let w: SettlementVisitsWorld;
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  const count = async (sql: string): Promise<number> => Number((await ds.query<{ n: number | string }[]>(sql))[0].n);
  const refusal = async (p: Promise<unknown>): Promise<CatalogueError> => {
    try {
      await p;
    } catch (e) {
      return e as CatalogueError;
    }
    throw new Error('expected a refusal');
  };

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    w = settlementVisitsOn(ds, clock, testConfig());
    // The filing ends on 2026-11-30 for the second stay's token.
    w.neighbours.workers.set('tok-cross', {
      visitId: 'ZY-X1',
      psnNo: CROSS.psn_no,
      answer: answerOf(CROSS),
      source: 'insurer',
    });
    w.neighbours.workers.set('tok-short', {
      visitId: 'ZY-X2',
      psnNo: CROSS.psn_no,
      source: 'insurer',
      answer: answerOf(CROSS, (a) => ({
        ...a,
        cross_province: {
          insuplc_admdvs: '620100',
          filing: { filing_no: 'BA62010020260512003', valid_from: '2026-05-12', valid_to: '2026-11-30' },
        },
      })),
    });
    w.neighbours.workers.set('tok-none', {
      visitId: 'ZY-X3',
      psnNo: NO_FILING.psn_no,
      answer: answerOf(NO_FILING),
      source: 'insurer',
    });
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('admits a filed worker within the filing and refuses one without a filing, storing nothing', async () => {
    const opened = await w.visits.open(
      HIS,
      { visitId: 'ZY-X1', psnNo: CROSS.psn_no, kind: 'inpatient', admissionDate: '2026-11-20' },
      'tok-cross',
    );
    expect(opened.created).toBe(true);
    const before = await count('SELECT COUNT(*) AS n FROM settlement_visit');
    const e = await refusal(
      w.visits.open(
        HIS,
        { visitId: 'ZY-X3', psnNo: NO_FILING.psn_no, kind: 'inpatient', admissionDate: '2026-11-20' },
        'tok-none',
      ),
    );
    expect(e.code).toBe('SETTLEMENT_CROSS_PROVINCE_FILING');
    expect(e.message).toContain('不能办理入院登记');
    expect(e.message).toContain('未办理异地就医备案');
    expect(await count('SELECT COUNT(*) AS n FROM settlement_visit')).toBe(before);
    // The token must be this visit's person.
    const wrong = await refusal(
      w.visits.open(
        HIS,
        { visitId: 'ZY-X1', psnNo: SEED.activeFingers.psn_no, kind: 'inpatient', admissionDate: '2026-11-20' },
        'tok-cross',
      ),
    );
    expect(wrong.code).toBe('TOKEN_WRONG_PERSON');
  });

  it('refuses a discharge (or discharge notice) after the filing ended, leaving the stay as it was', async () => {
    await w.visits.open(
      HIS,
      { visitId: 'ZY-X2', psnNo: CROSS.psn_no, kind: 'inpatient', admissionDate: '2026-11-20' },
      'tok-short',
    );
    for (const change of [{ dischargeDate: '2026-12-02' }, { dischargeNoticeDate: '2026-12-01' }]) {
      const e = await refusal(w.visits.update(HIS, 'ZY-X2', change, 'tok-short'));
      expect(e.code).toBe('SETTLEMENT_CROSS_PROVINCE_FILING');
      expect(e.message).toContain('不能办理出院登记');
      expect(e.message).toContain('有效期 2026-05-12 至 2026-11-30');
    }
    expect(await w.visits.get('ZY-X2')).toMatchObject({ dischargeDate: null, dischargeNoticeDate: null });
    // Within the filing it goes through; a ward change needs no check.
    expect(await w.visits.update(HIS, 'ZY-X2', { dischargeDate: '2026-11-30' }, 'tok-short')).toMatchObject({
      dischargeDate: '2026-11-30',
    });
    expect(await w.visits.update(HIS, 'ZY-X2', { ward: '二病区' }, 'tok-short')).toMatchObject({ ward: '二病区' });
  });
});
