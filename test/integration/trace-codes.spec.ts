import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import type { DomainError } from '../../src/platform/errors/domain-error';
import { ARRAY_CHUNK } from '../../src/trace-codes/trace-code.repository';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import {
  FixedClock,
  HIS,
  refusal,
  traceCode as code,
  traceCodesOn,
  type TraceCodesWorld,
} from '../support/trace-codes';

// The 20,005-code batch takes 3–5 s on a loaded machine: more than jest's default 5 s would allow.
jest.setTimeout(30_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-trace-'));

describe.each(availableDatabases())('trace-code store on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let database: Awaited<ReturnType<typeof testDatabase>>['database'];
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  const serviceOn = (d: DataSource): TraceCodesWorld => traceCodesOn(d, clock);
  let svc: TraceCodesWorld;
  const count = async (sql: string): Promise<number> => Number((await ds.query<{ n: number | string }[]>(sql))[0].n);

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    database = t.database;
    cleanup = t.cleanup;
    ds = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    svc = serviceOn(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  const line = (
    visitId: string,
    lineNo: string,
    quantity: number,
    splitPackage = false,
    medListCode = 'XJ01CAA040A001010100001',
  ) =>
    svc.lines.declareLines(HIS, visitId, [{ lineNo, medListCode, drugName: '阿莫西林胶囊', quantity, splitPackage }]);
  const stateOf = async (c: string): Promise<string> =>
    (await ds.query<{ state: string }[]>(`SELECT state FROM trace_code WHERE code = '${c}'`))[0]?.state;
  const usesOf = (c: string) =>
    ds.query<{ visit_id: string; state: string; upload: string }[]>(
      `SELECT visit_id, state, upload FROM trace_code_use WHERE code = '${c}' ORDER BY visit_id`,
    );

  it('a code dispensed on one visit is refused on another with when and where; after a return it can be dispensed again', async () => {
    await line('V1', '1', 1);
    await line('V2', '1', 1);
    await svc.capture.scan(HIS, 'V1', '1', code(1));
    const e = await refusal(svc.capture.scan(HIS, 'V2', '1', code(1)));
    expect(e).toMatchObject({ status: 409, code: 'TRACE_CODE_ALREADY_DISPENSED' });
    expect(e.details?.[0].context).toEqual({ dispensedAt: '2026-11-25T01:00:00.000Z', visitId: 'V1', lineNo: '1' });

    const back = await svc.stock.returnCodes(HIS, [code(1)], '患者退药');
    expect(back).toMatchObject({ returned: 1, uploadsCancelled: 1, alreadyUploaded: [] });
    expect((await svc.settlement.completeness('V1')).missing.map((l) => l.lineNo)).toEqual(['1']);
    await expect(svc.capture.scan(HIS, 'V2', '1', code(1))).resolves.toMatchObject({
      code: code(1),
      line: { held: 1, status: 'complete' },
    });
    // The history keeps both dispensings; the first one's upload was cancelled.
    expect(
      await ds.query(`SELECT visit_id, state, upload FROM trace_code_use WHERE code = '${code(1)}' ORDER BY visit_id`),
    ).toEqual([
      { visit_id: 'V1', state: 'returned', upload: 'cancelled' },
      { visit_id: 'V2', state: 'dispensed', upload: 'pending' },
    ]);
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'trace-codes.%'`)).toBeGreaterThanOrEqual(
      5,
    );
  });

  it('a batch is all or nothing: one code already dispensed elsewhere stores none of the others', async () => {
    await line('V3', '1', 3);
    const before = await count('SELECT COUNT(*) AS n FROM trace_code');
    const e = await refusal(svc.capture.batch(HIS, 'V3', '1', [code(10), code(1), code(11)]));
    expect(e).toMatchObject({ status: 409, code: 'TRACE_BATCH_CONFLICT' });
    expect(e.details).toEqual([
      expect.objectContaining({
        field: 'codes[1]',
        code: 'TRACE_CODE_ALREADY_DISPENSED',
        context: expect.objectContaining({ visitId: 'V2', code: code(1) }),
      }),
    ]);
    expect(await count('SELECT COUNT(*) AS n FROM trace_code')).toBe(before);
    expect((await svc.settlement.completeness('V3')).lines[0].held).toBe(0);
    // The same batch without the taken code (and a retry of it) stores exactly the line's codes once.
    await expect(svc.capture.batch(HIS, 'V3', '1', [code(10), code(12), code(11)])).resolves.toMatchObject({
      added: 3,
      line: { held: 3, status: 'complete' },
    });
    await expect(svc.capture.batch(HIS, 'V3', '1', [code(11), code(10), code(12)])).resolves.toMatchObject({
      added: 0,
      line: { held: 3 },
    });
    expect(await svc.settlement.feeLines('V3')).toEqual([
      {
        feedetl_sn: '1',
        med_list_codg: 'XJ01CAA040A001010100001',
        drug_trac_codg: [code(10), code(11), code(12)],
        trdn_flag: '0',
      },
    ]);
    await ds.transaction((m) => svc.settlement.markUploaded('V3', 'SETL1', m, HIS));
    expect(await svc.stock.returnCodes(HIS, [code(10)], '退药')).toMatchObject({
      uploadsCancelled: 0,
      alreadyUploaded: [{ code: code(10), setlId: 'SETL1' }],
    });
  });

  it('received boxes can be dispensed; a scrapped box never; a dispensed box must be returned before it is scrapped', async () => {
    await expect(svc.stock.receive(HIS, [code(20), code(21), code(20)])).resolves.toMatchObject({
      received: 2,
      alreadyKnown: 0,
    });
    await line('V4', '1', 1);
    await svc.capture.scan(HIS, 'V4', '1', code(20));
    await expect(refusal(svc.stock.scrap(HIS, [code(20)], '破损'))).resolves.toMatchObject({
      status: 409,
      code: 'TRACE_CODE_DISPENSED',
    });
    await svc.stock.scrap(HIS, [code(21), code(22)], '破损');
    await line('V5', '1', 1);
    await expect(refusal(svc.capture.scan(HIS, 'V5', '1', code(21)))).resolves.toMatchObject({
      status: 409,
      code: 'TRACE_CODE_SCRAPPED',
    });
    await expect(refusal(svc.stock.returnCodes(HIS, [code(22)], '退药'))).resolves.toMatchObject({
      status: 409,
      code: 'TRACE_CODE_NOT_DISPENSED',
    });
  });

  it('a split box (拆零) feeds several split lines; a whole-box line can never take it; returns end one line’s use; the box is free once none is open', async () => {
    await line('S1', '1', 10, true);
    await line('S2', '1', 10, true);
    await line('S3', '1', 1);
    await line('S4', '1', 10, true);
    await svc.capture.scan(HIS, 'S1', '1', code(200));
    expect(await stateOf(code(200))).toBe('split-open');
    await expect(svc.capture.scan(HIS, 'S2', '1', code(200))).resolves.toMatchObject({
      line: { held: 1, status: 'split-package' },
    });
    // The same code twice on one split line is still a duplicate.
    await expect(refusal(svc.capture.scan(HIS, 'S1', '1', code(200)))).resolves.toMatchObject({
      status: 409,
      code: 'TRACE_CODE_ALREADY_DISPENSED',
    });
    // A whole-box line: the box is opened, never dispensed whole (a scan and a batch alike).
    const whole = await refusal(svc.capture.scan(HIS, 'S3', '1', code(200)));
    expect(whole).toMatchObject({ status: 409, code: 'TRACE_CODE_SPLIT_OPEN' });
    expect(whole.details?.[0].context).toEqual({
      dispensedAt: '2026-11-25T01:00:00.000Z',
      visitId: 'S1',
      lineNo: '1',
      openUses: '2',
    });
    const wholeBatch = await refusal(svc.capture.batch(HIS, 'S3', '1', [code(200)]));
    expect(wholeBatch).toMatchObject({ status: 409, code: 'TRACE_BATCH_CONFLICT' });
    expect(wholeBatch.details?.map((x) => x.code)).toEqual(['TRACE_CODE_SPLIT_OPEN']);
    // A box dispensed whole is refused on a split line, with where the whole-box use is.
    await svc.capture.scan(HIS, 'S3', '1', code(201));
    const onSplit = await refusal(svc.capture.scan(HIS, 'S4', '1', code(201)));
    expect(onSplit).toMatchObject({ status: 409, code: 'TRACE_CODE_ALREADY_DISPENSED' });
    expect(onSplit.details?.[0].context).toEqual({
      dispensedAt: '2026-11-25T01:00:00.000Z',
      visitId: 'S3',
      lineNo: '1',
    });
    // Another drug cannot share the box (one box holds one drug), mapping or not.
    await line('S5', '1', 10, true, 'XJ01OTHER');
    await expect(refusal(svc.capture.scan(HIS, 'S5', '1', code(200)))).resolves.toMatchObject({
      status: 422,
      code: 'TRACE_CODE_DRUG_MISMATCH',
    });
    // A split batch may name the shared box too.
    await expect(svc.capture.batch(HIS, 'S4', '1', [code(200), code(202)])).resolves.toMatchObject({ added: 2 });
    for (const v of ['S1', 'S2', 'S4']) {
      expect((await svc.settlement.feeLines(v))[0]).toMatchObject({
        drug_trac_codg: expect.arrayContaining([code(200)]),
        trdn_flag: '1',
      });
    }
    expect(
      await ds.query(
        `SELECT COUNT(*) AS n FROM trace_code_use WHERE code = '${code(200)}' AND split = ${kind === 'postgres' ? 'true' : '1'} AND upload = 'pending'`,
      ),
    ).toEqual([{ n: kind === 'postgres' ? '3' : 3 }]);
    // The split flag of a line holding codes cannot change (its boxes' states follow it).
    await expect(refusal(line('S4', '1', 10, false))).resolves.toMatchObject({
      status: 409,
      code: 'TRACE_LINE_HAS_CODES',
    });

    // Returns: a box open on several lines needs the line; only that line's use ends.
    await expect(refusal(svc.stock.returnCodes(HIS, [code(200)], '退药'))).resolves.toMatchObject({
      status: 422,
      code: 'TRACE_RETURN_LINE_REQUIRED',
    });
    await expect(
      refusal(svc.stock.returnCodes(HIS, [code(200)], '退药', { visitId: 'S3', lineNo: '1' })),
    ).resolves.toMatchObject({ status: 409, code: 'TRACE_CODE_NOT_DISPENSED' });
    await expect(
      svc.stock.returnCodes(HIS, [code(200)], '退药', { visitId: 'S1', lineNo: '1' }),
    ).resolves.toMatchObject({ returned: 1, uploadsCancelled: 1, stillOpen: 1 });
    expect(await usesOf(code(200))).toEqual([
      { visit_id: 'S1', state: 'returned', upload: 'cancelled' },
      { visit_id: 'S2', state: 'dispensed', upload: 'pending' },
      { visit_id: 'S4', state: 'dispensed', upload: 'pending' },
    ]);
    expect(await stateOf(code(200))).toBe('split-open');
    expect((await svc.settlement.completeness('S1')).missing.map((l) => l.lineNo)).toEqual(['1']);
    await line('S6', '1', 1);
    await expect(refusal(svc.capture.scan(HIS, 'S6', '1', code(200)))).resolves.toMatchObject({
      code: 'TRACE_CODE_SPLIT_OPEN',
    });
    await ds.transaction((m) => svc.settlement.markUploaded('S2', 'SETL-S2', m, HIS));
    await expect(
      svc.stock.returnCodes(HIS, [code(200)], '退药', { visitId: 'S2', lineNo: '1' }),
    ).resolves.toMatchObject({
      uploadsCancelled: 0,
      alreadyUploaded: [{ code: code(200), setlId: 'SETL-S2' }],
      stillOpen: 1,
    });
    // The last open use ends without naming the line: the box is back in stock and may go out whole.
    await expect(svc.stock.returnCodes(HIS, [code(200)], '退药')).resolves.toMatchObject({
      uploadsCancelled: 1,
      stillOpen: 0,
    });
    expect(await stateOf(code(200))).toBe('returned');
    await expect(svc.capture.scan(HIS, 'S6', '1', code(200))).resolves.toMatchObject({ line: { status: 'complete' } });
  });

  it('scrapping a split-open box ends it for good without ending the portions already dispensed', async () => {
    await line('P1', '1', 10, true);
    await line('P2', '1', 10, true);
    await svc.capture.scan(HIS, 'P1', '1', code(210));
    await expect(svc.stock.scrap(HIS, [code(210)], '拆零剩余部分受潮')).resolves.toMatchObject({ scrapped: 1 });
    expect(await stateOf(code(210))).toBe('scrapped');
    // P1's portion went to the patient: its use stays and is still reported.
    expect(await usesOf(code(210))).toEqual([{ visit_id: 'P1', state: 'dispensed', upload: 'pending' }]);
    expect((await svc.settlement.feeLines('P1'))[0].drug_trac_codg).toEqual([code(210)]);
    await expect(refusal(svc.capture.scan(HIS, 'P2', '1', code(210)))).resolves.toMatchObject({
      status: 409,
      code: 'TRACE_CODE_SCRAPPED',
    });
    // A return of that portion ends its use; the box stays scrapped.
    await expect(svc.stock.returnCodes(HIS, [code(210)], '退药')).resolves.toMatchObject({ uploadsCancelled: 1 });
    expect(await stateOf(code(210))).toBe('scrapped');
  });

  it('a batch larger than one array statement (PostgreSQL unnest chunks) stays all or nothing and finds the known boxes of every chunk', async () => {
    const n = ARRAY_CHUNK + 5;
    const codes = Array.from({ length: n }, (_, i) => code(1_000_000 + i));
    // Boxes known beforehand on both sides of the chunk boundary: two received, one dispensed elsewhere.
    await svc.stock.receive(HIS, [codes[3], codes[ARRAY_CHUNK + 2]]);
    await line('BIG0', '1', 1);
    await svc.capture.scan(HIS, 'BIG0', '1', codes[ARRAY_CHUNK + 4]);
    await line('BIG', '1', n);
    const before = await count('SELECT COUNT(*) AS n FROM trace_code');
    const e = await refusal(svc.capture.batch(HIS, 'BIG', '1', codes));
    expect(e).toMatchObject({ status: 409, code: 'TRACE_BATCH_CONFLICT' });
    expect(e.details?.map((x) => [x.field, x.code])).toEqual([
      [`codes[${ARRAY_CHUNK + 4}]`, 'TRACE_CODE_ALREADY_DISPENSED'],
    ]);
    expect(await count('SELECT COUNT(*) AS n FROM trace_code')).toBe(before);
    await svc.stock.returnCodes(HIS, [codes[ARRAY_CHUNK + 4]], '退药');
    await expect(svc.capture.batch(HIS, 'BIG', '1', codes)).resolves.toMatchObject({
      added: n,
      line: { held: n, status: 'complete' },
    });
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM trace_code WHERE code >= '${codes[0]}' AND code <= '${codes[n - 1]}' AND state = 'dispensed'`,
      ),
    ).toBe(n);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM trace_code_use u JOIN trace_dispensing_line l ON l.id = u.line_id WHERE l.visit_id = 'BIG' AND u.state = 'dispensed' AND u.upload = 'pending'`,
      ),
    ).toBe(n);
  });

  it('a cancelled settlement releases its codes: running ones pending again, returned ones cancelled; twice releases nothing', async () => {
    await line('R1', '1', 2);
    await svc.capture.batch(HIS, 'R1', '1', [code(700), code(701)]);
    await ds.transaction((m) => svc.settlement.markUploaded('R1', 'SETL-R1', m, HIS));
    await expect(svc.stock.returnCodes(HIS, [code(701)], '退药')).resolves.toMatchObject({
      alreadyUploaded: [{ code: code(701), setlId: 'SETL-R1' }],
    });
    // Another settlement's id releases nothing.
    await expect(ds.transaction((m) => svc.settlement.releaseUploaded('R1', 'SETL-OTHER', m, HIS))).resolves.toEqual({
      pending: 0,
      cancelled: 0,
    });
    await expect(ds.transaction((m) => svc.settlement.releaseUploaded('R1', 'SETL-R1', m, HIS))).resolves.toEqual({
      pending: 1,
      cancelled: 1,
    });
    const uses = () =>
      ds.query<{ code: string; state: string; upload: string; upload_ref: string | null }[]>(
        `SELECT code, state, upload, upload_ref FROM trace_code_use WHERE visit_id = 'R1' ORDER BY code`,
      );
    expect(await uses()).toEqual([
      { code: code(700), state: 'dispensed', upload: 'pending', upload_ref: null },
      { code: code(701), state: 'returned', upload: 'cancelled', upload_ref: null },
    ]);
    await expect(ds.transaction((m) => svc.settlement.releaseUploaded('R1', 'SETL-R1', m, HIS))).resolves.toEqual({
      pending: 0,
      cancelled: 0,
    });
    expect(
      await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'trace-codes.upload-released'`),
    ).toBeGreaterThanOrEqual(3);
    // The next settlement carries the running code again.
    await expect(ds.transaction((m) => svc.settlement.markUploaded('R1', 'SETL-R2', m, HIS))).resolves.toBe(1);
    expect((await uses())[0]).toMatchObject({ upload: 'uploaded', upload_ref: 'SETL-R2' });
  });

  it('a single scan of a new box is one read and one write on PostgreSQL, its audit entry included; the locked path takes the rest', async () => {
    // Every statement the capture sends (TypeORM sends START TRANSACTION and COMMIT through query() too).
    let statements = 0;
    const createQueryRunner = ds.createQueryRunner.bind(ds);
    const spy = jest.spyOn(ds, 'createQueryRunner').mockImplementation((mode) => {
      const runner = createQueryRunner(mode);
      const query = runner.query.bind(runner);
      runner.query = ((...args: Parameters<typeof query>) => {
        statements++;
        return query(...args);
      }) as typeof query;
      return runner;
    });
    const scanCounting = async (visitId: string, c: string): Promise<number> => {
      statements = 0;
      await svc.capture.scan(HIS, visitId, '1', c);
      return statements;
    };
    try {
      await line('SC1', '1', 3);
      const newBox = await scanCounting('SC1', code(300));
      await svc.stock.receive(HIS, [code(301)]);
      const knownBox = await scanCounting('SC1', code(301));
      if (kind === 'postgres') {
        expect(newBox).toBe(2);
        expect(knownBox).toBeGreaterThan(2);
      }
    } finally {
      spy.mockRestore();
    }
    expect(await stateOf(code(300))).toBe('dispensed');
    expect(await usesOf(code(300))).toEqual([{ visit_id: 'SC1', state: 'dispensed', upload: 'pending' }]);
    expect(await count(`SELECT code_count AS n FROM trace_dispensing_line WHERE visit_id = 'SC1'`)).toBe(2);
    const entries = await ds.query<{ actor_type: string; actor_id: string; details: string }[]>(
      `SELECT actor_type, actor_id, details FROM audit_log WHERE action = 'trace-codes.dispense' AND details LIKE '%"SC1"%' ORDER BY id`,
    );
    expect(entries.map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, unknown> }))).toEqual(
      [code(300), code(301)].map((c) => ({
        actor_type: HIS.type,
        actor_id: HIS.id,
        details: { operationId: expect.any(String), visitId: 'SC1', lineNo: '1', mode: 'add', count: 1, codes: [c] },
      })),
    );
  });

  it('scans of new boxes racing for the last places of a line, on two instances: exactly as many as the line holds win', async () => {
    const other = kind === 'postgres' ? await openDataSource(database, dataDir, GATEWAY_SCHEMA) : ds;
    try {
      const svc2 = serviceOn(other);
      await line('FULL', '1', 3);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? svc : svc2).capture.scan(HIS, 'FULL', '1', code(400 + i))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
        expect(r.reason).toMatchObject({ status: 422, code: 'TRACE_LINE_FULL' });
      }
      expect(await count(`SELECT code_count AS n FROM trace_dispensing_line WHERE visit_id = 'FULL'`)).toBe(3);
      expect(await count(`SELECT COUNT(*) AS n FROM trace_code_use WHERE visit_id = 'FULL'`)).toBe(3);
      const codes = Array.from({ length: 8 }, (_, i) => `'${code(400 + i)}'`).join(',');
      expect(await count(`SELECT COUNT(*) AS n FROM trace_code WHERE code IN (${codes})`)).toBe(3);
      expect(
        await count(
          `SELECT COUNT(*) AS n FROM audit_log WHERE action = 'trace-codes.dispense' AND details LIKE '%"FULL"%'`,
        ),
      ).toBe(3);
    } finally {
      if (other !== ds) {
        await other.destroy();
      }
    }
  });

  it('two gateway instances racing on the same code: exactly one wins, the other gets the 409', async () => {
    // PostgreSQL: a second pool, as a second instance would have. SQLite: one process owns the file,
    // so the race is between transactions of that process.
    const other = kind === 'postgres' ? await openDataSource(database, dataDir, GATEWAY_SCHEMA) : ds;
    try {
      const svc2 = serviceOn(other);
      for (let round = 0; round < 5; round++) {
        await line(`RA${round}`, '1', 1);
        await line(`RB${round}`, '1', 1);
        const results = await Promise.allSettled([
          svc.capture.scan(HIS, `RA${round}`, '1', code(100 + round)),
          svc2.capture.scan(HIS, `RB${round}`, '1', code(100 + round)),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toMatchObject({ status: 409, code: 'TRACE_CODE_ALREADY_DISPENSED' });
        expect(await count(`SELECT COUNT(*) AS n FROM trace_code_use WHERE code = '${code(100 + round)}'`)).toBe(1);
      }
      // A returned box racing too: both want it, one gets it.
      await svc.stock.returnCodes(HIS, [code(100)], '退药');
      await line('RC', '1', 1);
      await line('RD', '1', 1);
      const again = await Promise.allSettled([
        svc.capture.scan(HIS, 'RC', '1', code(100)),
        svc2.capture.scan(HIS, 'RD', '1', code(100)),
      ]);
      expect(again.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);

      // Whole-box line against split line, on a new box and on a received one: exactly one wins;
      // the loser hears which kind of use holds the box.
      await svc.stock.receive(HIS, [code(121), code(123)]);
      for (const n of [120, 121, 122, 123]) {
        await line(`RW${n}`, '1', 1);
        await line(`RS${n}`, '1', 10, true);
        // Instances and the order the two requests start in alternate, so both sides get to win.
        const [a, b] = n % 2 === 0 ? [svc, svc2] : [svc2, svc];
        const wholeFirst = n < 122;
        const start = [
          (): Promise<unknown> => a.capture.scan(HIS, `RW${n}`, '1', code(n)),
          (): Promise<unknown> => b.capture.scan(HIS, `RS${n}`, '1', code(n)),
        ];
        const started = wholeFirst
          ? start.map((f) => f())
          : start
              .reverse()
              .map((f) => f())
              .reverse();
        const [wholeSide, splitSide] = await Promise.allSettled(started);
        expect([wholeSide, splitSide].filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const loser = ((wholeSide.status === 'rejected' ? wholeSide : splitSide) as PromiseRejectedResult)
          .reason as DomainError;
        expect(loser.status).toBe(409);
        expect(loser.code).toBe(
          wholeSide.status === 'fulfilled' ? 'TRACE_CODE_ALREADY_DISPENSED' : 'TRACE_CODE_SPLIT_OPEN',
        );
        expect(await stateOf(code(n))).toBe(wholeSide.status === 'fulfilled' ? 'dispensed' : 'split-open');
        expect(await count(`SELECT COUNT(*) AS n FROM trace_code_use WHERE code = '${code(n)}'`)).toBe(1);
      }
      // Two split lines racing on one box: both share it.
      await line('RX', '1', 10, true);
      await line('RY', '1', 10, true);
      const shared = await Promise.allSettled([
        svc.capture.scan(HIS, 'RX', '1', code(130)),
        svc2.capture.scan(HIS, 'RY', '1', code(130)),
      ]);
      expect(shared.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      expect(
        await count(`SELECT COUNT(*) AS n FROM trace_code_use WHERE code = '${code(130)}' AND state = 'dispensed'`),
      ).toBe(2);
    } finally {
      if (other !== ds) {
        await other.destroy();
      }
    }
  });
});
