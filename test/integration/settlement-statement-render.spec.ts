import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormCharacterError } from '../../src/forms/forms.errors';
import { FormRenderer } from '../../src/forms/render/form-renderer';
import { SettlementStatementRenderer } from '../../src/forms/statement/settlement-statement-renderer';
import { poppler, popplerAvailable } from '../support/poppler';
import { statementSample } from '../support/statement-samples';

/**
 * The settlement statement (费用结算单) as an independent reader sees it (poppler-utils): amounts,
 * masking, pagination and the provisional banner. Skipped with a note without poppler (never in CI).
 */
const run = popplerAvailable() ? describe : describe.skip;

/** Yuan text with two decimals → integer fen, without floating point. */
const fen = (yuan: string): number => {
  const [whole, cents] = yuan.split('.');
  return Number(whole) * 100 + Number(cents);
};

const BANNER = '预结算·临时结算单：经办机构系统暂不可用，本单按医院预审结果出具，以经办机构结算结果为准';

run('the settlement statement through poppler', () => {
  const statements = new SettlementStatementRenderer(new FormRenderer());
  let dir: string;
  const pages: Record<string, string[]> = {};

  /** Renders, writes the file, and keeps pdftotext's pages (split at form feeds). */
  async function renderPages(name: string, data = statementSample(150)): Promise<string[]> {
    const { pdf } = await statements.render(data);
    writeFileSync(join(dir, `${name}.pdf`), pdf);
    const text = poppler('pdftotext', ['-layout', join(dir, `${name}.pdf`), '-']).toString('utf8');
    return text.split('\f').filter((p) => p.trim() !== '');
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'statement-render-'));
    pages.final = await renderPages('final');
    pages.provisional = await renderPages(
      'provisional',
      statementSample(150, { status: 'provisional', statementNo: 'LS20260320-0003' }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const squeeze = (s: string): string => s.replace(/\s+/g, '');

  it('150 fee lines take 3 pages, each with the title, the header and the column header, numbered 第 x 页 共 3 页', () => {
    expect(pages.final).toHaveLength(3);
    pages.final.forEach((page, i) => {
      const s = squeeze(page);
      expect(s).toContain('工伤保险医疗费用结算单');
      expect(s).toContain('医疗机构：宁夏医科大学总医院（H64010400012）');
      expect(s).toContain('结算单号：S640104202603200001');
      expect(s).toContain('姓名：马建国');
      expect(s).toContain('序号项目名称医保目录编码类别数量单价金额基金支付个人支付自付原因');
      expect(s).toContain(`第${i + 1}页共3页`);
    });
    // The worker's details on the first page only, the totals on the last only.
    expect(pages.final.map((p) => squeeze(p).includes('用人单位宁夏银川建工集团有限公司'))).toEqual([
      true,
      false,
      false,
    ]);
    expect(pages.final.map((p) => squeeze(p).includes('医疗费总额'))).toEqual([false, false, true]);
  });

  it('every line once, in order; the columns add up to the printed totals and the amount in words', () => {
    const data = statementSample(150);
    const row = /^\s*(\d{1,3})\s+\S.*?\s(\d+\.\d{2})\s+(\d+\.\d{2})\s+(\d+\.\d{2})\s+(\d+\.\d{2})(?:\s|$)/;
    const rows = pages.final
      .flatMap((p) => p.split('\n'))
      .flatMap((l) => {
        const m = row.exec(l);
        return m ? [m.slice(1).map((x, i) => (i === 0 ? Number(x) : fen(x)))] : [];
      });
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    rows.forEach(([n, price, amount, fund, self]) => {
      const line = data.lines[n - 1];
      expect([n, price, amount, fund, self]).toEqual([
        n,
        line.unitPriceFen,
        line.amountFen,
        line.fundFen,
        line.selfPayFen,
      ]);
      expect(fund + self).toBe(amount);
    });
    const sum = (k: number): number => rows.reduce((s, r) => s + r[k], 0);
    const last = squeeze(pages.final[2]);
    const money = (label: string): number => fen(new RegExp(`${label}：(\\d+\\.\\d{2})元`).exec(last)![1]);
    expect(money('医疗费总额')).toBe(sum(2));
    expect(money('工伤保险基金支付')).toBe(sum(3));
    expect(money('个人支付')).toBe(sum(4));
    expect(money('医疗费总额')).toBe(money('工伤保险基金支付') + money('个人支付'));
    // The table's own 合计 row says the same.
    const total = /合计（共150项，单位：元）(\d+\.\d{2})(\d+\.\d{2})(\d+\.\d{2})/.exec(last)!;
    expect(total.slice(1).map(fen)).toEqual([sum(2), sum(3), sum(4)]);
    // Line 10 is self-pay without a signed notice: the hospital bears it; the worker pays the rest.
    expect(money('其中医院承担')).toBe(data.lines[9].selfPayFen);
    expect(last).toContain('由医院承担，不向职工收取');
    expect(money('职工实际支付')).toBe(money('个人支付') - money('其中医院承担'));
    expect(last).toContain('人民币（大写）：贰仟叁佰壹拾玖元整');
    expect(money('职工实际支付')).toBe(231900);
    expect(last).toContain('结算时间：2026-03-2010:15:30');
    expect(last).toContain('经办人：王丽（0107）');
  });

  it("prints the worker's ID number masked (first 6, last 4), never in full", () => {
    const all = squeeze(pages.final.join('\n'));
    expect(all).toContain('640104********0319');
    expect(all).not.toContain('640104198503120319');
  });

  it('the provisional banner is on every page of a provisional statement, and nowhere on a final one', () => {
    expect(pages.provisional.length).toBeGreaterThanOrEqual(3);
    for (const page of pages.provisional) {
      expect(squeeze(page)).toContain(BANNER);
      expect(squeeze(page)).toContain('结算单号：LS20260320-0003');
    }
    for (const page of pages.final) {
      expect(page).not.toMatch(/预结算|临时结算单|以经办机构结算结果为准/);
    }
  });

  it('one embedded subset font, the forms font', () => {
    const lines = poppler('pdffonts', [join(dir, 'final.pdf')])
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^[A-Z]{6}\+NotoSansHans-Regular\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/);
  });
});

