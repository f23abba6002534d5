import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORM_KINDS, formKind } from '../kinds/form-kinds';
import { TemplateError } from './template';
import { loadTemplate, parseTemplate, templatesDir } from './template-parser';

const relapseJson = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(templatesDir(), 'relapse-filing.json'), 'utf8'));

function failure(json: unknown): TemplateError {
  try {
    parseTemplate(json, 'test.json');
  } catch (err) {
    if (err instanceof TemplateError) {
      return err;
    }
    throw err;
  }
  throw new Error('the broken template was accepted');
}

describe('form templates', () => {
  it('every registered kind loads and checks its template', () => {
    for (const kind of FORM_KINDS) {
      const spec = formKind(kind);
      expect(spec.template.kind).toBe(kind);
      expect(spec.title).toBe(spec.template.title);
    }
    expect(formKind('relapse-filing').docType).toBe('01');
    expect(formKind('rehab-application').docType).toBe('02');
    expect(formKind('self-pay-consent').docType).toBe('07');
  });

  it('the settlement statement template (not a form kind) loads: paginated, its column header on every page', () => {
    const t = loadTemplate('settlement-statement');
    expect(t.pagination).toEqual({ pageNumber: '第 {page} 页 共 {pages} 页' });
    const header = t.rows.find((r) => r.everyPage)!;
    expect(header.cells.map((c) => c.label)).toEqual([
      '序号',
      '项目名称',
      '医保目录编码',
      '类别',
      '数量',
      '单价',
      '金额',
      '基金支付',
      '个人支付',
      '自付原因',
    ]);
    expect(t.rows[t.rows.indexOf(header) + 1].repeat).toBe('lines');
    expect(FORM_KINDS).not.toContain('settlement-statement');
  });

  it('an unknown kind is a 400 FORM_KIND_UNKNOWN listing the kinds', () => {
    expect(() => formKind('sick-note')).toThrow(expect.objectContaining({ code: 'FORM_KIND_UNKNOWN', status: 400 }));
    expect(() => formKind('sick-note')).toThrow(/relapse-filing、rehab-application、self-pay-consent/);
  });

  it('a row covering more columns than the grid is refused naming the cell', () => {
    const json = relapseJson() as { rows: { cells: { span?: number }[] }[] };
    json.rows[1].cells[1].span = 6;
    const err = failure(json);
    expect(err.path).toBe('rows[1].cells[1].span');
    expect(err.message).toContain('test.json: rows[1].cells[1].span');
  });

  it('a row covering too few columns is refused naming the row', () => {
    const json = relapseJson() as { rows: { cells: unknown[] }[] };
    json.rows[0].cells.pop();
    expect(failure(json).path).toBe('rows[0].cells');
  });

  it('a placeholder naming no declared field is refused naming the block', () => {
    const json = relapseJson() as { rows: { cells: { blocks?: { text: string }[] }[] }[] };
    json.rows[6].cells[0].blocks![1].text = '病史：{medicalHistroy}';
    const err = failure(json);
    expect(err.path).toBe('rows[6].cells[0].blocks[1].text');
    expect(err.message).toContain('{medicalHistroy}');
  });

  it('unknown keys, wrong types and two contents in one cell are refused with their paths', () => {
    const a = relapseJson() as { rows: { cells: Record<string, unknown>[] }[] };
    a.rows[0].cells[0].colour = 'red';
    expect(failure(a).path).toBe('rows[0].cells[0].colour');

    const b = relapseJson() as { font: Record<string, unknown> };
    b.font.base = '10';
    expect(failure(b).path).toBe('font.base');

    const c = relapseJson() as { rows: { cells: Record<string, unknown>[] }[] };
    c.rows[0].cells[1].label = '姓名';
    expect(failure(c).path).toBe('rows[0].cells[1]');

    const d = relapseJson() as { fields: Record<string, unknown>[] };
    d.fields[2].type = 'choice';
    expect(failure(d).path).toBe('fields[2].type');
  });

  it('a rowSpan is counted: the photo box of Annex 2 covers its column in the next two rows', () => {
    const rehab = formKind('rehab-application').template;
    expect(rehab.rows[0].cells[6]).toMatchObject({ label: '照 片', rowSpan: 3 });
    const json = JSON.parse(readFileSync(join(templatesDir(), 'rehab-application.json'), 'utf8')) as {
      rows: { cells: { span?: number }[] }[];
    };
    json.rows[1].cells[1].span = 6; // would run into the photo box
    expect(failure(json).path).toBe('rows[1].cells[1].span');
  });
});
