import PDFDocument from 'pdfkit';
import { formKind } from '../../src/forms/kinds/form-kinds';
import { FormRenderer } from '../../src/forms/render/form-renderer';
import { relapseSample, signaturePng } from '../support/form-samples';

/**
 * A signed relapse filing form through FormRenderer (character check, layout, grid, signature
 * image) against a bare pdfkit document with the same font and the same text (every line the
 * form shows, flowed down the page, plus the same signature image): the price of the template
 * machinery per form, and the file size. Rounds alternate so machine drift hits both alike.
 */
export async function benchForms(rounds = Number(process.env.BENCH_FORMS ?? 30)): Promise<void> {
  const renderer = new FormRenderer();
  const spec = formKind('relapse-filing');
  const request = {
    spec,
    values: relapseSample(),
    signature: { png: signaturePng(), date: '2026-03-06' },
    footer: '表单编号 F0000000001 第1版',
  };
  const lines = (() => {
    const layout = renderer.layout(request);
    return [
      ...layout.title,
      ...layout.header,
      ...layout.cells.flatMap((c) => c.lines),
      ...layout.footerTexts,
      ...layout.footer,
    ].map((l) => l.text);
  })();

  const bare = (): Promise<Buffer> => {
    const doc = new PDFDocument({ size: 'A4', margin: 50 });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
    doc.registerFont('form', renderer.font.bytes);
    doc.font('form').fontSize(9);
    for (const line of lines) {
      doc.text(line);
    }
    doc.image(request.signature.png, { fit: [110, 34] });
    doc.end();
    return done;
  };

  const ours: number[] = [];
  const theirs: number[] = [];
  let ourSize = 0;
  let bareSize = 0;
  await renderer.render(request);
  await bare(); // warm-up, discarded
  for (let i = 0; i < rounds; i++) {
    let t0 = process.hrtime.bigint();
    ourSize = (await renderer.render(request)).length;
    ours.push(Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    bareSize = (await bare()).length;
    theirs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const line = (label: string, ms: number, bytes: number): string =>
    `  ${label.padEnd(26)} median ${ms.toFixed(1).padStart(7)} ms   ${(bytes / 1024).toFixed(1).padStart(6)} KB`;
  process.stdout.write(
    `\nforms: signed relapse filing form (${lines.length} text lines, ${rounds} rounds)\n` +
      `${line('FormRenderer', median(ours), ourSize)}\n${line('bare pdfkit, same font+text', median(theirs), bareSize)}\n` +
      `  ratio renderer/bare: time ${(median(ours) / median(theirs)).toFixed(2)}x, size ${(ourSize / bareSize).toFixed(2)}x (aim ≤ 2x time, ≤ 150 KB)\n`,
  );
}
