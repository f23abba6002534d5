import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { classifyCode } from '../../drivers/protocols/code-classifier';
import { gs1CheckDigit } from '../../drivers/protocols/gs1';
import type { TraceCodeEvent } from '../../src/devices/device-events';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import {
  FixedClock,
  HIS,
  refusal,
  traceCode as code,
  traceCodesOn,
  type TraceCodesWorld,
} from '../support/trace-codes';

jest.setTimeout(30_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-capture-'));
const MED = 'XJ01CAA040A001010100001';
const GTIN = ((first13: string) => `${first13}${gs1CheckDigit(first13)}`)('0690123456789');

/** CodeCaptureService (scan, batch) and the desk-scanner path into it, on a real database. */
describe.each(availableDatabases())('code capture on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let tc: TraceCodesWorld;
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    tc = traceCodesOn(ds, clock);
    tc.deskScans.onApplicationBootstrap();
  });
  afterAll(async () => {
    tc?.deskScans.onApplicationShutdown();
    await ds?.destroy();
    await cleanup?.();
  });

  const declare = (visitId: string, lineNo: string, quantity: number, splitPackage = false, medListCode = MED) =>
    tc.lines.declareLines(HIS, visitId, [{ lineNo, medListCode, drugName: '阿莫西林胶囊', quantity, splitPackage }]);

  it('a scan answers the canonical code and the line’s progress, and is audited with its operation', async () => {
    await declare('C1', '1', 2);
    await expect(tc.capture.scan(HIS, 'C1', '1', code(1))).resolves.toEqual({
      code: code(1),
      form: 'trace20',
      productCode: '8000000',
      batch: null,
      expiry: null,
      line: {
        visitId: 'C1',
        lineNo: '1',
        medListCode: MED,
        drugName: '阿莫西林胶囊',
        quantity: 2,
        splitPackage: false,
        held: 1,
        needed: 2,
        status: 'missing-codes',
      },
    });
    const gs1 = await tc.capture.scan(HIS, 'C1', '1', `(01)${GTIN}(17)301231(10)LOT1(21)SN0001`);
    expect(gs1).toMatchObject({
      code: `01${GTIN}21SN0001`,
      form: 'gs1',
      productCode: GTIN,
      batch: 'LOT1',
      expiry: '2030-12-31',
      line: { held: 2, status: 'complete' },
    });
    const audits = await ds.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM audit_log WHERE action = 'trace-codes.dispense'`,
    );
    expect(Number(audits[0].n)).toBeGreaterThanOrEqual(2);
  });

  it('refuses before storing anything: not a drug code, an undeclared line, a full line', async () => {
    await declare('C2', '1', 1);
    await expect(refusal(tc.capture.scan(HIS, 'C2', '1', '8123456789012345678'))).resolves.toMatchObject({
      status: 422,
      code: 'TRACE_CODE_LENGTH',
    });
    await expect(refusal(tc.capture.scan(HIS, 'C2', '9', code(20)))).resolves.toMatchObject({
      status: 404,
      code: 'TRACE_LINE_NOT_FOUND',
    });
    await tc.capture.scan(HIS, 'C2', '1', code(21));
    const full = await refusal(tc.capture.scan(HIS, 'C2', '1', code(22)));
    expect(full).toMatchObject({
      status: 422,
      code: 'TRACE_LINE_FULL',
      userMessage: expect.stringContaining('发药数量为 1，已录入 1 个追溯码') as string,
    });
    const stored = await ds.query<{ code: string }[]>(
      `SELECT code FROM trace_code WHERE code IN ('${code(20)}', '${code(22)}')`,
    );
    expect(stored).toEqual([]);
  });

  it('a repeated scan (HIS retrying one whose answer it lost) is "already on this line", also when it filled the line', async () => {
    await declare('C2R', '1', 2);
    await tc.capture.scan(HIS, 'C2R', '1', code(25));
    const notFull = await refusal(tc.capture.scan(HIS, 'C2R', '1', code(25)));
    await tc.capture.scan(HIS, 'C2R', '1', code(26)); // the line's last box: the line is full now
    const full = await refusal(tc.capture.scan(HIS, 'C2R', '1', code(26)));
    for (const repeat of [notFull, full]) {
      expect(repeat).toMatchObject({
        status: 409,
        code: 'TRACE_CODE_ALREADY_DISPENSED',
        userMessage: expect.stringContaining('已在本处方行录入') as string,
        details: [{ context: { visitId: 'C2R', lineNo: '1' } }],
      });
    }
    const held = await ds.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM trace_code_use WHERE visit_id = 'C2R' AND state = 'dispensed'`,
    );
    expect(Number(held[0].n)).toBe(2);
    // A new box on the full line is still refused as "line full".
    await expect(refusal(tc.capture.scan(HIS, 'C2R', '1', code(27)))).resolves.toMatchObject({
      code: 'TRACE_LINE_FULL',
    });
  });

  it('a mapped product must fit the line’s drug, on a scan and in a batch', async () => {
    await tc.mappings.upsert(HIS, [{ productCode: '8000000', medListCode: 'XJ-OTHER' }]);
    try {
      await declare('C3', '1', 2);
      const one = await refusal(tc.capture.scan(HIS, 'C3', '1', code(30)));
      expect(one).toMatchObject({
        status: 422,
        code: 'TRACE_CODE_DRUG_MISMATCH',
        userMessage: expect.stringContaining('对应目录编码 XJ-OTHER') as string,
      });
      const many = await refusal(tc.capture.batch(HIS, 'C3', '1', [code(30), code(31)]));
      expect(many).toMatchObject({ status: 422, code: 'TRACE_CODE_DRUG_MISMATCH' });
      expect(many.details?.map((d) => d.field)).toEqual(['codes[0]', 'codes[1]']);
    } finally {
      await tc.mappings.upsert(HIS, [{ productCode: '8000000', medListCode: MED }]);
    }
    await expect(tc.mappings.list('8000000')).resolves.toEqual(
      expect.arrayContaining([expect.objectContaining({ medListCode: MED })]),
    );
  });

  it('a batch is the line’s whole count, is idempotent on retry, and refuses a line holding other codes', async () => {
    await declare('C4', '1', 3);
    await expect(refusal(tc.capture.batch(HIS, 'C4', '1', [code(40), code(41)]))).resolves.toMatchObject({
      status: 422,
      code: 'TRACE_CODE_COUNT_MISMATCH',
    });
    await expect(refusal(tc.capture.batch(HIS, 'C4', '1', [code(40), code(41), code(40)]))).resolves.toMatchObject({
      status: 422,
      code: 'TRACE_BATCH_INVALID',
    });
    const first = await tc.capture.batch(HIS, 'C4', '1', [code(40), code(41), code(42)]);
    expect(first).toMatchObject({
      operationId: expect.any(String) as string,
      added: 3,
      line: { held: 3, status: 'complete' },
    });
    await expect(tc.capture.batch(HIS, 'C4', '1', [code(42), code(40), code(41)])).resolves.toMatchObject({
      added: 0,
      line: { held: 3 },
    });
    const other = await refusal(tc.capture.batch(HIS, 'C4', '1', [code(40), code(41), code(43)]));
    expect(other).toMatchObject({
      status: 409,
      code: 'TRACE_LINE_HAS_OTHER_CODES',
      details: [{ code: 'TRACE_CODE_ON_LINE', context: { code: code(42) } }],
    });
    await expect(tc.settlement.completeness('C4')).resolves.toMatchObject({ complete: true, missing: [] });
  });

  it('a desk scanner’s drug code goes to the desk’s active line; the outcome is published to the desk', async () => {
    const desk = '西药房9';
    const scanAt = async (text: string): Promise<TraceCodeEvent> => {
      const published = once(tc.events, 'trace-code') as Promise<[TraceCodeEvent]>;
      tc.events.publish({
        type: 'scan',
        deviceId: 'rx-9',
        desk,
        source: 'device',
        scan: { text, classification: classifyCode(text, { now: clock.now() }), at: clock.now() },
      });
      return (await published)[0];
    };
    await declare('C5', '1', 2);
    await expect(scanAt(code(50))).resolves.toMatchObject({
      desk,
      result: { outcome: 'refused', code: code(50), refusal: { code: 'TRACE_DESK_NO_ACTIVE_LINE' } },
    });
    await expect(tc.deskScans.setDeskLine(HIS, desk, 'C5', '1')).resolves.toMatchObject({
      visitId: 'C5',
      lineNo: '1',
      held: 0,
      needed: 2,
    });
    await expect(scanAt(code(50))).resolves.toMatchObject({
      deviceId: 'rx-9',
      result: { outcome: 'accepted', refusal: null, line: { held: 1, status: 'missing-codes' } },
    });
    const again = await scanAt(code(50));
    expect(again.result).toMatchObject({
      outcome: 'duplicate',
      refusal: { code: 'TRACE_CODE_ALREADY_DISPENSED' },
      context: { visitId: 'C5', lineNo: '1' },
    });
    const uses = await ds.query<{ source: string }[]>(`SELECT source FROM trace_code_use WHERE code = '${code(50)}'`);
    expect(uses).toEqual([{ source: 'system:device:rx-9' }]);
  });
});
