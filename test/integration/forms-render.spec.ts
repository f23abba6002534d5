import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { formKind } from '../../src/forms/kinds/form-kinds';
import { FormRenderer } from '../../src/forms/render/form-renderer';
import { relapseSample, signaturePng } from '../support/form-samples';
import { poppler, popplerAvailable } from '../support/poppler';

/**
 * The PDFs as an independent reader sees them (poppler-utils). The reference image is
 * test/fixtures/forms/relapse-filing.png; regenerate it after an intended layout change with
 * `UPDATE_FORM_FIXTURES=1 npx jest --selectProjects integration test/integration/forms-render.spec.ts`
 * and look at it before committing.
 */
const run = popplerAvailable() ? describe : describe.skip;
const FIXTURE = join(__dirname, '..', 'fixtures', 'forms', 'relapse-filing.png');

/** Annex 1 row by row: each label and each filled value, in reading order. */
const ANNEX_1_ROWS = (v: Record<string, string>): string[][] => [
  ['宁夏回族自治区工伤复发就医备案表'],
  ['单位名称：', v.unitName],
  ['姓名', v.name, '性别', v.sex, '出生日期', v.birthDate],
  ['身份证号码', v.idNumber, '联系电话', v.phone],
  ['工伤时间', v.injuryDate, '工伤认定时间', v.determinationDate],
  ['工伤认定编号', v.determinationNo, '工伤职工类别', v.workerCategory],
  ['伤害部位及', `${v.injuredParts}；${v.disabilityGrade}`, '伤残等级'],
  ['家庭住址', v.address],
  ['协议医疗机构意见（详细填写病史、诊断依据及治疗期限）', v.medicalHistory, v.diagnosis, v.treatmentPeriod],
  ['主治医师：', v.attendingDoctor, '科主任：', v.departmentHead, '2026年3月5日'],
  ['医院医保办审批意见（签章）：', '经办人：', '年月日'],
  ['本人承诺：情况属实。', '签名：', '2026年3月6日'],
  ['劳动能力鉴定机构意见（签章）：', '经办人：', '年月日'],
  ['社保经办机构意见（签章）：', '经办人：', '年月日'],
  [
    '备注：1.工伤职工类别填写在职、退休或老工伤。2.本表由医疗机构录入工伤保险即时结算系统，书面表格留存备查。3.工伤复发有异议的需经劳动能力鉴定机构确认时，相关部门在劳动能力鉴定机构意见栏和经办机构意见栏填写意见。',
  ],
];

run('rendered forms through poppler', () => {
  const renderer = new FormRenderer();
  const spec = formKind('relapse-filing');
  const values = relapseSample() as Record<string, string>;
  let dir: string;
  let pdf: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forms-render-'));
    pdf = await renderer.render({
      spec,
      values,
      signature: { png: signaturePng(), date: '2026-03-06' },
      footer: '表单编号 F0000000001 第1版',
      createdAt: new Date('2026-03-06T02:00:00Z'),
    });
    writeFileSync(join(dir, 'relapse.pdf'), pdf);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pdftotext finds every label of Annex 1 and every filled value, in reading order per row', () => {
    const text = poppler('pdftotext', ['-layout', join(dir, 'relapse.pdf'), '-']).toString('utf8');
    // Whitespace is layout, not content: compare the character stream.
    const stream = text.replace(/\s+/g, '');
    let at = 0;
    for (const row of ANNEX_1_ROWS(values)) {
      for (const item of row) {
        const want = item.replace(/\s+/g, '');
        const found = stream.indexOf(want, at);
        expect([row[0], item, found >= 0 ? 'found in order' : `missing after offset ${at}`]).toEqual([
          row[0],
          item,
          'found in order',
        ]);
        at = found + want.length;
      }
    }
    expect(stream).toContain('表单编号F0000000001第1版');
  });

  it('pdffonts shows exactly one font: embedded, subset, CJK (CID, Identity-H)', () => {
    const lines = poppler('pdffonts', [join(dir, 'relapse.pdf')])
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(2);
    expect(lines).toHaveLength(1);
    const cols = lines[0].trim().split(/\s+/);
    expect(cols[0]).toMatch(/^[A-Z]{6}\+NotoSansHans-Regular$/);
    expect(lines[0]).toMatch(/CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  it('the rendered page matches the checked-in reference image within 1 % of pixels', () => {
    poppler('pdftoppm', ['-r', '50', '-gray', '-png', '-singlefile', join(dir, 'relapse.pdf'), join(dir, 'page')]);
    const actualBytes = readFileSync(join(dir, 'page.png'));
    if (process.env.UPDATE_FORM_FIXTURES === '1') {
      writeFileSync(FIXTURE, actualBytes);
    }
    const actual = PNG.sync.read(actualBytes);
    const reference = PNG.sync.read(readFileSync(FIXTURE));
    expect([actual.width, actual.height]).toEqual([reference.width, reference.height]);
    const pixels = actual.width * actual.height;
    // The page really has a form on it (borders, text, signature), and the same one.
    expect(inkedPixels(reference) / pixels).toBeGreaterThan(0.02);
    expect(differingPixels(actual, reference) / pixels).toBeLessThan(0.01);
  });

  it("the reference comparison notices a change: another worker's form, unsigned, differs", async () => {
    const unsigned = await renderer.render({
      spec,
      values: { ...values, name: '马建华', address: '宁夏吴忠市利通区裕民街道' },
      createdAt: new Date('2026-03-06T02:00:00Z'),
    });
    writeFileSync(join(dir, 'other.pdf'), unsigned);
    poppler('pdftoppm', ['-r', '50', '-gray', '-png', '-singlefile', join(dir, 'other.pdf'), join(dir, 'other')]);
    const other = PNG.sync.read(readFileSync(join(dir, 'other.png')));
    expect(differingPixels(other, PNG.sync.read(readFileSync(FIXTURE)))).toBeGreaterThan(50);
  });
});

/** Pixels whose grey level differs by more than a quarter of the range (grayscale PNGs decode to RGBA). */
function differingPixels(a: PNG, b: PNG): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (Math.abs(a.data[i] - b.data[i]) > 64) {
      n++;
    }
  }
  return n;
}

function inkedPixels(image: PNG): number {
  let n = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    if (image.data[i] < 128) {
      n++;
    }
  }
  return n;
}
