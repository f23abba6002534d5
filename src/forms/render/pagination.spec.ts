import { FormTableRow } from './form-values';
import { layoutForm, type FormLayout } from './layout';
import type { FormTemplate } from './template';
import { TemplateError } from './template';
import { parseTemplate } from './template-parser';
import type { TextMeasurer } from './text-fit';

/** Every character one unit wide, lines as tall as their size: page arithmetic stays plain. */
const mono: TextMeasurer = { width: (t, size) => [...t].length * size, lineHeight: (size) => size };

/** A paginated list: a lead row (page 1 only), the column header (every page), the items, a total. */
function listJson(): Record<string, unknown> {
  return {
    kind: 'list',
    title: '清单',
    page: { size: 'A4', margins: { top: 40, right: 40, bottom: 40, left: 40 } },
    font: { title: 20, base: 10, min: 6, small: 8, lineGap: 0 },
    pagination: { pageNumber: '第 {page} 页 共 {pages} 页' },
    headerLines: [{ text: '单号：{no}' }, { text: '临时单', whenFlag: 'provisional', boxed: true, align: 'center' }],
    columns: [1, 3, 2],
    rows: [
      { minHeight: 100, cells: [{ label: '首页信息' }, { field: 'no', span: 2 }] },
      { minHeight: 20, everyPage: true, cells: [{ label: '序号' }, { label: '名称' }, { label: '金额' }] },
      { minHeight: 20, repeat: 'items', cells: [{ item: '#' }, { item: 'name' }, { item: 'amount' }] },
      { minHeight: 60, cells: [{ label: '合计', span: 2 }, { text: '{sum:items.amount}' }] },
    ],
    footerTexts: [{ text: '说明' }],
    fields: [
      { key: 'no', label: '单号', type: 'text', required: true },
      {
        key: 'items',
        label: '明细',
        type: 'table',
        required: true,
        maxRows: 1000,
        columns: [
          { key: 'name', label: '名称', type: 'text', required: true },
          { key: 'amount', label: '金额', type: 'amount', required: true },
        ],
      },
    ],
  };
}

const items = (n: number): FormTableRow[] =>
  Array.from({ length: n }, (_, i) => ({ name: `项目${i + 1}`, amount: '1.01' }));

function layout(n: number, flags: string[] = [], t: FormTemplate = parseTemplate(listJson(), 'list.json')): FormLayout {
  return layoutForm({ template: t, values: { no: 'A1', items: items(n) }, flags: new Set(flags) }, mono);
}

const texts = (cells: FormLayout['cells']): string[] => cells.flatMap((c) => c.lines.map((l) => l.text));

