import { relapseSample } from '../../../test/support/form-samples';
import { formKind } from '../kinds/form-kinds';
import { FormRenderer } from './form-renderer';
import type { FormLayout } from './layout';
import { fitText, type TextMeasurer, wrapText } from './text-fit';

/** Every character one unit wide: fitting is then plain arithmetic. */
const mono: TextMeasurer = { width: (t, size) => [...t].length * size, lineHeight: (size) => size };

function assertInside(layout: FormLayout, font: TextMeasurer): void {
  for (const cell of layout.cells) {
    for (const line of cell.lines) {
      expect(line.x).toBeGreaterThanOrEqual(cell.inner.x - 0.01);
      expect(line.x + font.width(line.text, line.size)).toBeLessThanOrEqual(cell.inner.x + cell.inner.w + 0.01);
      expect(line.y).toBeGreaterThanOrEqual(cell.inner.y - 0.01);
      expect(line.y + font.lineHeight(line.size)).toBeLessThanOrEqual(cell.inner.y + cell.inner.h + 0.01);
    }
  }
}

describe('fitting text into cells', () => {
  it('shrinks a line that is too wide before wrapping it', () => {
    expect(fitText('一二三四五', 50, 'shrink', 12, 8, 12, mono)).toEqual({ size: 10, lines: ['一二三四五'] });
  });

  it('wraps at the minimum size once shrinking is not enough', () => {
    const fitted = fitText('一二三四五六七八九十', 40, 'shrink', 12, 8, 12, mono);
    expect(fitted).toEqual({ size: 8, lines: ['一二三四五', '六七八九十'] });
  });

  it('keeps a Latin word or number whole when wrapping and splits only what cannot fit a line', () => {
    expect(wrapText('编号ABC123', 4, 1, mono)).toEqual(['编号', 'ABC1', '23']);
    expect(wrapText('号 ABC', 4, 1, mono)).toEqual(['号', 'ABC']);
  });

  const renderer = new FormRenderer();
  const relapse = formKind('relapse-filing');

  it('a long unit name and address shrink to the minimum, then wrap: nothing leaves its cell', () => {
    const values = {
      ...relapseSample(),
      address:
        '宁夏回族自治区银川市兴庆区解放东街八十八号院三号楼二单元十五层一千五百零二室（近银川市第一人民医院东门，原银川市建筑工程公司家属院北侧第三排平房东数第五户）',
    };
    const layout = renderer.layout({ spec: relapse, values });
    assertInside(layout, renderer.font);
    const cell = layout.cells.find((c) => c.fields.includes('address'))!;
    expect(cell.lines.length).toBeGreaterThan(1);
    expect(cell.lines[0].size).toBe(relapse.template.font.min);
    expect(cell.lines.map((l) => l.text).join('')).toBe(values.address);
  });

  it('a long doctor opinion wraps inside the opinion area with the sign line still at its bottom', () => {
    const values = { ...relapseSample(), medicalHistory: '右手压伤后反复疼痛肿胀，'.repeat(14) };
    const layout = renderer.layout({ spec: relapse, values });
    assertInside(layout, renderer.font);
    const cell = layout.cells.find((c) => c.fields.includes('medicalHistory'))!;
    const sign = cell.lines.find((l) => l.text.startsWith('主治医师'))!;
    expect(Math.max(...cell.lines.map((l) => l.y))).toBeLessThanOrEqual(sign.y + 20);
    expect(cell.lines.filter((l) => l.text.startsWith('病史') || l.y < sign.y).length).toBeGreaterThan(3);
  });

  it('text that cannot fit the page even at the minimum size is refused naming the field, never drawn outside', () => {
    const values = { ...relapseSample(), medicalHistory: '右手压伤后反复疼痛肿胀。'.repeat(200) };
    expect(() => renderer.layout({ spec: relapse, values })).toThrow(
      expect.objectContaining({
        code: 'FORM_TEXT_TOO_LONG',
        details: expect.arrayContaining([expect.objectContaining({ field: 'medicalHistory' })]),
      }),
    );
  });

  it('the disputed note appears only on a disputed relapse, in the appraisal body row', () => {
    const plain = renderer.layout({ spec: relapse, values: relapseSample() });
    const disputed = renderer.layout({ spec: relapse, values: relapseSample(), disputed: true });
    const text = (l: FormLayout): string => l.cells.flatMap((c) => c.lines.map((x) => x.text)).join('\n');
    expect(text(plain)).not.toContain('存在争议');
    const row = disputed.cells.find((c) => c.lines.some((l) => l.text.startsWith('劳动能力鉴定机构意见')))!;
    expect(row.lines.map((l) => l.text).join('')).toContain('本次工伤复发存在争议');
  });

  it('places one signature box, beside 签名：, with the date after it', () => {
    const layout = renderer.layout({
      spec: relapse,
      values: relapseSample(),
      signature: { png: Buffer.alloc(0), date: '2026-03-06' },
    });
    expect(layout.signatureBoxes).toHaveLength(1);
    const cell = layout.cells[layout.signatureBoxes[0].cellIndex];
    const label = cell.lines.find((l) => l.text === '签名：')!;
    const date = cell.lines.find((l) => l.text === '2026 年 3 月 6 日')!;
    expect(label.x).toBeLessThan(layout.signatureBoxes[0].x);
    expect(date.x).toBeGreaterThan(layout.signatureBoxes[0].x + layout.signatureBoxes[0].w);
  });
});
