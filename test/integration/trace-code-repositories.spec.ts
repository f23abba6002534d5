import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { Transactions } from '../../src/platform/database/transactions';
import type { DrugCode } from '../../src/trace-codes/rules/scan-judgement';
import { CHUNK } from '../../src/trace-codes/trace-code.repository';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { refusal, traceCode as code, traceCodeRepositories } from '../support/trace-codes';

jest.setTimeout(30_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-trace-repo-'));
const NOW = new Date('2026-11-25T01:00:00.000Z');
const LATER = new Date('2026-11-25T02:00:00.000Z');
const drug = (c: string): DrugCode => ({
  code: c,
  form: 'trace20',
  productCode: c.slice(0, 7),
  batch: null,
  expiry: null,
});
const line = (lineNo: string, quantity = 2, splitPackage = false) => ({
  lineNo,
  medListCode: 'MED-A',
  drugName: '阿莫西林胶囊',
  quantity,
  splitPackage,
});

/** The trace-code repositories on each database: the SQL both dialects must answer alike. */
describe.each(availableDatabases())('trace-code repositories on %s', (kind: DbKind) => {
  let ds: DataSource;
  let tx: Transactions;
  let cleanup: () => Promise<void>;
  const r = traceCodeRepositories();

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    tx = new Transactions(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('dispensing lines: inserted once however often declared, locked, updated, counted, listed by line number', async () => {
    await tx.run(async (m) => {
      await r.lines.insertIfAbsent(m, 'V1', line('2', 5, true), 'his', NOW);
      await r.lines.insertIfAbsent(m, 'V1', line('2', 9), 'his', NOW); // the existing row wins
      await r.lines.insertIfAbsent(m, 'V1', line('1'), 'his', NOW);
    });
    const locked = await tx.run((m) => r.lines.lockDeclared(m, 'V1', '2'));
    expect(locked).toEqual({
      id: expect.any(String) as string,
      visitId: 'V1',
      lineNo: '2',
      medListCode: 'MED-A',
      drugName: '阿莫西林胶囊',
      quantity: 5,
      splitPackage: true,
      codeCount: 0,
    });
    await tx.run(async (m) => {
      await r.lines.update(
        m,
        locked.id,
        { medListCode: 'MED-B', drugName: '另一药品', quantity: 7, splitPackage: false },
        LATER,
      );
      await r.lines.addToCount(m, locked.id, 3, LATER);
      await r.lines.addToCount(m, locked.id, -1, LATER);
    });
    expect(await r.lines.byId(tx.reader, locked.id)).toMatchObject({
      medListCode: 'MED-B',
      quantity: 7,
      splitPackage: false,
      codeCount: 2,
    });
    expect((await r.lines.ofVisit(tx.reader, 'V1')).map((l) => l.lineNo)).toEqual(['1', '2']);
    expect(await r.lines.ofVisit(tx.reader, 'NONE')).toEqual([]);
    await expect(refusal(tx.run((m) => r.lines.lockDeclared(m, 'V1', '3')))).resolves.toMatchObject({
      status: 404,
      code: 'TRACE_LINE_NOT_FOUND',
    });
  });

  it('codes: new boxes inserted, known ones answered across statement chunks; moves only from the named states', async () => {
    const n = CHUNK * 2 + 7;
    const codes = Array.from({ length: n }, (_, i) => code(10_000 + i));
    await tx.run((m) => r.codes.insertNew(m, [drug(codes[1]), drug(codes[CHUNK + 1])], 'received', NOW));
    const known = await tx.run((m) => r.codes.insertNew(m, codes.map(drug), 'dispensed', NOW));
    expect([...known].sort()).toEqual([codes[1], codes[CHUNK + 1]]);
    const states = await tx.run((m) => r.codes.lockStates(m, codes));
    expect(states.size).toBe(n);
    expect([states.get(codes[1]), states.get(codes[2]), states.get(code(1))]).toEqual([
      'received',
      'dispensed',
      undefined,
    ]);
    const moved = await tx.run((m) => r.codes.move(m, codes, ['received'], 'split-open', LATER));
    expect(moved).toBe(2);
    expect((await tx.run((m) => r.codes.lockStates(m, [codes[CHUNK + 1]]))).get(codes[CHUNK + 1])).toBe('split-open');
  });

  it('uses: recorded in bulk, read back per line in dispensing order, ended (a pending upload cancelled), marked uploaded', async () => {
    await tx.run((m) => r.lines.insertIfAbsent(m, 'U1', line('1', 2000), 'his', NOW));
    const target = await tx.run((m) => r.lines.lockDeclared(m, 'U1', '1'));
    const codes = Array.from({ length: CHUNK + 3 }, (_, i) => code(50_000 + i));
    await tx.run((m) => r.codes.insertNew(m, codes.map(drug), 'dispensed', NOW));
    const ids = codes.map((_, i) => `use-${String(i).padStart(6, '0')}`);
    await tx.run((m) =>
      r.uses.insert(
        m,
        { ids, codes, lineId: target.id, visitId: 'U1', split: false, operationId: 'op-1', source: 'api_key:his' },
        NOW,
      ),
    );
    expect((await r.uses.codesOfLines(tx.reader, [target.id])).get(target.id)).toEqual(codes);
    const open = await r.uses.activeByCode(tx.reader, [codes[0], codes[CHUNK + 2], code(1)]);
    expect([...open.keys()].sort()).toEqual([codes[0], codes[CHUNK + 2]]);
    expect(open.get(codes[0])).toEqual([
      {
        useId: ids[0],
        code: codes[0],
        lineId: target.id,
        visitId: 'U1',
        lineNo: '1',
        medListCode: 'MED-A',
        dispensedAt: NOW,
        upload: 'pending',
        uploadRef: null,
      },
    ]);
    const uploadOf = async (id: string): Promise<string> =>
      (await ds.query<{ upload: string }[]>(`SELECT upload FROM trace_code_use WHERE id = '${id}'`))[0].upload;
    expect(await tx.run((m) => r.uses.end(m, [ids[0], ids[1], 'no-such-use'], '退药', LATER))).toBe(2);
    expect(await tx.run((m) => r.uses.end(m, [ids[0]], '退药', LATER))).toBe(0); // already ended
    expect(await uploadOf(ids[0])).toBe('cancelled');
    expect(await tx.run((m) => r.uses.markVisitUploaded(m, 'U1', 'SETL-1'))).toBe(codes.length - 2);
    expect(await tx.run((m) => r.uses.end(m, [ids[2]], '退药', LATER))).toBe(1);
    expect(await uploadOf(ids[2])).toBe('uploaded'); // an upload already made stays as it was
    const after = await r.uses.active(tx.reader, [codes[0], codes[2], codes[3]]);
    expect(after.map((u) => [u.code, u.upload, u.uploadRef])).toEqual([[codes[3], 'uploaded', 'SETL-1']]);
    expect((await r.uses.codesOfLines(tx.reader, [target.id])).get(target.id)).toHaveLength(codes.length - 3);
  });

  it('product mappings and desk lines: saved (replacing by key), read back', async () => {
    await tx.run((m) =>
      r.mappings.save(m, [
        { productCode: '8000000', medListCode: 'MED-A', drugName: null, updatedBy: 'his', updatedAt: NOW },
        { productCode: '8000000', medListCode: 'MED-C', drugName: '丙', updatedBy: 'his', updatedAt: NOW },
        { productCode: '8111111', medListCode: 'MED-B', drugName: null, updatedBy: 'his', updatedAt: NOW },
      ]),
    );
    expect(await r.mappings.catalogueCodesOf(tx.reader, ['8000000', '8999999'])).toEqual(
      new Map([['8000000', new Set(['MED-A', 'MED-C'])]]),
    );
    expect((await r.mappings.list(tx.reader, '8000000', 10)).map((x) => x.medListCode)).toEqual(['MED-A', 'MED-C']);
    expect(await r.mappings.list(tx.reader, undefined, 2)).toHaveLength(2);

    await tx.run((m) => r.deskLines.set(m, { desk: '西药房1', lineId: 'line-a', setBy: 'his', setAt: NOW }));
    await tx.run((m) => r.deskLines.set(m, { desk: '西药房1', lineId: 'line-b', setBy: 'his', setAt: LATER }));
    expect(await r.deskLines.of(tx.reader, '西药房1')).toMatchObject({ lineId: 'line-b' });
    expect(await r.deskLines.of(tx.reader, '西药房2')).toBeNull();
  });
});
