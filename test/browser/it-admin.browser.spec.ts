import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, DESK_VIEWPORT, launchBrowser } from './support/browser';
import { startConsoleGateway, type ConsoleGateway } from './support/console-gateway';

jest.setTimeout(30_000);

const run = chromiumAvailable() ? describe : describe.skip;
const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');
const TOKEN = /gwk_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}/;

/** The keyring the gateway gets inline (GW_PII__KEYRING): a secret the config page must mask. */
const KEYRING = {
  active: 'kbrowser',
  keys: [{ id: 'kbrowser', key: randomBytes(32).toString('base64') }],
  hmacKey: randomBytes(32).toString('base64'),
};

run('the 信息科 pages: API keys, staff accounts, audit log, configuration (Chromium)', () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let auditorPassword = '';

  async function logIn(p: Page, login: string, password: string): Promise<void> {
    await p.goto(`${gateway.url}/console/login`);
    await p.locator('#login-name').fill(login);
    await p.locator('#login-name').focus();
    await p.keyboard.press('Tab');
    await p.keyboard.type(password);
    await p.keyboard.press('Enter');
  }

  /** Writes the screenshot, and checks it is the desk size, not blank, and nothing scrolls sideways. */
  async function screenshot(p: Page, name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = await p.screenshot({ fullPage: false });
    writeFileSync(join(SCREENSHOTS, name), shot);
    const image = PNG.sync.read(shot);
    expect([image.width, image.height]).toEqual([DESK_VIEWPORT.width, DESK_VIEWPORT.height]);
    const colours = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4 * 97) {
      colours.add(image.data.readUInt32BE(i));
    }
    expect(colours.size).toBeGreaterThan(20);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESK_VIEWPORT.width);
  }

  beforeAll(async () => {
    [gateway, browser] = await Promise.all([
      startConsoleGateway({ GW_PII__KEYRING: JSON.stringify(KEYRING) }),
      launchBrowser(),
    ]);
    context = await browser.newContext({ viewport: DESK_VIEWPORT, locale: 'zh-CN', timezoneId: 'UTC' });
    context.setDefaultTimeout(8_000);
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('creates an API key: the token is shown once, works, and is gone from the page once the dialog closes', async () => {
    await logIn(page, 'it1', 'it1-sandbox');
    await page.waitForURL('**/console/it/devices');
    const menu = page.getByRole('navigation', { name: '功能菜单' });
    await expect(menu.getByRole('menuitem').allTextContents()).resolves.toEqual([
      '信息科 · 设备',
      '信息科 · 运行状态',
      '信息科 · 上传队列',
      '信息科 · 接口密钥',
      '信息科 · 人员账号',
      '审计日志',
      '信息科 · 当前配置',
      '结算',
    ]);
    await menu.getByRole('menuitem', { name: '信息科 · 接口密钥' }).click();
    await page.waitForURL('**/console/it/api-keys');

    await page.getByRole('button', { name: '新建密钥' }).click();
    const form = page.getByRole('dialog', { name: '新建接口密钥' });
    await form.getByLabel('名称').fill('HIS 药房（浏览器测试）');
    await form.getByText('药品追溯码（trace-codes）').click();
    await form.locator('.el-select').click();
    await page.locator('.el-select-dropdown__item', { hasText: '90 天' }).click();
    await form.getByRole('button', { name: '创建' }).click();

    const shown = page.getByRole('dialog', { name: '新的接口密钥' });
    await shown.getByText('只显示这一次').waitFor();
    const token = (await shown.getByTestId('one-time-secret').textContent())?.trim() ?? '';
    expect(token).toMatch(TOKEN);
    // The list the page reloads beside the dialog shows the new key as never used: wait for it before the
    // token is used below (its first use is recorded at once, and a list read after that shows the time).
    const row = page.locator('.el-table__body tr', { hasText: 'HIS 药房（浏览器测试）' });
    await row.getByText('药品追溯码（trace-codes）').waitFor();
    await expect(row.textContent()).resolves.toContain('从未使用');

    // It works on a route of its scope, and only there.
    const ok = await fetch(`${gateway.url}/api/v1/trace-codes/product-mappings`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    const other = await fetch(`${gateway.url}/api/v1/admin/config`, { headers: { authorization: `Bearer ${token}` } });
    expect(other.status).toBe(403);

    await shown.getByRole('button', { name: '我已保存，关闭' }).click();
    await shown.waitFor({ state: 'hidden' });
    await expect(row.textContent()).resolves.not.toContain('不过期'); // its expiry, 90 days out, is shown
    expect(await page.content()).not.toContain(token);
    expect(await page.content()).not.toContain(token.slice(17));
    await screenshot(page, 'it-api-keys.png');

    // Revoked after a confirmation: the token stops working at once.
    await row.getByRole('button', { name: '吊销' }).click();
    const confirm = page.getByRole('dialog', { name: '吊销接口密钥' });
    await confirm.getByLabel('吊销原因').fill('浏览器测试结束');
    await confirm.getByRole('button', { name: '确认吊销' }).click();
    await confirm.waitFor({ state: 'hidden' });
    // The page reads the list again once the dialog has closed: wait for the key to leave it (fails if it stays).
    await row.waitFor({ state: 'detached' });
    await expect(page.locator('.el-table__body').textContent()).resolves.not.toContain('HIS 药房（浏览器测试）');
    const revoked = await fetch(`${gateway.url}/api/v1/trace-codes/product-mappings`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(401);
    expect(errors).toEqual([]);
  });

  it('creates an auditor account: the password is shown once and signs in in another browser, which sees only 审计日志', async () => {
    await page
      .getByRole('navigation', { name: '功能菜单' })
      .getByRole('menuitem', { name: '信息科 · 人员账号' })
      .click();
    await page.waitForURL('**/console/it/staff');
    await page.locator('.el-table__body tr', { hasText: 'it1' }).first().waitFor();

    await page.getByRole('button', { name: '新建账号' }).click();
    const form = page.getByRole('dialog', { name: '新建员工账号' });
    await form.getByLabel('登录名').fill('audit.wang');
    await form.getByLabel('姓名').fill('王审计');
    await form.getByText('审计', { exact: true }).click();
    await form.getByRole('button', { name: '创建' }).click();

    const shown = page.getByRole('dialog', { name: '一次性密码' });
    await shown.getByText('王审计（audit.wang）的初始密码').waitFor();
    auditorPassword = (await shown.getByTestId('one-time-secret').textContent())?.trim() ?? '';
    expect(auditorPassword).toMatch(/^[A-Za-z0-9-]{16,}$/);
    await shown.getByRole('button', { name: '我已保存，关闭' }).click();
    await shown.waitFor({ state: 'hidden' });
    const row = page.locator('.el-table__body tr', { hasText: 'audit.wang' });
    await row.getByText('正常').waitFor();
    await expect(row.textContent()).resolves.toContain('审计');
    expect(await page.content()).not.toContain(auditorPassword);
    await screenshot(page, 'it-staff.png');

    const other = await browser.newContext({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    try {
      const auditor = await other.newPage();
      await logIn(auditor, 'audit.wang', auditorPassword);
      await auditor.waitForURL('**/console/it/audit');
      const menu = auditor.getByRole('navigation', { name: '功能菜单' });
      await expect(menu.getByRole('menuitem').allTextContents()).resolves.toEqual(['审计日志']);
      await auditor.locator('.el-table__body tr', { hasText: 'staff.login' }).first().waitFor();
      // The IT pages send the auditor back to the audit log; the IT API refuses the role.
      await auditor.goto(`${gateway.url}/console/it/config`);
      await auditor.waitForURL('**/console/it/audit');
      const status = await auditor.evaluate(async () => (await fetch('/api/v1/admin/config')).status);
      expect(status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('the audit log shows the sign-ins, filtered by actor and action, with details and Beijing times', async () => {
    const staff = await page.evaluate(
      async () => (await (await fetch('/api/v1/staff')).json()) as { id: string; login: string }[],
    );
    const auditorId = staff.find((s) => s.login === 'audit.wang')?.id ?? '';
    expect(auditorId).not.toBe('');

    await page.getByRole('navigation', { name: '功能菜单' }).getByRole('menuitem', { name: '审计日志' }).click();
    await page.waitForURL('**/console/it/audit');
    await page.getByLabel('操作者编号').fill(auditorId);
    await page.getByLabel('操作', { exact: true }).fill('staff.login');
    await page.getByRole('button', { name: '查询' }).click();
    const rows = page.locator('.el-table__body > tbody > tr.el-table__row');
    // The unfiltered list shown on arrival may already start with this sign-in (the newest entry): wait for
    // the filtered answer to replace it (one row) rather than for the first row alone.
    await page.waitForFunction(
      () => document.querySelectorAll('.el-table__body > tbody > tr.el-table__row').length === 1,
      undefined,
      { timeout: 10_000 },
    );
    await rows.first().getByText(`员工 · ${auditorId}`).waitFor();
    await expect(rows.first().textContent()).resolves.toMatch(/staff\.login\s*成功/);

    // Times in Beijing time on a PC set to UTC (the context's time zone): the entry's instant + 8 h.
    const [entry] = await page.evaluate(
      async (id) =>
        (await (await fetch(`/api/v1/admin/audit?action=staff.login&actorId=${id}`)).json()) as { at: string }[],
      auditorId,
    );
    const beijing = new Date(new Date(entry.at).getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    await expect(rows.first().locator('td').nth(1).textContent()).resolves.toBe(beijing);

    await rows.first().locator('.el-table__expand-icon').click();
    await page.locator('.details').getByText('"login": "audit.wang"').waitFor();

    // it1's own sign-in is not in this filter; with 操作者 cleared, both are.
    await page.getByLabel('操作者编号').fill('');
    await page.getByRole('button', { name: '查询' }).click();
    await rows.nth(1).waitFor();
    const actors = await rows.allTextContents();
    expect(actors.some((t) => t.includes(auditorId))).toBe(true);
    expect(actors.every((t) => t.includes('staff.login'))).toBe(true);
    await screenshot(page, 'it-audit.png');
    expect(errors).toEqual([]);
  });

  it('the configuration page shows the configuration with the keyring masked and none of its material', async () => {
    await page
      .getByRole('navigation', { name: '功能菜单' })
      .getByRole('menuitem', { name: '信息科 · 当前配置' })
      .click();
    await page.waitForURL('**/console/it/config');
    const piiRow = page.locator('.el-table__body tr', { hasText: 'keyring' }).filter({ hasText: '●●●●' });
    await piiRow.waitFor();
    await expect(piiRow.textContent()).resolves.toMatch(/●●●●\s*机密\s*环境变量/);
    await page.locator('.el-table__body tr', { hasText: 'fixmedinsCode' }).getByText('H64010600001').waitFor();

    const html = await page.content();
    const material = [KEYRING.hmacKey, ...KEYRING.keys.map((k) => k.key)];
    const keyringFile = join(gateway.dir, 'data', 'keys', 'pii-keyring.json');
    if (existsSync(keyringFile)) {
      // A keyring the sandbox made: SM4, with lookupKeys instead of an hmacKey.
      const file = JSON.parse(readFileSync(keyringFile, 'utf8')) as {
        hmacKey?: string;
        keys: { key: string }[];
        lookupKeys?: { key: string }[];
      };
      material.push(...file.keys.map((k) => k.key), ...(file.lookupKeys ?? []).map((k) => k.key));
      if (file.hmacKey !== undefined) {
        material.push(file.hmacKey);
      }
    }
    for (const secret of material) {
      expect(html).not.toContain(secret);
    }
    // The screenshot shows the masked keyring.
    await piiRow.scrollIntoViewIfNeeded();
    await screenshot(page, 'it-config.png');
    expect(errors).toEqual([]);
  });
  it('resets a password (the new one shown once, the old one refused) and disables an account with a reason', async () => {
    await page
      .getByRole('navigation', { name: '功能菜单' })
      .getByRole('menuitem', { name: '信息科 · 人员账号' })
      .click();
    await page.waitForURL('**/console/it/staff');
    const row = page.locator('.el-table__body tr', { hasText: 'audit.wang' });
    await row.getByRole('button', { name: '重置密码' }).click();
    await page.getByRole('dialog', { name: '重置密码' }).getByRole('button', { name: '确认重置' }).click();
    const shown = page.getByRole('dialog', { name: '一次性密码' });
    await shown.getByText('王审计（audit.wang）的新密码').waitFor();
    const fresh = (await shown.getByTestId('one-time-secret').textContent())?.trim() ?? '';
    expect(fresh).not.toBe(auditorPassword);
    await shown.getByRole('button', { name: '我已保存，关闭' }).click();
    await shown.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(fresh);

    const signIn = (password: string) =>
      fetch(`${gateway.url}/api/v1/staff/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'audit.wang', password }),
      });
    expect((await signIn(auditorPassword)).status).toBe(401);
    expect((await signIn(fresh)).status).toBe(200);

    await row.getByRole('button', { name: '停用' }).click();
    const confirm = page.getByRole('dialog', { name: '停用账号' });
    await confirm.getByLabel('停用原因').fill('调岗');
    await confirm.getByRole('button', { name: '确认停用' }).click();
    await row.getByText('已停用（调岗）').waitFor();
    expect((await signIn(fresh)).status).toBe(401);
    expect(errors).toEqual([]);
  });
});
