import { FormRenderer } from '../../src/forms/render/form-renderer';
import type { FeeListData } from '../../src/obligations/documents/fee-list/fee-list-data';
import { FeeListRenderer } from '../../src/obligations/documents/fee-list/fee-list-renderer';
import { poppler, popplerAvailable } from '../support/poppler';
import { statementSample } from '../support/statement-samples';

/** The fee list (费用明细清单) as an independent reader sees it (poppler-utils). */
const run = popplerAvailable() ? describe : describe.skip;

function sample(count: number): FeeListData {
  const s = statementSample(count);
  if (s.visit.kind !== 'inpatient') {
    throw new Error('the sample is an inpatient stay');
  }
  return {
    ...s,
    visit: s.visit,
    lines: s.lines.map((l, i) => ({
      ...l,
      serviceDate: `2026-03-${String(5 + (i % 15)).padStart(2, '0')}`,
      hisItemCode: `HIS${String(i + 1).padStart(4, '0')}`,
    })),
  };
}

run('the fee list through poppler', () => {
  const renderer = new FeeListRenderer(new FormRenderer());
  const squeeze = (s: string): string => s.replace(/\s+/g, '');

  it('prints every line with its day, codes, price, count, amount and self-pay part, and the totals', async () => {
    const data = sample(12);
    const { pdf, sha256 } = await renderer.render(data);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    const text = poppler('pdftotext', ['-layout', '-', '-'], pdf).toString('utf8');
    expect(squeeze(text)).toContain('工伤保险住院费用明细清单');
    expect(text).toContain('2026-03-05');
    expect(text).toContain('2026-03-20');
    expect(squeeze(text)).toContain('640104********0319');
    expect(text).not.toContain('640104198503120319');
    for (const [i, line] of data.lines.entries()) {
      const row = text.split('\n').find((r) => r.includes(`HIS${String(i + 1).padStart(4, '0')}`));
      expect(row).toBeDefined();
      expect(squeeze(row as string)).toContain(squeeze(line.itemName).slice(0, 6));
      expect(row).toContain(line.serviceDate);
      expect(row).toContain(`${Math.floor(line.amountFen / 100)}.${String(line.amountFen % 100).padStart(2, '0')}`);
    }
    const total = data.totals.medicalFeeFen;
    expect(text).toContain(`${Math.floor(total / 100)}.${String(total % 100).padStart(2, '0')}`);
  });

  it('the same data renders the same bytes; data that does not add up is refused before drawing', async () => {
    const data = sample(3);
    expect((await renderer.render(data)).sha256).toBe((await renderer.render(data)).sha256);
    const bad = { ...data, totals: { ...data.totals, medicalFeeFen: data.totals.medicalFeeFen + 1 } };
    await expect(renderer.render(bad)).rejects.toMatchObject({ code: 'STATEMENT_DATA_INVALID' });
    const noDay = { ...data, lines: data.lines.map((l, i) => (i === 1 ? { ...l, serviceDate: '3月6日' } : l)) };
    await expect(renderer.render(noDay)).rejects.toMatchObject({
      details: [expect.objectContaining({ field: 'lines[1].serviceDate' })],
    });
  });
});