describe('SettlementStatementRenderer', () => {
  const statements = new SettlementStatementRenderer(new FormRenderer());

  it('the same data gives the same bytes, and the SHA-256 is of those bytes', async () => {
    const a = await statements.render(statementSample(20));
    const b = await statements.render(statementSample(20));
    expect(a.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.pdf.equals(b.pdf)).toBe(true);
    expect(a.sha256).toBe(createHash('sha256').update(a.pdf).digest('hex'));
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    const other = await statements.render(statementSample(20, { operator: '李强（0112）' }));
    expect(other.sha256).not.toBe(a.sha256);
  });

  it('a character missing from the font is refused before drawing, named by its path in the data', async () => {
    const data = statementSample(5);
    data.worker = { ...data.worker, name: '𠮷野' };
    data.lines[3] = { ...data.lines[3], itemName: '换药\uE001' };
    const err = await statements.render(data).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FormCharacterError);
    expect(err).toMatchObject({ code: 'FORM_CHARACTER_NOT_IN_FONT', status: 400 });
    expect((err as FormCharacterError).details).toEqual([
      expect.objectContaining({
        field: 'worker.name',
        code: 'CHAR_NOT_IN_FONT',
        context: { char: '𠮷', codePoint: 'U+20BB7' },
      }),
      expect.objectContaining({ field: 'lines[3].itemName', context: { char: '\uE001', codePoint: 'U+E001' } }),
    ]);
    expect((err as FormCharacterError).message).toContain('𠮷');
  });

  it('data that does not add up is refused (500 STATEMENT_DATA_INVALID), naming each problem', async () => {
    const data = statementSample(5);
    data.totals = { ...data.totals, medicalFeeFen: data.totals.medicalFeeFen + 100 };
    await expect(statements.render(data)).rejects.toMatchObject({
      code: 'STATEMENT_DATA_INVALID',
      status: 500,
      details: [expect.objectContaining({ field: 'totals.medicalFeeFen', code: 'STATEMENT_DATA_INVALID' })],
    });
  });
});
