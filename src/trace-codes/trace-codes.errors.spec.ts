import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogueError } from '../platform';
import { alreadyDispensedDetail, splitOpenDetail, TRACE_CODE_ERRORS, TRACE_MESSAGES } from './trace-codes.errors';

/** Every code the capability answers with, and its HTTP status (HIS branches on both). */
const EXPECTED_STATUS: Record<string, number> = {
  TRACE_CODE_EMPTY: 422,
  TRACE_CODE_LENGTH: 422,
  TRACE_CODE_COMMODITY_BARCODE: 422,
  TRACE_CODE_EXPIRED_PACK: 422,
  TRACE_CODE_GS1_INVALID: 422,
  TRACE_CODE_NOT_A_DRUG_CODE: 422,
  TRACE_CODE_UNREADABLE: 422,
  TRACE_LINE_DUPLICATE: 422,
  TRACE_LINE_HAS_CODES: 409,
  TRACE_LINE_QUANTITY_BELOW_CODES: 409,
  TRACE_LINE_NOT_FOUND: 404,
  TRACE_VISIT_NOT_FOUND: 404,
  TRACE_LINE_FULL: 422,
  TRACE_LINE_HAS_OTHER_CODES: 409,
  TRACE_CODE_ON_LINE: 409,
  TRACE_BATCH_INVALID: 422,
  TRACE_CODE_DUPLICATE_IN_REQUEST: 422,
  TRACE_CODE_COUNT_MISMATCH: 422,
  TRACE_CODE_DRUG_MISMATCH: 422,
  TRACE_CODE_ALREADY_DISPENSED: 409,
  TRACE_CODE_SPLIT_OPEN: 409,
  TRACE_CODE_SCRAPPED: 409,
  TRACE_BATCH_CONFLICT: 409,
  TRACE_CODE_NOT_DISPENSED: 409,
  TRACE_CODE_DISPENSED: 409,
  TRACE_RETURN_LINE_REQUIRED: 422,
  TRACE_DESK_NO_ACTIVE_LINE: 409,
};

/** The capability's source files (not the specs). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('TRACE_CODE_ERRORS', () => {
  it('holds exactly the codes the capability answers with, each raising its status and its Chinese message', () => {
    expect(TRACE_CODE_ERRORS.codes.sort()).toEqual(Object.keys(EXPECTED_STATUS).sort());
    for (const code of TRACE_CODE_ERRORS.codes) {
      const e = TRACE_CODE_ERRORS.raise(code);
      expect(e).toBeInstanceOf(CatalogueError);
      expect({ code: e.code, status: e.status }).toEqual({ code, status: EXPECTED_STATUS[code] });
      expect(e.userMessage).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('every TRACE_* code written in the capability’s source is in the catalogue', () => {
    const written = new Set(
      sources(__dirname).flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/'(TRACE_[A-Z0-9_]+)'/g)].map((m) => m[1]),
      ),
    );
    expect(written.size).toBeGreaterThan(10);
    expect([...written].filter((c) => !TRACE_CODE_ERRORS.has(c))).toEqual([]);
  });

  it('keeps the messages desk staff and HIS already know, byte for byte', () => {
    expect(TRACE_CODE_ERRORS.raise('TRACE_RETURN_LINE_REQUIRED').userMessage).toBe(
      '退药指定处方行时，visitId 与 lineNo 须同时提供',
    );
    expect(TRACE_CODE_ERRORS.message('TRACE_CODE_SCRAPPED')).toBe(
      '该追溯码对应的药盒已报损（报废），不能发药：请换一盒药品',
    );
    expect(TRACE_CODE_ERRORS.message('TRACE_DESK_NO_ACTIVE_LINE')).toBe(
      '本工位没有正在发药的处方行：请先在 HIS 中选择要发药的处方行，再扫码',
    );
    expect(TRACE_CODE_ERRORS.message('TRACE_CODE_ON_LINE')).toBe('该追溯码已在本行，但不在本批中');
    expect(TRACE_CODE_ERRORS.message('TRACE_CODE_DISPENSED')).toBe('已发药：请先退药');
    expect(TRACE_MESSAGES.lineNotFound('V1', '3')).toBe(
      '就诊 V1 没有处方行 3：请先由 HIS 报送该行（PUT /api/v1/trace-codes/visits/V1/lines）',
    );
    expect(TRACE_MESSAGES.lineFull('3', 2, 2)).toBe(
      '处方行 3 发药数量为 2，已录入 2 个追溯码，不能再多：请核对是否多扫了药盒，或让 HIS 更正发药数量',
    );
    expect(TRACE_MESSAGES.notDispensed(2)).toBe(
      '2 个追溯码当前不在发药状态（未发药、已退药或已报损），整批未退：请按 details 核对',
    );
    expect(TRACE_MESSAGES.stateIs(undefined)).toBe('状态：系统中没有该追溯码');
  });

  it('details of a dispensed or split-open box carry their code, when and where (never the patient)', () => {
    const use = { code: '80000000000000000001', dispensedAt: '2026-11-25T01:00:00.000Z', visitId: 'V1', lineNo: '1' };
    expect(alreadyDispensedDetail(use, false, 4)).toEqual({
      field: 'codes[4]',
      code: 'TRACE_CODE_ALREADY_DISPENSED',
      message:
        '该追溯码已于 2026-11-25T01:00:00.000Z 在就诊 V1 第 1 行发药，同一盒药品不能重复发药：请核对药盒；如为退药后再发，请先办理退药',
      context: { index: '4', code: use.code, dispensedAt: use.dispensedAt, visitId: 'V1', lineNo: '1' },
    });
    expect(alreadyDispensedDetail(use, true).message).toBe(
      '该追溯码已在本处方行录入（2026-11-25T01:00:00.000Z），无需重复扫描',
    );
    expect(splitOpenDetail(use, 2)).toEqual({
      code: 'TRACE_CODE_SPLIT_OPEN',
      message: expect.stringContaining('（2 个拆零处方行在用），不能再整盒发药') as string,
      context: { dispensedAt: use.dispensedAt, visitId: 'V1', lineNo: '1', openUses: '2' },
    });
  });
});
