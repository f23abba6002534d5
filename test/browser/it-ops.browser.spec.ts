import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { SEED } from '../../src/sandbox/seed-people';
import { generateSm2Keys } from '../../src/upstream/protocol/sm2-signer';
import { chromiumAvailable, DESK_VIEWPORT, launchBrowser } from './support/browser';
import {
  createApiKey,
  sandboxInsurerOrigin,
  startConsoleGateway,
  type ConsoleGateway,
} from './support/console-gateway';

jest.setTimeout(45_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');
const run = chromiumAvailable() ? describe : describe.skip;

/** A month before the current one (Beijing time), YYYY-MM: a declaration month that is over. */
function monthsAgo(n: number): string {
  const now = new Date(Date.now() + 8 * 3600_000);
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

run('the 信息科 pages in a real browser (it1, 1366×768)', () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let page: Page;
  let insurer: string;
  let his: string;
  const errors: string[] = [];

  async function call(method: string, url: string, body?: unknown, token?: string): Promise<Response> {
    return fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** The monthly declaration of `month` drafted and submitted (a 3401 through the outbox); its msgid. */
  async function declare(month: string): Promise<void> {
    const draft = await call('POST', `${gateway.url}/api/v1/declarations/${month}/draft`, {}, his);
    expect([200, 201]).toContain(draft.status);
    const submit = await call('POST', `${gateway.url}/api/v1/declarations/${month}/submit`, {}, his);
    expect(submit.status).toBe(202);
  }

  async function screenshot(name: string): Promise<void> {
    const shot = await page.screenshot({ fullPage: false });
    writeFileSync(join(SCREENSHOTS, name), shot);
    const image = PNG.sync.read(shot);
    expect([image.width, image.height]).toEqual([DESK_VIEWPORT.width, DESK_VIEWPORT.height]);
    const colours = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4) {
      colours.add(image.data.readUInt32BE(i));
    }
    expect(colours.size).toBeGreaterThan(50); // not blank: text, tags, table lines
    // Nothing scrolls sideways at the desk size.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESK_VIEWPORT.width);
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [gateway, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
    insurer = sandboxInsurerOrigin(gateway);
    his = await createApiKey(gateway, 'HIS 结算（浏览器测试）', ['settlement']);
    page = await browser.newPage({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${gateway.url}/console/login`);
    await page.locator('#login-name').waitFor();
    await page.keyboard.type('it1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('it1-sandbox');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/it/devices');
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('devices: an unplugged simulated reader turns 未连接 without reload and comes back after replug; a test read shows what was read; writes it-devices.png', async () => {
    const menu = page.locator('.el-menu');
    for (const title of ['信息科 · 设备', '信息科 · 运行状态', '信息科 · 上传队列']) {
      await menu.getByText(title, { exact: true }).waitFor();
    }
    await page.getByText('实时连接正常').waitFor();
    const row = page.locator('tr.device-desk1-idcard');
    const state = row.locator('.device-state');
    await row.getByText('等待读卡').waitFor();

    const unplug = await call('POST', `${gateway.url}/api/v1/sandbox/devices/desk1-idcard/unplug`);
    expect(unplug.status).toBe(200);
    await row.getByText('未连接').waitFor();
    await expect(row.locator('.device-message').textContent()).resolves.toMatch(/已断开|不存在/);
    await screenshot('it-devices.png');

    const replug = await call('POST', `${gateway.url}/api/v1/sandbox/devices/desk1-idcard/replug`);
    expect(replug.status).toBe(200);
    await row.getByText('等待读卡').waitFor({ timeout: 15_000 });
    await expect(state.textContent()).resolves.toBe('等待读卡');

    // A test read: the page waits (progress shown) until a card is put on the reader meanwhile.
    await row.getByRole('button', { name: '测试读卡' }).click();
    const dialog = page.getByRole('dialog', { name: '测试读卡：desk1-idcard' });
    await dialog.getByRole('button', { name: '开始测试' }).click();
    await dialog.getByText('等待读卡中…', { exact: false }).waitFor();
    const present = await call('POST', `${gateway.url}/api/v1/sandbox/devices/desk1-idcard/present`, {
      person: 'dotName',
    });
    expect(present.status).toBe(200);
    const result = dialog.getByRole('status', { name: '测试结果' });
    await result.getByText('读到身份证').waitFor();
    await expect(result.textContent()).resolves.toContain(`姓名：${SEED.dotName.psn_name}`);
    await expect(result.textContent()).resolves.toContain('工作正常');
    // The ID number only masked.
    await expect(result.textContent()).resolves.not.toContain(SEED.dotName.certno);
    await dialog.getByRole('button', { name: '关闭', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await call('POST', `${gateway.url}/api/v1/sandbox/devices/desk1-idcard/remove`);

    // Discovery on the gateway's machine: each part found, or why it could not be looked at; for
    // whatever was found, the YAML to paste under devices:.
    await page.getByRole('tab', { name: '查找本机设备' }).click();
    await page.getByRole('button', { name: '查找', exact: true }).click();
    const found = page.getByLabel('本机设备');
    await found.waitFor();
    const configurable = found.getByRole('button', { name: '生成配置' }).and(page.locator(':enabled'));
    if ((await configurable.count()) > 0) {
      await configurable.first().click();
      const snippet = page.getByLabel('配置片段');
      await expect(snippet.textContent()).resolves.toMatch(
        /^ {2}- id: [a-z0-9][a-z0-9-]*\n {4}kind: (id-card|scanner|ssse-card)\n/,
      );
      await page.getByLabel('工位', { exact: true }).fill('门诊挂号9');
      await expect(snippet.textContent()).resolves.toContain('desk: 门诊挂号9');
      await page.getByRole('button', { name: '复制' }).click();
      await page.getByText(/^(已复制|浏览器不允许复制)/).waitFor();
      await page.keyboard.press('Escape');
    }
    await page.getByRole('tab', { name: '设备状态' }).click();
    expect(errors).toEqual([]);
  });

  it('运行状态: /health as Chinese sentences, the overall state on top; writes it-health.png', async () => {
    await page.locator('.el-menu').getByText('信息科 · 运行状态', { exact: true }).click();
    await page.waitForURL('**/console/it/health');
    const overall = page.getByRole('status', { name: '总体状态' });
    await overall.getByText(/^网关(运行正常|可以使用)/).waitFor();
    await expect(overall.textContent()).resolves.toContain('沙箱模式');
    const database = page.getByLabel('数据库', { exact: true });
    await database.getByText(/^数据库可以访问（sqlite .*），响应 [\d.]+ 毫秒。$/).waitFor();
    const upstream = page.getByLabel('经办机构（医保中心）连接', { exact: true });
    await upstream.getByText('与经办机构的连接正常。').waitFor();
    await page
      .getByLabel('读卡器与扫码枪', { exact: true })
      .getByText(/台设备/)
      .waitFor();
    await page
      .getByLabel('工作日日历', { exact: true })
      .getByText(/法定节假日/)
      .waitFor();
    await screenshot('it-health.png');
    expect(errors).toEqual([]);
  });

  it('上传队列: a rejected message is sent again with 重新发送 and its new copy’s state and attempts show; a pending one is withdrawn with a reason; writes it-outbox.png', async () => {
    // The insurer stops recognising the gateway's signing key: what it receives is rejected (-2).
    const keys = (await (await call('GET', `${insurer}/sandbox/gateway-keys`)).json()) as Record<string, string>;
    const [cainfo, publicKey] = Object.entries(keys)[0];
    const wrong = await call('PUT', `${insurer}/sandbox/gateway-keys/${encodeURIComponent(cainfo)}`, {
      publicKey: generateSm2Keys().publicKey,
    });
    expect(wrong.status).toBe(204);
    const month = monthsAgo(1);
    await declare(month);

    await page.locator('.el-menu').getByText('信息科 · 上传队列', { exact: true }).click();
    await page.waitForURL('**/console/it/outbox');
    const rejected = page.locator('tr.outbox-rejected', { hasText: '3401 月度申报' });
    for (let i = 0; i < 20 && (await rejected.count()) === 0; i++) {
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForTimeout(500);
    }
    await rejected.first().waitFor();
    await expect(rejected.first().textContent()).resolves.toContain('签名');

    // The cause fixed (the right key again), then 重新发送.
    const right = await call('PUT', `${insurer}/sandbox/gateway-keys/${encodeURIComponent(cainfo)}`, { publicKey });
    expect(right.status).toBe(204);
    await rejected.first().click();
    const drawer = page.getByRole('dialog', { name: /^报文 H/ });
    await drawer.locator('.detail-status').getByText('被拒绝').waitFor();
    await expect(drawer.getByLabel('发送记录').textContent()).resolves.toContain('被拒绝');
    await drawer.getByRole('button', { name: '重新发送' }).click();
    await drawer.getByText(/^已重新发送：原报文 H\d+ 作为新报文 H\d+ 进入队列/).waitFor();
    // The drawer now shows the new message, followed until it is delivered, with its attempt.
    await drawer.locator('.detail-status').getByText('已送达').waitFor({ timeout: 15_000 });
    await expect(drawer.getByLabel('发送记录').textContent()).resolves.toContain('已送达');
    await expect(drawer.getByRole('button', { name: '重新发送' }).isDisabled()).resolves.toBe(true);
    await screenshot('it-outbox.png');
    await page.keyboard.press('Escape');

    // Messages wait as pending while the dispatcher's four sending slots are held by slow answers
    // (the sandbox insurer answers after a minute; the gateway gives up after 10 s each): the newest
    // of eight declarations is still pending meanwhile, and is withdrawn with a reason.
    expect((await call('PUT', `${insurer}/sandbox/faults`, { latencyMs: 60_000 })).status).toBe(200);
    try {
      for (let n = 2; n <= 9; n++) {
        await declare(monthsAgo(n));
      }
      await page.locator('form[aria-label="筛选"] .el-select').first().click();
      await page.locator('.el-select-dropdown__item', { hasText: '待发送' }).click();
      await page.getByRole('button', { name: '查询' }).click();
      const pending = page.locator('tr.outbox-pending', { hasText: '3401 月度申报' });
      await pending.first().click();
      await drawer.getByRole('button', { name: '撤销' }).click();
      const confirm = page.getByRole('dialog', { name: '撤销报文' });
      await expect(confirm.getByRole('button', { name: '确认撤销' }).isDisabled()).resolves.toBe(true);
      await confirm.getByLabel('撤销原因').fill('申报月份有误（浏览器测试）');
      await confirm.getByRole('button', { name: '确认撤销' }).click();
      await drawer.getByText(/^已撤销报文 H\d+（原因：申报月份有误（浏览器测试））$/).waitFor();
      await drawer.locator('.detail-status').getByText('已撤销').waitFor();
      await expect(drawer.getByRole('button', { name: '撤销' }).isDisabled()).resolves.toBe(true);
    } finally {
      await call('DELETE', `${insurer}/sandbox/faults`);
    }
    expect(errors).toEqual([]);
  });
});
