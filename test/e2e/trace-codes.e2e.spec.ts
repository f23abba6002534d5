import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { gs1CheckDigit } from '../../drivers/protocols/gs1';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { connectEvents } from '../support/ws-client';

jest.setTimeout(60_000);

const DESK = '西药房1';
const MED = 'XJ01CAA040A001010100001';
const GTIN = ((first13: string) => `${first13}${gs1CheckDigit(first13)}`)('0690123456789');
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;
type Body = Record<string, unknown> & {
  code?: string;
  details?: Array<{ code: string; context?: Record<string, string> }>;
};

/** Trace-code capture over HTTP and from a desk scanner, on every database: one app per database. */
describe.each(availableDatabases())('trace codes over HTTP on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let key: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-trace-e2e-')));
    cleanup = db.cleanup;
    t = await startTestApp({
      database: db.database,
      devices: [{ id: 'rx-scanner', kind: 'scanner', transport: 'simulated', desk: DESK }],
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    key = await t.token(['trace-codes']);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const put = (path: string, body: object) =>
    request(base).put(`/api/v1/trace-codes${path}`).set('authorization', `Bearer ${key}`).send(body);
  const post = (path: string, body: object) =>
    request(base).post(`/api/v1/trace-codes${path}`).set('authorization', `Bearer ${key}`).send(body);
  const get = (path: string) => request(base).get(`/api/v1/trace-codes${path}`).set('authorization', `Bearer ${key}`);
  const lines = (
    visitId: string,
    ls: Array<{ lineNo: string; quantity: number; splitPackage?: boolean; medListCode?: string }>,
  ) =>
    put(`/visits/${visitId}/lines`, {
      lines: ls.map((l) => ({ medListCode: MED, drugName: '阿莫西林胶囊', ...l })),
    }).expect(200);
  const scan = (visitId: string, lineNo: string, text: string) => post('/scans', { visitId, lineNo, text });

  it('accepts 20-digit and GS1 codes; refuses a commodity barcode, a 19-digit code and an expired pack with distinct codes', async () => {
    await lines('F1', [
      { lineNo: '1', quantity: 2 },
      { lineNo: '2', quantity: 3 },
    ]);
    const accepted = await scan('F1', '1', code(1)).expect(201);
    expect(accepted.body).toMatchObject({
      code: code(1),
      form: 'trace20',
      productCode: '8000000',
      line: { held: 1, needed: 2, status: 'missing-codes' },
    });
    const gs1 = await scan('F1', '1', `]d201${GTIN}1730123110LOT1\u001d21SN0001`).expect(201);
    expect(gs1.body).toMatchObject({
      code: `01${GTIN}21SN0001`,
      form: 'gs1',
      productCode: GTIN,
      batch: 'LOT1',
      expiry: '2030-12-31',
      line: { held: 2, status: 'complete' },
    });
    const refused = await Promise.all(
      [`${'690123456789'}${gs1CheckDigit('690123456789')}`, '8123456789012345678', `(01)${GTIN}(17)200101(21)OLD1`].map(
        (text) => scan('F1', '2', text),
      ),
    );
    expect(refused.map((r) => [r.status, (r.body as Body).code])).toEqual([
      [422, 'TRACE_CODE_COMMODITY_BARCODE'],
      [422, 'TRACE_CODE_LENGTH'],
      [422, 'TRACE_CODE_EXPIRED_PACK'],
    ]);
    expect(refused.every((r) => /[\u4e00-\u9fff]/.test(String((r.body as Body).message)))).toBe(true);
    // A line is never given more codes than its quantity; a mapped product must fit the line's drug.
    await expect(scan('F1', '1', code(2))).resolves.toMatchObject({ status: 422, body: { code: 'TRACE_LINE_FULL' } });
    await put('/product-mappings', {
      mappings: [{ productCode: '8000009', medListCode: 'OTHER001', drugName: '布洛芬' }],
    }).expect(200);
    await expect(scan('F1', '2', `8000009${'0'.repeat(12)}1`)).resolves.toMatchObject({
      status: 422,
      body: { code: 'TRACE_CODE_DRUG_MISMATCH' },
    });
  });

  it('the same code on a second visit answers 409 with when and where it was used (no patient); after a return it is dispensed again', async () => {
    await lines('D1', [{ lineNo: '1', quantity: 1 }]);
    await lines('D2', [{ lineNo: '7', quantity: 1 }]);
    await scan('D1', '1', code(10)).expect(201);
    const second = await scan('D2', '7', code(10)).expect(409);
    const body = second.body as Body;
    expect(body.code).toBe('TRACE_CODE_ALREADY_DISPENSED');
    expect(body.details?.[0].context).toEqual({
      dispensedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      visitId: 'D1',
      lineNo: '1',
    });
    expect(Object.keys(body.details?.[0].context ?? {}).sort()).toEqual(['dispensedAt', 'lineNo', 'visitId']);
    await post('/returns', { codes: [code(10)], reason: '患者退药' }).expect(200);
    await scan('D2', '7', code(10)).expect(201);
  });

  it('a batch must bring exactly the quantity unless split package; completeness lists exactly the missing lines; fee lines carry the codes', async () => {
    await lines('B1', [
      { lineNo: '1', quantity: 3 },
      { lineNo: '2', quantity: 12, splitPackage: true },
      { lineNo: '3', quantity: 2 },
      { lineNo: '4', quantity: 1 },
    ]);
    const mismatch = await post('/batches', { visitId: 'B1', lineNo: '1', codes: [code(20), code(21)] }).expect(422);
    expect((mismatch.body as Body).code).toBe('TRACE_CODE_COUNT_MISMATCH');
    const bad = await post('/batches', {
      visitId: 'B1',
      lineNo: '1',
      codes: [code(20), '6901234567892', code(20)],
    }).expect(422);
    expect((bad.body as Body).details?.map((d) => [d.code, d.context?.index])).toEqual([
      ['TRACE_CODE_COMMODITY_BARCODE', '1'],
      ['TRACE_CODE_DUPLICATE_IN_REQUEST', '2'],
    ]);
    await post('/batches', { visitId: 'B1', lineNo: '1', codes: [code(20), code(21), code(22)] }).expect(201);
    await post('/batches', { visitId: 'B1', lineNo: '2', codes: [code(23)] }).expect(201);
    await scan('B1', '3', code(24)).expect(201);
    const report = (await get('/visits/B1/completeness').expect(200)).body as {
      complete: boolean;
      lines: Array<{ lineNo: string; status: string }>;
      missing: Array<{ lineNo: string; held: number; needed: number }>;
    };
    expect(report.complete).toBe(false);
    expect(report.lines.map((l) => [l.lineNo, l.status])).toEqual([
      ['1', 'complete'],
      ['2', 'split-package'],
      ['3', 'missing-codes'],
      ['4', 'missing-codes'],
    ]);
    expect(report.missing.map((l) => [l.lineNo, l.held, l.needed])).toEqual([
      ['3', 1, 2],
      ['4', 0, 1],
    ]);
    const fee = (await get('/visits/B1/fee-lines').expect(200)).body as Array<{
      feedetl_sn: string;
      drug_trac_codg: string[];
      trdn_flag: string;
    }>;
    expect(fee.map((l) => [l.feedetl_sn, l.drug_trac_codg.length, l.trdn_flag])).toEqual([
      ['1', 3, '0'],
      ['2', 1, '1'],
      ['3', 1, '0'],
      ['4', 0, '0'],
    ]);
    // Lowering a quantity below the codes held is refused, and nothing changes.
    const lowered = await put('/visits/B1/lines', {
      lines: [{ lineNo: '1', quantity: 2, medListCode: MED, drugName: '阿莫西林胶囊' }],
    });
    expect([lowered.status, (lowered.body as Body).code]).toEqual([409, 'TRACE_LINE_QUANTITY_BELOW_CODES']);
  });

  it('a split box (拆零) is shared by split lines, refused whole (TRACE_CODE_SPLIT_OPEN), and a return names the line it ends', async () => {
    await lines('SP1', [{ lineNo: '1', quantity: 10, splitPackage: true }]);
    await lines('SP2', [
      { lineNo: '1', quantity: 10, splitPackage: true },
      { lineNo: '2', quantity: 1 },
    ]);
    await scan('SP1', '1', code(50)).expect(201);
    await scan('SP2', '1', code(50)).expect(201);
    const whole = await scan('SP2', '2', code(50)).expect(409);
    expect((whole.body as Body).code).toBe('TRACE_CODE_SPLIT_OPEN');
    expect((whole.body as Body).details?.[0].context).toEqual({
      dispensedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      visitId: 'SP1',
      lineNo: '1',
      openUses: '2',
    });
    const fee = (await get('/visits/SP2/fee-lines').expect(200)).body as Array<{
      feedetl_sn: string;
      drug_trac_codg: string[];
      trdn_flag: string;
    }>;
    expect(fee.map((l) => [l.feedetl_sn, l.drug_trac_codg, l.trdn_flag])).toEqual([
      ['1', [code(50)], '1'],
      ['2', [], '0'],
    ]);
    const ambiguous = await post('/returns', { codes: [code(50)], reason: '患者退药' }).expect(422);
    expect((ambiguous.body as Body).code).toBe('TRACE_RETURN_LINE_REQUIRED');
    await expect(
      post('/returns', { codes: [code(50)], reason: '患者退药', visitId: 'SP1', lineNo: '1' }).expect(200),
    ).resolves.toMatchObject({ body: { uploadsCancelled: 1, stillOpen: 1 } });
    expect((await get('/visits/SP1/completeness').expect(200)).body).toMatchObject({
      missing: [{ lineNo: '1', held: 0 }],
    });
    await scan('SP2', '2', code(50)).expect(409);
    await post('/returns', { codes: [code(50)], reason: '患者退药' }).expect(200);
    await scan('SP2', '2', code(50)).expect(201);
  });

  it('a scan at a pharmacy desk goes to the desk’s active line and its outcome is pushed to the desk’s WebSocket', async () => {
    await lines('W0', [{ lineNo: '5', quantity: 1 }]);
    await scan('W0', '5', code(31)).expect(201);
    await lines('W1', [{ lineNo: '1', quantity: 2 }]);
    const deskLine = `/desks/${encodeURIComponent(DESK)}/active-line`;
    // Before any line is set the desk says so (a page asks at load; not an error).
    expect((await get(`/desks/${encodeURIComponent('无此工位')}/active-line`).expect(200)).body).toEqual({
      desk: '无此工位',
      line: null,
      setBy: null,
      setAt: null,
    });
    await put(deskLine, { visitId: 'W1', lineNo: '1' }).expect(200);
    expect((await get(deskLine).expect(200)).body).toMatchObject({
      desk: DESK,
      line: { visitId: 'W1', lineNo: '1', held: 0, needed: 2 },
      setBy: expect.stringMatching(/^api-key:/),
      setAt: expect.any(String),
    });
    const ws = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(DESK)}`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    try {
      await request(base)
        .post('/api/v1/sandbox/devices/rx-scanner/present')
        .send({ text: code(30) })
        .expect(200);
      const accepted = await ws.waitFor((m) => m.type === 'trace-code' && m.code === code(30), 'accepted event');
      expect(accepted).toMatchObject({
        outcome: 'accepted',
        deviceId: 'rx-scanner',
        desk: DESK,
        line: { visitId: 'W1', lineNo: '1', held: 1, needed: 2, status: 'missing-codes' },
      });
      await request(base)
        .post('/api/v1/sandbox/devices/rx-scanner/present')
        .send({ text: code(31) })
        .expect(200);
      const duplicate = await ws.waitFor((m) => m.type === 'trace-code' && m.code === code(31), 'duplicate event');
      expect(duplicate).toMatchObject({
        outcome: 'duplicate',
        refusal: { code: 'TRACE_CODE_ALREADY_DISPENSED' },
        context: { visitId: 'W0', lineNo: '5' },
      });
      await request(base)
        .post('/api/v1/sandbox/devices/rx-scanner/present')
        .send({ text: '6901234567892' })
        .expect(200);
      const refused = await ws.waitFor((m) => m.type === 'trace-code' && m.outcome === 'refused', 'refused event');
      expect(refused).toMatchObject({
        refusal: { code: 'TRACE_CODE_COMMODITY_BARCODE', message: expect.stringContaining('不是药品追溯码') },
      });
      expect((await get('/visits/W1/fee-lines').expect(200)).body).toEqual([
        { feedetl_sn: '1', med_list_codg: MED, drug_trac_codg: [code(30)], trdn_flag: '0' },
      ]);
      // /metrics counts how scans end, per source and refusal code (never the code or the visit).
      const metrics = (await request(base).get('/metrics').expect(200)).text;
      for (const series of [
        'gateway_trace_scans_total{source="desk",outcome="accepted",code=""} 1',
        'gateway_trace_scans_total{source="desk",outcome="duplicate",code="TRACE_CODE_ALREADY_DISPENSED"} 1',
        'gateway_trace_scans_total{source="desk",outcome="refused",code="TRACE_CODE_COMMODITY_BARCODE"} 1',
        'gateway_trace_scans_total{source="api",outcome="refused",code="TRACE_CODE_COMMODITY_BARCODE"} 1',
        'gateway_trace_scans_total{source="api",outcome="refused",code="TRACE_CODE_EXPIRED_PACK"} 1',
      ]) {
        expect(metrics).toContain(series);
      }
      expect(metrics).not.toContain(code(30));
    } finally {
      await ws.close();
    }
  });

  it('a stock-in list over the ordinary 1 MiB body limit is taken whole (the code routes accept large bodies)', async () => {
    const codes = Array.from({ length: 48_000 }, (_, i) => code(1_000_000 + i));
    expect(JSON.stringify({ codes }).length).toBeGreaterThan(1024 * 1024);
    const res = await post('/receipts', { codes }).expect(201);
    expect(res.body).toMatchObject({ received: 48_000, alreadyKnown: 0 });
    // Other routes keep the small limit.
    await expect(
      put('/visits/BIG/lines', {
        lines: [{ lineNo: '1', quantity: 1, medListCode: MED, drugName: '药'.repeat(400_000) }],
      }),
    ).resolves.toMatchObject({ status: 413 });
  });

  it('two concurrent requests for the same code: one 201, one 409', async () => {
    await lines('C1', [{ lineNo: '1', quantity: 1 }]);
    await lines('C2', [{ lineNo: '1', quantity: 1 }]);
    const answers = await Promise.all([scan('C1', '1', code(40)), scan('C2', '1', code(40))]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
  });
});
