import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { relapseSample, rehabSample } from '../support/form-samples';
import { poppler, popplerAvailable } from '../support/poppler';
import { chromiumAvailable, DESK_VIEWPORT, launchBrowser } from './support/browser';
import { createApiKey, startConsoleGateway, type ConsoleGateway } from './support/console-gateway';

jest.setTimeout(60_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');
const VISIT = 'ZY20261203007';
const TITLE = '宁夏回族自治区工伤复发就医备案表';
const run = chromiumAvailable() && popplerAvailable() ? describe : describe.skip;

interface Form {
  id: string;
  status: string;
  version: number;
}

/** How many images a PDF holds (pdfimages -list: two header lines, then one line per image or mask). */
function imageCount(pdf: Buffer): number {
  const lines = poppler('pdfimages', ['-list', '-'], pdf).toString().trim().split('\n');
  return lines.slice(2).filter((l) => l.trim() !== '').length;
}

run('the forms page in a real browser (desk1, 1366×768)', () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let page: Page;
  let his: string;
  let relapse: Form;
  let rehab: Form;
  const errors: string[] = [];

  /** HIS creates a draft, as it would: an API key of scope forms, POST /api/v1/forms. */
  async function createForm(kind: string, values: Record<string, unknown>): Promise<Form> {
    const res = await fetch(`${gateway.url}/api/v1/forms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${his}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind, visitId: VISIT, values }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Form;
  }

  /** The PDF as the page gets it: GET …/pdf with the staff cookie, from inside the page. */
  async function pdfFromPage(id: string): Promise<Buffer> {
    const res = await page.request.get(`${gateway.url}/api/v1/forms/${id}/pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    return res.body();
  }

  const detail = () => page.getByTestId('form-detail');
  const status = () => page.getByTestId('form-status');
  const canvas = () => page.getByTestId('signature-canvas');
  const confirmButton = () => page.getByRole('button', { name: '确认签名' });

  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
    his = await createApiKey(gateway, 'HIS 表单（浏览器测试）', ['forms']);
    page = await browser.newPage({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) {
        errors.push(`csp: ${m.text()}`);
      }
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('lists the visit’s forms, fills the missing field, signs on the pad with a pen and a mouse: 已签署, and the PDF carries the signature; writes docs/console/forms.png', async () => {
    // A relapse filing without the optional 医疗机构意见日期, and a rehab application.
    const values = relapseSample();
    delete values.opinionDate;
    relapse = await createForm('relapse-filing', values);
    rehab = await createForm('rehab-application', rehabSample());
    const unsigned = await (
      await fetch(`${gateway.url}/api/v1/forms/${relapse.id}/pdf`, { headers: { authorization: `Bearer ${his}` } })
    ).arrayBuffer();
    const unsignedImages = imageCount(Buffer.from(unsigned));

    // Log in by keyboard, then the menu's 表单.
    await page.goto(`${gateway.url}/console/login`);
    await page.locator('#login-name').waitFor();
    await page.keyboard.type('desk1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('desk1-sandbox');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/desk');
    await page.getByRole('menuitem', { name: '表单' }).click();
    await page.waitForURL('**/console/forms');

    // The visit id, Enter: both forms, newest first, with kind, state, version and Beijing time.
    await page.locator('#forms-visit').focus();
    await page.keyboard.type(VISIT);
    await page.keyboard.press('Enter');
    const list = page.getByRole('navigation', { name: '表单列表' });
    const rows = list.locator('button.form-row');
    await rows.nth(1).waitFor();
    await expect(rows.nth(0).textContent()).resolves.toContain('工伤康复申请确认表');
    await expect(rows.nth(1).textContent()).resolves.toMatch(
      /工伤复发就医备案表\s*草稿\s*第1版 · \d{4}-\d{2}-\d{2} \d{2}:\d{2}/,
    );

    // Keyboard: Tab to the relapse row, Enter opens it.
    await rows.nth(1).focus();
    await page.keyboard.press('Enter');
    await detail().getByRole('heading', { name: TITLE }).waitFor();
    await expect(status().textContent()).resolves.toContain('草稿');
    await expect(page.getByTestId('form-pdf').getAttribute('src')).resolves.toBe(`/api/v1/forms/${relapse.id}/pdf`);

    // The empty field is marked and fillable; saving PATCHes it and the mark goes.
    const opinion = detail().locator('[data-field="opinionDate"]');
    await expect(opinion.getAttribute('class')).resolves.toContain('empty');
    await expect(opinion.textContent()).resolves.toContain('未填');
    await page.locator('#field-opinionDate').fill('2026-12-03');
    await detail().getByRole('button', { name: '保存修改' }).click();
    await detail().getByText('已保存').waitFor();
    await expect(opinion.getAttribute('class')).resolves.not.toContain('empty');
    // A bad value: the gateway's message on the field itself.
    await page.locator('#field-phone').fill('12');
    await detail().getByRole('button', { name: '保存修改' }).click();
    await expect(detail().locator('[data-field="phone"] .field-error').textContent()).resolves.not.toBe('');
    await expect(detail().locator('[data-field="phone"]').getAttribute('class')).resolves.toContain('missing');
    await detail().getByText('未保存：请按字段下的提示修改标红的项').waitFor();
    // Putting it right clears the mark and the message.
    await page.locator('#field-phone').fill(values.phone as string);
    await detail().getByText('未保存：请按字段下的提示修改标红的项').waitFor({ state: 'detached' });
    await expect(detail().locator('[data-field="phone"]').getAttribute('class')).resolves.not.toContain('missing');

    // The pad: 确认签名 is disabled while empty.
    await detail().getByRole('tab', { name: '签名' }).click();
    await canvas().waitFor();
    await expect(confirmButton().isDisabled()).resolves.toBe(true);
    const box = (await canvas().boundingBox())!;
    expect(await canvas().evaluate((el) => getComputedStyle(el).touchAction)).toBe('none');

    // A pen with pressure (CDP: pointerType pen, force): ink, so 确认签名 is enabled; 清除 empties it.
    const cdp = await page.context().newCDPSession(page);
    const pen = (type: 'mousePressed' | 'mouseMoved' | 'mouseReleased', x: number, y: number, force: number) =>
      cdp.send('Input.dispatchMouseEvent', {
        type,
        x: box.x + x,
        y: box.y + y,
        button: 'left',
        buttons: type === 'mouseReleased' ? 0 : 1,
        clickCount: 1,
        pointerType: 'pen',
        force,
      });
    await pen('mousePressed', 30, 80, 0.3);
    for (let i = 1; i <= 20; i++) {
      await pen('mouseMoved', 30 + i * 8, 80 - 30 * Math.sin(i / 3), 0.3 + i * 0.03);
    }
    await pen('mouseReleased', 190, 70, 0);
    await expect(confirmButton().isEnabled()).resolves.toBe(true);
    await page.getByRole('button', { name: '清除' }).click();
    await expect(confirmButton().isDisabled()).resolves.toBe(true);

    // The worker signs with the mouse: a wavy name-like stroke and a second one.
    await page.mouse.move(box.x + 40, box.y + 90);
    await page.mouse.down();
    for (let i = 1; i <= 30; i++) {
      await page.mouse.move(box.x + 40 + i * 9, box.y + 90 - 35 * Math.sin(i / 4) * Math.cos(i / 11));
    }
    await page.mouse.up();
    await page.mouse.move(box.x + 120, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 140, box.y + 110, { steps: 8 });
    await page.mouse.up();
    await expect(confirmButton().isEnabled()).resolves.toBe(true);

    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = await page.screenshot({ fullPage: false });
    writeFileSync(join(SCREENSHOTS, 'forms.png'), shot);
    const image = PNG.sync.read(shot);
    expect([image.width, image.height]).toEqual([DESK_VIEWPORT.width, DESK_VIEWPORT.height]);
    const colours = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4) {
      colours.add(image.data.readUInt32BE(i));
    }
    expect(colours.size).toBeGreaterThan(50);
    // Nothing scrolls sideways at 1366×768.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESK_VIEWPORT.width);

    await confirmButton().click();
    await detail().getByText('已签署（签名板）').waitFor();
    await expect(status().textContent()).resolves.toContain('已签署');
    await expect(rows.nth(1).textContent()).resolves.toContain('已签署');
    await expect(detail().textContent()).resolves.toContain('由医院留存');

    // The signed PDF, with the cookie: a PDF with the title, the date filled here, and one more image.
    const pdf = await pdfFromPage(relapse.id);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = poppler('pdftotext', ['-layout', '-', '-'], pdf).toString();
    expect(text).toContain(TITLE);
    expect(text).toContain('2026 年 12 月 3 日');
    expect(text).not.toContain('草稿');
    expect(imageCount(pdf)).toBeGreaterThan(unsignedImages);
    expect(errors).toEqual([]);
  });

  it('corrects the signed form into a new draft version and opens the older version again', async () => {
    await detail().getByRole('button', { name: '更正' }).click();
    await detail().getByText('已生成第2版（更正第1版）草稿').waitFor();
    await expect(status().textContent()).resolves.toContain('草稿');
    await detail().getByRole('tab', { name: '版本（2）' }).click();
    const versions = detail().getByRole('list', { name: '版本' }).locator('li');
    await expect(versions.count()).resolves.toBe(2);
    await expect(versions.nth(1).textContent()).resolves.toContain('当前');
    await versions.nth(0).getByRole('button', { name: '打开' }).click();
    await expect(detail().textContent()).resolves.toContain('第1版');
    await status().getByText('已签署').waitFor();
    // An older version cannot be corrected again (only the latest).
    await expect(detail().getByRole('button', { name: '更正' }).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it('signs the other form with a scanned signed copy: the stored PDF is the scan byte for byte', async () => {
    const scan = await pdfFromPage(rehab.id); // any PDF stands in for the scanner's
    await page.locator(`button.form-row[data-form-id="${rehab.id}"]`).click();
    await detail().getByRole('heading', { name: '宁夏回族自治区工伤职工工伤康复申请确认表' }).waitFor();
    await detail().getByRole('tab', { name: '签名' }).click();
    // An image is refused before sending: the gateway takes a PDF.
    await page
      .locator('#scan-file')
      .setInputFiles({ name: 'scan.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2]) });
    await detail().getByText('扫描件必须是 PDF 文件').waitFor();
    await page.locator('#scan-file').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: scan });
    await expect(page.getByTestId('scan-name').textContent()).resolves.toBe('scan.pdf');
    await detail().getByRole('button', { name: '上传扫描件' }).click();
    await detail().getByText('已签署（扫描件）').waitFor();
    await expect(status().textContent()).resolves.toContain('已签署');
    expect((await pdfFromPage(rehab.id)).equals(scan)).toBe(true);
    expect(errors).toEqual([]);
  });
});
