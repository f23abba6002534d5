import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, DESK_VIEWPORT, launchBrowser } from './support/browser';
import { startConsoleGateway, type ConsoleGateway } from './support/console-gateway';

jest.setTimeout(30_000);

const run = chromiumAvailable() ? describe : describe.skip;

/** What a fetch from the page answered: status and the gateway's error code, if any. */
interface Answer {
  status: number;
  code: string | null;
}

run('roles, lockout, cookies and CSRF in a real browser (Chromium)', () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Another site: a page on localhost (the gateway is 127.0.0.1, a different site) and another port. */
  let elsewhere: Server;
  let elsewhereUrl: string;

  async function logInByKeyboard(p: Page, login: string, password: string): Promise<void> {
    await p.goto(`${gateway.url}/console/login`);
    await p.locator('#login-name').waitFor();
    await p.locator('#login-name').fill('');
    await p.locator('#login-name').focus();
    await p.keyboard.type(login);
    await p.keyboard.press('Tab');
    await p.keyboard.type(password);
    await p.keyboard.press('Enter');
  }

  /** fetch from the page, with its cookie (same origin), as a script on the page would. */
  function fetchFromPage(p: Page, method: string, path: string, headers: Record<string, string> = {}) {
    return p.evaluate(
      async ([m, url, h]): Promise<Answer> => {
        const res = await fetch(url, { method: m, headers: h, credentials: 'same-origin' });
        const body = (await res.json().catch(() => null)) as { code?: string } | null;
        return { status: res.status, code: body?.code ?? null };
      },
      [method, path, headers] as const,
    );
  }

  beforeAll(async () => {
    elsewhere = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>别的网站</title><p>别的网站</p>');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://localhost:${(elsewhere.address() as AddressInfo).port}/`;
    [gateway, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
    context = await browser.newContext({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    context.setDefaultTimeout(8_000);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await new Promise((resolve) => elsewhere?.close(resolve));
  });

  it('a pharmacy account sees no 信息科 menu, is sent away from the IT page, and gets 403 from the IT API', async () => {
    await logInByKeyboard(page, 'pharmacy1', 'pharmacy1-sandbox');
    await page.waitForURL('**/console/pharmacy');
    const menu = page.getByRole('navigation', { name: '功能菜单' });
    await expect(menu.getByRole('menuitem').allTextContents()).resolves.toEqual(['药房']);
    await expect(menu.textContent()).resolves.not.toContain('信息科');

    await page.goto(`${gateway.url}/console/it/devices`);
    await page.waitForURL('**/console/pharmacy');

    // The IT API with the pharmacist's own cookie: refused by role, not by a missing session.
    await expect(fetchFromPage(page, 'GET', '/api/v1/devices')).resolves.toEqual({
      status: 403,
      code: 'AUTH_SCOPE_MISSING',
    });
    await expect(fetchFromPage(page, 'GET', '/api/v1/staff')).resolves.toEqual({
      status: 403,
      code: 'AUTH_SCOPE_MISSING',
    });
    // …while what the role allows answers (the cookie is good).
    await expect(fetchFromPage(page, 'GET', '/api/v1/trace-codes/product-mappings')).resolves.toEqual({
      status: 200,
      code: null,
    });
  });

  it('the session cookie is HttpOnly and SameSite=Strict, and scripts cannot read it', async () => {
    const cookies = await context.cookies(gateway.url);
    const session = cookies.find((c) => c.name === 'gw_staff');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(session?.value.length).toBeGreaterThan(20);
    await expect(page.evaluate(() => document.cookie)).resolves.not.toContain('gw_staff');
  });

  it('refuses a state-changing request without the CSRF token, and a cross-site one carries no cookie', async () => {
    // Same origin, cookie sent, no x-csrf-token: 403 CSRF_TOKEN_INVALID and nothing happens.
    await expect(fetchFromPage(page, 'DELETE', '/api/v1/staff/session')).resolves.toEqual({
      status: 403,
      code: 'CSRF_TOKEN_INVALID',
    });
    await expect(fetchFromPage(page, 'GET', '/api/v1/staff/session')).resolves.toMatchObject({ status: 200 });

    // From another site (localhost, another port) in the same browser, logged in: a POST to the
    // gateway carries no session cookie (SameSite=Strict), so the gateway refuses it as anonymous.
    const other = await context.newPage();
    try {
      await other.goto(elsewhereUrl);
      await other.getByText('别的网站').waitFor();
      const target = `${gateway.url}/api/v1/trace-codes/scraps`;
      // The classic CSRF: a form on the other site that posts to the gateway (a text/plain body that
      // reads as JSON), submitted by the page's own script.
      const [response] = await Promise.all([
        other.waitForResponse(target),
        other.evaluate((url) => {
          const form = document.createElement('form');
          form.method = 'POST';
          form.action = url;
          form.enctype = 'text/plain';
          const field = document.createElement('input');
          field.name = '{"codes":["81234560000000000099"],"reason":"跨站请求","x":"';
          field.value = '"}';
          form.appendChild(field);
          document.body.appendChild(form);
          form.submit();
        }, target),
      ]);
      // 401 AUTH_MISSING (neither key nor cookie), not 403 CSRF_TOKEN_INVALID as for the same-origin
      // request with the cookie above: the browser did not send the session cookie across sites.
      expect(response.status()).toBe(401);
      expect(((await response.json()) as { code: string }).code).toBe('AUTH_MISSING');
      expect((await response.request().headerValue('cookie')) ?? '').not.toContain('gw_staff');
    } finally {
      await other.close();
    }
    // The same session still works at the gateway's own page.
    await expect(fetchFromPage(page, 'GET', '/api/v1/staff/session')).resolves.toMatchObject({ status: 200 });
  });

  it('five wrong passwords lock the account; the login page shows the locked message with its time', async () => {
    const fresh = await browser.newContext({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    fresh.setDefaultTimeout(8_000);
    const p = await fresh.newPage();
    try {
      const alert = p.locator('.login-error[role="alert"]');
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        await logInByKeyboard(p, 'desk1', `wrong-password-${attempt}`);
        await alert.waitFor();
        await expect(alert.getAttribute('class')).resolves.toContain('el-alert--error');
        await expect(alert.textContent()).resolves.not.toContain('锁定');
      }
      await logInByKeyboard(p, 'desk1', 'wrong-password-5');
      await alert.getByText(/已锁定/).waitFor();
      await expect(alert.getAttribute('class')).resolves.toContain('el-alert--warning');
      await expect(alert.textContent()).resolves.toMatch(/账号已锁定至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/);

      // Locked means locked: the right password is refused the same way, and no session is made.
      await logInByKeyboard(p, 'desk1', 'desk1-sandbox');
      await alert.getByText(/已锁定/).waitFor();
      expect(new URL(p.url()).pathname).toBe('/console/login');
      expect((await fresh.cookies(gateway.url)).find((c) => c.name === 'gw_staff')).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });
});
