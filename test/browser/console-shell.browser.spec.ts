import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { PNG } from 'pngjs';
import { chromiumAvailable, DESK_VIEWPORT, launchBrowser } from './support/browser';
import { gatewayCli, startConsoleGateway, type ConsoleGateway } from './support/console-gateway';

jest.setTimeout(30_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');
const run = chromiumAvailable() ? describe : describe.skip;

/** Violations of the page's CSP and script errors, recorded from before the first script runs. */
async function watchForErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The login page's first GET /api/v1/staff/session may be refused (401, or 404 before the
    // staff API exists): the browser logs the failed request itself; that is not a page error.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${m.text()}`);
    }
  });
  await page.exposeFunction('reportCspViolation', (text: string) => errors.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportCspViolation(t: string): void }).reportCspViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      );
    });
  });
  return errors;
}

/** Decoded pixels of a PNG: how many distinct colours, and the raw data to compare. */
function pixels(png: Buffer): { width: number; height: number; colours: number; data: Buffer } {
  const image = PNG.sync.read(png);
  const colours = new Set<number>();
  for (let i = 0; i < image.data.length; i += 4) {
    colours.add(image.data.readUInt32BE(i));
  }
  return { width: image.width, height: image.height, colours: colours.size, data: image.data };
}

run('the console shell in a real browser (Chromium, 1366×768)', () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    errors = await watchForErrors(page);
  });
  afterEach(async () => {
    await page.close();
  });

  it('renders the login page in Chinese, serves hashed assets as immutable, and writes docs/console/login.png', async () => {
    const responses: Response[] = [];
    page.on('response', (r) => responses.push(r));
    const first = await page.goto(`${gateway.url}/`);
    await page.locator('#login-name').waitFor();

    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(first?.headers()['cache-control']).toBe('no-cache');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect(page.locator('h1').textContent()).resolves.toBe('工伤保险医院网关');
    await expect(page.getByText('用户名', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('密码', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: '登录' }).isVisible()).resolves.toBe(true);

    const assets = responses.filter((r) => new URL(r.url()).pathname.startsWith('/console/assets/'));
    expect(assets.map((r) => new URL(r.url()).pathname)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\.js$/), expect.stringMatching(/\.css$/)]),
    );
    for (const asset of assets) {
      expect(new URL(asset.url()).pathname).toMatch(/-[A-Za-z0-9_-]{8}\.(js|css)$/);
      expect(asset.status()).toBe(200);
      expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    }

    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, 'login.png');
    const shot = await page.screenshot({ fullPage: false });
    writeFileSync(file, shot);
    const image = pixels(shot);
    expect([image.width, image.height]).toEqual([DESK_VIEWPORT.width, DESK_VIEWPORT.height]);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(image.colours).toBeGreaterThan(50); // not a blank page: text, card, shadows, button

    // CJK glyphs render: two different characters give different pixels. Without a CJK font
    // both would be the same missing-glyph box.
    await page.evaluate(() => {
      for (const [id, ch] of [
        ['glyph-a', '用'],
        ['glyph-b', '户'],
      ]) {
        const span = document.createElement('span');
        span.id = id;
        span.textContent = ch;
        span.style.fontSize = '48px';
        span.style.color = '#000';
        span.style.background = '#fff';
        document.body.appendChild(span);
      }
    });
    const a = pixels(await page.locator('#glyph-a').screenshot());
    const b = pixels(await page.locator('#glyph-b').screenshot());
    expect(a.colours).toBeGreaterThan(2);
    expect(a.data.equals(b.data)).toBe(false);

    expect(errors).toEqual([]);
  });

  it('runs the API docs (Swagger UI) under the gateway’s security headers, without a CSP violation', async () => {
    const res = await page.goto(`${gateway.url}/api/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.swagger-ui .info .title').waitFor();
    await expect(page.locator('.swagger-ui .opblock').count()).resolves.toBeGreaterThan(10);
    expect(errors).toEqual([]);
  });

  it('answers an unknown /console/ path with the app, which routes it to the login', async () => {
    const fallback = await page.goto(`${gateway.url}/console/x/y`);
    expect(fallback?.status()).toBe(200);
    await page.locator('#login-name').waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe('/console/login');
    expect(url.searchParams.get('next')).toBe('/x/y');
    expect(errors).toEqual([]);
  });

  it('works by keyboard: Tab reaches name, password and the button in order, with a visible focus; Enter submits and the API’s Chinese message is shown', async () => {
    await page.goto(`${gateway.url}/console/login`);
    await page.locator('#login-name').waitFor();

    const focused = async (): Promise<string> =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el?.id || el?.textContent?.trim() || el?.tagName || '';
      });
    // The name field has the focus on arrival (a desk user types at once), then Tab moves on.
    const order = [await focused()];
    for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      order.push(await focused());
    }
    expect(order).toEqual(['login-name', 'login-password', '登录', 'login-password', 'login-name']);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe('none');

    // What the gateway answers this login (a refusal from the staff API, or 404 while it does
    // not exist): the page must show exactly its message.
    const answer = await fetch(`${gateway.url}/api/v1/staff/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'zhangsan', password: 'wrong-password' }),
    });
    expect(answer.ok).toBe(false);
    const { message } = (await answer.json()) as { message: string };
    expect(message).toMatch(/[\u4e00-\u9fff]/);

    await page.locator('#login-name').focus();
    await page.keyboard.type('zhangsan');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain(message);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await expect(page.locator('#login-password').inputValue()).resolves.toBe('');
    expect(errors).toEqual([]);
  });

  it('makes a member whose password IT reset change it at once (nothing else shows until then); Enter submits, and afterwards the console works', async () => {
    const reset = await gatewayCli(gateway, ['staff', 'reset', 'it1', '--sandbox']);
    const fresh = /^\s{2}(\S{19})$/m.exec(reset)?.[1] as string;
    await page.goto(`${gateway.url}/console/login`);
    await page.locator('#login-name').fill('it1');
    await page.locator('#login-password').fill(fresh);
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: '修改密码' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('请先设置您自己的新密码');
    await expect(page.getByRole('navigation', { name: '功能菜单' }).count()).resolves.toBe(0);
    await page.keyboard.press('Escape');
    await expect(dialog.isVisible()).resolves.toBe(true);
    await expect(dialog.locator('.el-dialog__headerbtn').count()).resolves.toBe(0);

    await page.locator('#password-current').fill(fresh);
    await page.locator('#password-new').fill('it1-own-password');
    await page.locator('#password-repeat').fill('it1-own-passwort');
    await page.keyboard.press('Enter');
    await dialog.getByText('两次输入的新密码不一致').waitFor();
    await page.locator('#password-repeat').fill(fresh);
    await page.locator('#password-new').fill(fresh);
    await page.locator('#password-repeat').focus();
    await page.keyboard.press('Enter');
    await dialog.getByText('新密码不能与当前密码相同').waitFor();

    await page.locator('#password-new').fill('it1-own-password');
    await page.locator('#password-repeat').fill('it1-own-password');
    await page.locator('#password-repeat').focus();
    await page.keyboard.press('Enter');
    await page.getByText('密码已修改').waitFor();
    // The dialog closes with Element Plus's fade-out: wait for it to be gone (fails if it stays).
    await dialog.waitFor({ state: 'hidden', timeout: 5000 });
    const menu = page.getByRole('navigation', { name: '功能菜单' });
    await menu.waitFor();
    await menu.getByText('信息科 · 人员账号').click();
    await page.getByRole('cell', { name: 'it1', exact: true }).waitFor();

    // The same dialog from the header; the gateway's Chinese answer for a wrong current password.
    await page.getByRole('button', { name: '修改密码' }).click();
    await dialog.waitFor();
    await page.locator('#password-current').fill('not-my-password');
    await page.locator('#password-new').fill('it1-other-password');
    await page.locator('#password-repeat').fill('it1-other-password');
    await page.keyboard.press('Enter');
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('当前密码不正确');
    expect(errors).toEqual([]);
  });
});
