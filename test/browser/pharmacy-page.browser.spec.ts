import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { chromiumAvailable, DESK_VIEWPORT, launchBrowser } from './support/browser';
import { createApiKey, startConsoleGateway, type ConsoleGateway } from './support/console-gateway';

jest.setTimeout(30_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');
const DESK = '西药房1';
const SCANNER = 'pharmacy-scanner';
const VISIT = 'MZ20261203001';
/** A 20-digit drug trace code, and the shop barcode (EAN-13) printed on the same box. */
const TRACE_CODE = '81234560000000000042';
const EAN13 = '6901234567892';
const run = chromiumAvailable() ? describe : describe.skip;

run('the pharmacy page in a real browser (pharmacy1 at 西药房1, 1366×768)', () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  /** HIS, with an API key of scope trace-codes: declares the visit's lines. */
  async function declareLines(token: string): Promise<void> {
    const res = await fetch(`${gateway.url}/api/v1/trace-codes/visits/${VISIT}/lines`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        lines: [
          { lineNo: '1', medListCode: 'XJ01CAA040A001010100001', drugName: '阿莫西林胶囊', quantity: 2 },
          { lineNo: '2', medListCode: 'XN02BEA010A001010100001', drugName: '对乙酰氨基酚片', quantity: 1 },
        ],
      }),
    });
    expect(res.status).toBe(200);
  }

  /** What the desk's scanner reads: the sandbox scanner presents the text as the device would. */
  async function scan(text: string): Promise<void> {
    const res = await fetch(`${gateway.url}/api/v1/sandbox/devices/${SCANNER}/present`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(res.status).toBe(200);
  }

  const result = () => page.getByTestId('scan-result');

  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
    page = await browser.newPage({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    // A step that does not happen fails with its own message, well inside the test's time.
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('sets the active line, shows each scan’s outcome live in large type (accepted, duplicate, commodity barcode) and writes docs/console/pharmacy.png', async () => {
    await declareLines(await createApiKey(gateway, 'HIS 药房（浏览器测试）', ['trace-codes']));

    // Log in by keyboard: the name field has the focus on arrival.
    await page.goto(`${gateway.url}/console/login`);
    await page.locator('#login-name').waitFor();
    await page.keyboard.type('pharmacy1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('pharmacy1-sandbox');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/pharmacy');
    await expect(page.locator('h1#pharmacy-title').textContent()).resolves.toBe(`药房 · ${DESK}`);
    await page.getByText('实时连接正常').waitFor();

    // Keyboard again: visit id, Tab, line no, Enter → PUT active-line; the line's drug and count show.
    await page.locator('#visit-id').focus();
    await page.keyboard.type(VISIT);
    await page.keyboard.press('Tab');
    await page.keyboard.type('1');
    await page.keyboard.press('Enter');
    const active = page.getByTestId('active-line');
    await active.getByText('阿莫西林胶囊').waitFor();
    await expect(active.textContent()).resolves.toMatch(/已采集\s*0\s*\/\s*需\s*2/);
    await expect(page.getByTestId('completeness').textContent()).resolves.toContain('缺 2 行');

    // Reloaded with nothing kept in the tab (as at the desk's second PC): the page reads the desk's line
    // from the gateway and shows it without being told.
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await active.getByText('阿莫西林胶囊').waitFor();
    await expect(page.locator('#visit-id').inputValue()).resolves.toBe(VISIT);
    await page.getByText('实时连接正常').waitFor();

    // A trace code at the desk's scanner: accepted, green, with the line's count; completeness follows.
    await scan(TRACE_CODE);
    await result().getByText('1/2').waitFor();
    await expect(result().getAttribute('class')).resolves.toContain('accepted');
    await expect(result().textContent()).resolves.toContain('已采集');
    await expect(result().textContent()).resolves.toContain(TRACE_CODE);
    expect(
      await result()
        .locator('.scan-outcome')
        .evaluate((el) => getComputedStyle(el).fontSize),
    ).toBe('40px');
    expect(await result().evaluate((el) => getComputedStyle(el).borderColor)).toBe('rgb(21, 128, 61)');
    await active.getByText('1', { exact: true }).waitFor();
    const row1 = page.locator('.el-table__body tr', { hasText: '阿莫西林胶囊' });
    await row1.getByText('1/2').waitFor();
    await expect(page.getByTestId('completeness').textContent()).resolves.toContain('缺 2 行');

    // The same box again on the same line: refused as a duplicate, with the gateway's reason.
    await scan(TRACE_CODE);
    await result().getByText('重复', { exact: true }).waitFor();
    await expect(result().getAttribute('class')).resolves.toContain('refused');
    await expect(result().textContent()).resolves.toMatch(
      new RegExp(`该追溯码已在本处方行录入（\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}），无需重复扫描`),
    );
    await expect(result().locator('.scan-where').textContent()).resolves.toMatch(
      new RegExp(`^已于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 发药（就诊 ${VISIT}，处方行 1）$`),
    );
    expect(await result().evaluate((el) => getComputedStyle(el).borderColor)).toBe('rgb(185, 28, 28)');

    // The next line (keyboard: its row's button), and the same box once more: the hospital-wide
    // duplicate, with its reason, what to do, and when and where the box went out.
    const row2 = page.locator('.el-table__body tr', { hasText: '对乙酰氨基酚片' });
    await row2.getByRole('button', { name: '设为当前' }).focus();
    await page.keyboard.press('Enter');
    await active.getByText('对乙酰氨基酚片').waitFor();
    await scan(TRACE_CODE);
    await result().getByText('同一盒药品不能重复发药').waitFor();
    await expect(result().locator('.scan-headline').textContent()).resolves.toMatch(
      new RegExp(
        `^该追溯码已于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 在就诊 ${VISIT} 第 1 行发药，同一盒药品不能重复发药$`,
      ),
    );
    await expect(result().locator('.scan-instruction').textContent()).resolves.toBe(
      '请核对药盒；如为退药后再发，请先办理退药',
    );

    // The shop barcode (EAN-13): refused, and the page says what to scan instead.
    await scan(EAN13);
    await result()
      .getByText(/商品条码.*不是药品追溯码/)
      .waitFor();
    await expect(result().getAttribute('data-refusal')).resolves.toBe('TRACE_CODE_COMMODITY_BARCODE');
    await expect(result().locator('.scan-instruction').textContent()).resolves.toMatch(
      /^请扫描药品最小包装上的.*追溯码/,
    );
    await expect(page.getByRole('list', { name: '最近扫码' }).locator('li').count()).resolves.toBe(4);
    // No refusal counted: line 1 holds the one box, line 2 none.
    await expect(active.textContent()).resolves.toMatch(/已采集\s*0\s*\/\s*需\s*1/);
    await expect(row1.textContent()).resolves.toContain('1/2');

    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = await page.screenshot({ fullPage: false });
    writeFileSync(join(SCREENSHOTS, 'pharmacy.png'), shot);
    const image = PNG.sync.read(shot);
    expect([image.width, image.height]).toEqual([DESK_VIEWPORT.width, DESK_VIEWPORT.height]);
    // Everything the pharmacist needs fits the desk screen without scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(DESK_VIEWPORT.height);
    expect(errors).toEqual([]);
  });

  it('returns a box with a reason after a confirmation, and the line’s count goes down', async () => {
    await page.getByRole('button', { name: '退药…' }).click();
    await page.locator('#stock-codes').fill(TRACE_CODE);
    await page.locator('#stock-reason').fill('患者退药：过敏');
    await page.getByRole('button', { name: '下一步' }).click();
    const confirm = page.getByRole('dialog', { name: '确认退药' });
    await confirm.getByText('患者退药：过敏').waitFor();
    await expect(confirm.textContent()).resolves.toMatch(/确认退药\s*1\s*盒/);
    await confirm.getByRole('button', { name: '确认退药' }).click();
    await page.getByText('已退药 1 盒').waitFor();
    await page.locator('.el-table__body tr', { hasText: '阿莫西林胶囊' }).getByText('0/2').waitFor();
    expect(errors).toEqual([]);
  });
});