describe('paginated templates', () => {
  // A4 841.89 high, margins 40: the grid starts at 40 + 20 (title) + 10 + 10 (header line) + 4 + 2 = 86
  // and may reach 801.89: 715.89 points. Page 1: 100 lead + 20 header → 29 items; then 34 per page.
  it('one page when everything fits: title, header, column header, items, total, page number', () => {
    const l = layout(5);
    expect(l.pages).toHaveLength(1);
    expect(texts(l.cells)).toEqual(expect.arrayContaining(['首页信息', '序号', '项目5', '合计', '5.05']));
    expect(l.footer.map((x) => x.text)).toEqual(['第 1 页 共 1 页']);
    expect(l.footerTexts.map((x) => x.text)).toEqual(['说明']);
  });

  it('flows the items over pages: the column header on every page, the lead on the first only, the total on the last', () => {
    const l = layout(80);
    expect(l.pages).toHaveLength(3);
    const pages = l.pages.map((p) => texts(p.cells));
    expect(pages.map((p) => p.filter((t) => t === '序号').length)).toEqual([1, 1, 1]);
    expect(pages.map((p) => p.includes('首页信息'))).toEqual([true, false, false]);
    expect(pages.map((p) => p.includes('合计'))).toEqual([false, false, true]);
    expect(pages[0]).toContain('项目29');
    expect(pages[0]).not.toContain('项目30');
    expect(pages[1][3]).toBe('30'); // the first item of page 2 follows the column header
    expect(pages[2]).toContain('80.80');
    expect(l.pages.map((p) => p.footer.map((x) => x.text))).toEqual([
      ['第 1 页 共 3 页'],
      ['第 2 页 共 3 页'],
      ['第 3 页 共 3 页'],
    ]);
    expect(l.pages.map((p) => p.header.map((x) => x.text))).toEqual([['单号：A1'], ['单号：A1'], ['单号：A1']]);
    // Every item exactly once, in order.
    const numbers = pages.flat().filter((t) => /^\d+$/.test(t));
    expect(numbers).toEqual(Array.from({ length: 80 }, (_, i) => String(i + 1)));
    // Nothing leaves the page.
    for (const page of l.pages) {
      for (const cell of page.cells) {
        expect(cell.rect.y + cell.rect.h).toBeLessThanOrEqual(801.89 + 1e-6);
      }
    }
  });

  it('the total never stands alone: it takes the last item along to a new page', () => {
    // 29 items fill page 1 exactly; the total (60) and the footer text do not fit below them.
    const l = layout(29);
    expect(l.pages).toHaveLength(2);
    const second = texts(l.pages[1].cells);
    expect(second.slice(0, 4)).toEqual(['序号', '名称', '金额', '29']);
    expect(second).toContain('合计');
    expect(texts(l.pages[0].cells)).not.toContain('29');
  });

  it('a boxed line shown only under its flag, with a frame on every page', () => {
    expect(layout(80).pages.every((p) => p.frames.length === 0)).toBe(true);
    const l = layout(80, ['provisional']);
    expect(l.pages.map((p) => p.header.map((x) => x.text))).toEqual(Array(3).fill(['单号：A1', '临时单']));
    for (const page of l.pages) {
      expect(page.frames).toHaveLength(1);
      const banner = page.header[1];
      const frame = page.frames[0];
      expect(banner.y).toBeGreaterThan(frame.y);
      expect(banner.y + banner.size).toBeLessThan(frame.y + frame.h);
    }
    // The banner pushes the grid down, so fewer items fit per page.
    expect(texts(l.pages[0].cells)).not.toContain('29');
  });

  it('a row taller than a page is refused as FORM_TEXT_TOO_LONG, not drawn off the page', () => {
    const json = listJson() as { rows: { minHeight: number }[] };
    json.rows[0].minHeight = 800;
    expect(() => layout(3, [], parseTemplate(json, 'list.json'))).toThrow(
      expect.objectContaining({ code: 'FORM_TEXT_TOO_LONG' }),
    );
  });

  function failure(mutate: (json: Record<string, unknown> & { rows: Record<string, unknown>[] }) => void): string {
    const json = listJson() as Record<string, unknown> & { rows: Record<string, unknown>[] };
    mutate(json);
    try {
      parseTemplate(json, 'list.json');
    } catch (err) {
      if (err instanceof TemplateError) {
        return `${err.path}: ${err.message}`;
      }
      throw err;
    }
    throw new Error('accepted');
  }

  it('the loader checks the pagination rules, naming the path', () => {
    expect(failure((j) => delete j.pagination)).toMatch(/^rows\[1\]\.everyPage: .*only a paginated template/);
    expect(failure((j) => (j.pagination = { pageNumber: '第 {page} 页 {no}' }))).toMatch(
      /^pagination\.pageNumber: .*only \{page\} and \{pages\}/,
    );
    expect(failure((j) => j.rows.splice(3, 0, { ...j.rows[2] }))).toMatch(/^pagination: .*exactly one repeat row/);
    expect(
      failure((j) => {
        j.rows[0].everyPage = true;
        j.rows[1].everyPage = false;
      }),
    ).toMatch(/^rows\[0\]\.everyPage: .*right above the repeat row/);
    expect(failure((j) => (j.rows[3].everyPage = true))).toMatch(/^rows\[3\]\.everyPage: .*right above/);
    expect(failure((j) => (j.rows[2].size = 5))).toMatch(/^rows\[2\]\.size: .*font\.min/);
    expect(failure((j) => ((j.headerLines as Record<string, unknown>[])[0].boxed = 'yes'))).toMatch(
      /^headerLines\[0\]\.boxed/,
    );
  });
});
