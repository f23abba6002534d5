import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DeviceEvents } from '../../src/devices/device-events';
import { AuditService } from '../../src/platform/audit/audit.service';
import type { Principal } from '../../src/platform/auth/principal';
import { Clock } from '../../src/platform/clock';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import type { DomainError } from '../../src/platform/errors/domain-error';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { TraceCodesService } from '../../src/trace-codes/trace-codes.service';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';

class FixedClock extends Clock {
  constructor(public t: Date) {
    super();
  }
  now(): Date {
    return new Date(this.t);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'gw-trace-'));
const HIS: Principal = { type: 'system', id: 'his-test', name: 'HIS', scopes: ['trace-codes'] };
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

describe.each(availableDatabases())('trace-code store on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let database: Awaited<ReturnType<typeof testDatabase>>['database'];
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  const keyring = decodeKeyring(generateKeyringDocument('k'));
  const serviceOn = (d: DataSource): TraceCodesService => new TraceCodesService(d, clock, new AuditService(d, new PiiCryptoService(keyring), clock), new DeviceEvents());
  let svc: TraceCodesService;
  const count = async (sql: string): Promise<number> => Number((await ds.query<{ n: number | string }[]>(sql))[0].n);

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    database = t.database;
    cleanup = t.cleanup;
    ds = await openDataSource(database, dataDir);
    await runMigrations(ds);
    svc = serviceOn(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  const line = (visitId: string, lineNo: string, quantity: number, splitPackage = false) =>
    svc.declareLines(HIS, visitId, [{ lineNo, medListCode: 'XJ01CAA040A001010100001', drugName: '阿莫西林胶囊', quantity, splitPackage }]);

  it('a code dispensed on one visit is refused on another with when and where; after a return it can be dispensed again', async () => {
    await line('V1', '1', 1);
    await line('V2', '1', 1);
    await svc.scan(HIS, 'V1', '1', code(1));
    const e = await refusal(svc.scan(HIS, 'V2', '1', code(1)));
    expect(e).toMatchObject({ status: 409, code: 'TRACE_CODE_ALREADY_DISPENSED' });
    expect(e.details?.[0].context).toEqual({ dispensedAt: '2026-11-25T01:00:00.000Z', visitId: 'V1', lineNo: '1' });

    const back = await svc.returnCodes(HIS, [code(1)], '患者退药');
    expect(back).toMatchObject({ returned: 1, uploadsCancelled: 1, alreadyUploaded: [] });
    expect((await svc.completeness('V1')).missing.map((l) => l.lineNo)).toEqual(['1']);
    await expect(svc.scan(HIS, 'V2', '1', code(1))).resolves.toMatchObject({ code: code(1), line: { held: 1, status: 'complete' } });
    // The history keeps both dispensings; the first one's upload was cancelled.
    expect(await ds.query(`SELECT visit_id, state, upload FROM trace_code_use WHERE code = '${code(1)}' ORDER BY visit_id`)).toEqual([
      { visit_id: 'V1', state: 'returned', upload: 'cancelled' },
      { visit_id: 'V2', state: 'dispensed', upload: 'pending' },
    ]);
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'trace-codes.%'`)).toBeGreaterThanOrEqual(5);
  });

  it('a batch is all or nothing: one code already dispensed elsewhere stores none of the others', async () => {
    await line('V3', '1', 3);
    const before = await count('SELECT COUNT(*) AS n FROM trace_code');
    const e = await refusal(svc.batch(HIS, 'V3', '1', [code(10), code(1), code(11)]));
    expect(e).toMatchObject({ status: 409, code: 'TRACE_BATCH_CONFLICT' });
    expect(e.details).toEqual([expect.objectContaining({ field: 'codes[1]', code: 'TRACE_CODE_ALREADY_DISPENSED', context: expect.objectContaining({ visitId: 'V2', code: code(1) }) })]);
    expect(await count('SELECT COUNT(*) AS n FROM trace_code')).toBe(before);
    expect((await svc.completeness('V3')).lines[0].held).toBe(0);
    // The same batch without the taken code (and a retry of it) stores exactly the line's codes once.
    await expect(svc.batch(HIS, 'V3', '1', [code(10), code(12), code(11)])).resolves.toMatchObject({ added: 3, line: { held: 3, status: 'complete' } });
    await expect(svc.batch(HIS, 'V3', '1', [code(11), code(10), code(12)])).resolves.toMatchObject({ added: 0, line: { held: 3 } });
    expect(await svc.feeLines('V3')).toEqual([{ feedetl_sn: '1', med_list_codg: 'XJ01CAA040A001010100001', drug_trac_codg: [code(10), code(11), code(12)], trdn_flag: '0' }]);
    await ds.transaction((m) => svc.markUploaded('V3', 'SETL1', m, HIS));
    expect(await svc.returnCodes(HIS, [code(10)], '退药')).toMatchObject({ uploadsCancelled: 0, alreadyUploaded: [{ code: code(10), setlId: 'SETL1' }] });
  });

  it('received boxes can be dispensed; a scrapped box never; a dispensed box must be returned before it is scrapped', async () => {
    await expect(svc.receive(HIS, [code(20), code(21), code(20)])).resolves.toMatchObject({ received: 2, alreadyKnown: 0 });
    await line('V4', '1', 1);
    await svc.scan(HIS, 'V4', '1', code(20));
    await expect(refusal(svc.scrap(HIS, [code(20)], '破损'))).resolves.toMatchObject({ status: 409, code: 'TRACE_CODE_DISPENSED' });
    await svc.scrap(HIS, [code(21), code(22)], '破损');
    await line('V5', '1', 1);
    await expect(refusal(svc.scan(HIS, 'V5', '1', code(21)))).resolves.toMatchObject({ status: 409, code: 'TRACE_CODE_SCRAPPED' });
    await expect(refusal(svc.returnCodes(HIS, [code(22)], '退药'))).resolves.toMatchObject({ status: 409, code: 'TRACE_CODE_NOT_DISPENSED' });
  });

  it('two gateway instances racing on the same code: exactly one wins, the other gets the 409', async () => {
    // PostgreSQL: a second pool, as a second instance would have. SQLite: one process owns the file,
    // so the race is between transactions of that process.
    const other = kind === 'postgres' ? await openDataSource(database, dataDir) : ds;
    try {
      const svc2 = serviceOn(other);
      for (let round = 0; round < 5; round++) {
        await line(`RA${round}`, '1', 1);
        await line(`RB${round}`, '1', 1);
        const results = await Promise.allSettled([svc.scan(HIS, `RA${round}`, '1', code(100 + round)), svc2.scan(HIS, `RB${round}`, '1', code(100 + round))]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toMatchObject({ status: 409, code: 'TRACE_CODE_ALREADY_DISPENSED' });
        expect(await count(`SELECT COUNT(*) AS n FROM trace_code_use WHERE code = '${code(100 + round)}'`)).toBe(1);
      }
      // A returned box racing too: both want it, one gets it.
      await svc.returnCodes(HIS, [code(100)], '退药');
      await line('RC', '1', 1);
      await line('RD', '1', 1);
      const again = await Promise.allSettled([svc.scan(HIS, 'RC', '1', code(100)), svc2.scan(HIS, 'RD', '1', code(100))]);
      expect(again.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    } finally {
      if (other !== ds) {
        await other.destroy();
      }
    }
  });
});
