import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { chromiumAvailable, DESK_VIEWPORT, launchBrowser } from './support/browser';
import {
  createApiKey,
  sandboxInsurerOrigin,
  startConsoleGateway,
  type ConsoleGateway,
} from './support/console-gateway';

jest.setTimeout(60_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');
const VISIT = 'MZ20261203S01';
/** The sandbox's covered seed worker (src/sandbox/seed-people.ts, activeFingers). */
const WORKER = { certno: '640104198503120319', name: '马建国', psnNo: '6401040000102318' };
const MAPPING = ['院内项目编码,院内项目名称,项目类别,医保目录编码', 'ZL001,换药（中）,诊疗,001203000010000'].join(
  '\r\n',
);
const run = chromiumAvailable() ? describe : describe.skip;

/** Whether pdftotext is here (CI installs poppler-utils); without it the PDF's text is not read. */
function pdftotext(pdf: Buffer): string | null {
  const res = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf });
  if (res.error) {
    if (process.env.CI === 'true') {
      throw new Error('pdftotext (poppler-utils) is required in CI');
    }
    process.stderr.write('\n[skip] the statement PDF’s text is not read: install poppler-utils\n');
    return null;
  }
  return res.stdout.toString('utf8');
}

/** Waits until the element with this id has the keyboard focus (the page puts it there by itself). */
async function focusOn(page: Page, id: string): Promise<void> {
  try {
    await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 5_000 });
  } catch {
    const has = await page.evaluate(() => `${document.activeElement?.tagName}#${document.activeElement?.id}`);
    throw new Error(`#${id} does not have the focus: ${has} has`);
  }
}

function checkScreenshot(shot: Buffer, name: string): void {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, name), shot);
  const image = PNG.sync.read(shot);
  expect([image.width, image.height]).toEqual([DESK_VIEWPORT.width, DESK_VIEWPORT.height]);
  // Not blank: more than a handful of colours.
  const colours = new Set<number>();
  for (let i = 0; i < image.data.length; i += 4 * 97) {
    colours.add(image.data.readUInt32BE(i));
  }
  expect(colours.size).toBeGreaterThan(20);
}

run('the 结算 and 医生 pages in a real browser (finance1, doctor1; 1366×768)', () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let hisKey: string;
  let matchToken: string;
  const errors: string[] = [];

  /** HIS, with its API key. */
  async function his(method: string, path: string, body?: object, headers: Record<string, string> = {}) {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${hisKey}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    return page;
  }

  async function logIn(page: Page, login: string, password: string, lands: string): Promise<void> {
    await page.goto(`${gateway.url}/console/login`);
    await page.locator('#login-name').waitFor();
    await page.keyboard.type(login);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/${lands}`);
  }

  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
    hisKey = await createApiKey(gateway, 'HIS 结算（浏览器测试）', ['identity', 'settlement']);

    // HIS: the catalogue mapping, the visit and its three lines (two for the injury, one not).
    const imported = await his('POST', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    });
    expect(imported.status).toBe(201);
    const opened = await his('POST', '/api/v1/settlement/visits', {
      visitId: VISIT,
      psnNo: WORKER.psnNo,
      kind: 'outpatient',
      visitDate: '2026-11-25',
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '左手食指骨折',
    });
    expect(opened.status).toBe(201);
    const line = (lineId: string, over: object = {}) => ({
      lineId,
      hisItemCode: 'ZL001',
      itemName: '换药（中）',
      kind: 'service',
      count: '1',
      unitPriceFen: 3000,
      amountFen: 3000,
      serviceDate: '2026-11-25',
      injuryRelated: true,
      ...over,
    });
    const lines = await his('PUT', `/api/v1/settlement/visits/${VISIT}/lines`, {
      lines: [
        line('1'),
        line('2', { unitPriceFen: 123456, amountFen: 123456, itemName: '清创缝合（大）' }),
        line('3', { injuryRelated: false, unitPriceFen: 2000, amountFen: 2000, itemName: '感冒诊治' }),
      ],
    });
    expect(lines.status).toBe(200);

    // The registration desk: HIS opens the session with the worker's identity, the worker shows the
    // 电子社保卡 QR code the sandbox insurer mints → MATCH and its token.
    const session = await his('POST', '/api/v1/identity/sessions', {
      desk: '门诊挂号1',
      visitId: VISIT,
      visitKind: 'outpatient',
      hisIdentity: { idNumber: WORKER.certno, name: WORKER.name },
    });
    expect(session.status).toBe(201);
    const minted = await fetch(`${sandboxInsurerOrigin(gateway)}/sandbox/qr-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certno: WORKER.certno, kind: 'ecard' }),
    });
    expect(minted.status).toBe(201);
    const qr = ((await minted.json()) as { token: string }).token;
    const match = await his('POST', `/api/v1/identity/sessions/${String(session.body.id)}/qr`, { text: qr });
    expect(match.body.verdict).toBe('MATCH');
    matchToken = String(match.body.token);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('finance1: the visit’s pre-audit findings, trial in yuan, settle, the statement PDF, reversal with a reason; writes docs/console/settlement.png', async () => {
    const context = await browser.newContext({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    const page = await newPage(context);
    await logIn(page, 'finance1', 'finance1-sandbox', 'settlement');
    await expect(page.locator('.el-menu').textContent()).resolves.toBe('结算');

    // The visit without the token: the pre-audit runs, the person check blocks (阻止结算).
    await focusOn(page, 'settle-visit-id');
    await page.keyboard.type(VISIT);
    await page.keyboard.press('Enter');
    await page.getByTestId('visit-bar').getByText(VISIT).waitFor();
    // The visit shows before its pre-audit answers: wait for the verdict's text, not just its box.
    await page.getByTestId('audit-verdict').getByText('不能结算').waitFor();
    const blocking = page.getByTestId('findings').locator('li[data-code="PERSON_NOT_VERIFIED"]');
    await blocking.getByText('阻止结算').waitFor();
    await expect(page.getByRole('button', { name: '预结算' }).isDisabled()).resolves.toBe(true);

    // With the MATCH token (a scanner types it, Enter): 可以结算, the line not related to the injury
    // shown as a non-blocking finding, with the gateway's Chinese message.
    await page.keyboard.press('Tab');
    await focusOn(page, 'settle-token');
    await page.keyboard.type(matchToken);
    await page.keyboard.press('Enter');
    await page.getByTestId('audit-verdict').getByText('可以结算').waitFor();
    const notInjury = page.getByTestId('findings').locator('li[data-code="NOT_INJURY_RELATED"]');
    await expect(notInjury.textContent()).resolves.toMatch(/个人自付.*第 3 行/);
    await expect(page.getByTestId('findings').locator('li[data-code="PERSON_NOT_VERIFIED"]').count()).resolves.toBe(0);

    // Trial (2206): the insurer's split in yuan, from fen.
    await page.getByRole('button', { name: '预结算' }).click();
    const trialCard = page.getByTestId('trial');
    await trialCard.getByText('¥1,284.56').waitFor();
    const trialText = await trialCard.textContent();
    expect(trialText).toContain('工伤保险基金支付（统筹）¥1,264.56');
    expect(trialText).toContain('个人自付（经办机构核定）¥20.00');
    expect(trialText).toContain('应向患者收取¥20.00');

    checkScreenshot(await page.screenshot({ fullPage: false }), 'settlement.png');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESK_VIEWPORT.width);

    // Settle (2207) after the confirmation: settled, with its 结算号 and split.
    await page.getByRole('button', { name: '结算…' }).click();
    const confirm = page.getByRole('dialog', { name: '确认结算' });
    await expect(confirm.textContent()).resolves.toContain('¥20.00');
    await confirm.getByRole('button', { name: '确认结算' }).click();
    const result = page.getByTestId('settlement');
    await result.getByTestId('settlement-status').getByText('已结算').waitFor();
    await expect(result.textContent()).resolves.toMatch(/结算号 ST/);
    await expect(result.textContent()).resolves.toContain('工伤保险基金支付（统筹）¥1,264.56');
    await page.getByTestId('visit-bar').getByText('已结算').waitFor();

    // 打印结算单: the statement PDF opens in a new tab; read with the staff cookie it is the PDF.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      result.getByRole('button', { name: '打印结算单' }).click(),
    ]);
    const pdfUrl = popup.url();
    expect(pdfUrl).toMatch(/\/api\/v1\/settlement\/settlements\/[0-9a-f-]+\/statement\.pdf$/);
    await popup.close();
    const pdf = await context.request.get(pdfUrl);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toMatch(/application\/pdf/);
    const bytes = await pdf.body();
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdftotext(bytes);
    if (text !== null) {
      expect(text).toContain('工伤保险医疗费用结算单');
      expect(text).toMatch(/1,?284\.56/);
    }

    // Reversal: the reason is required, then a confirmation; the insurer cancels it (2208).
    await result.getByRole('button', { name: '撤销结算…' }).click();
    const cancelDialog = page.getByRole('dialog', { name: '撤销结算' });
    await cancelDialog.getByRole('button', { name: '下一步' }).click();
    await cancelDialog.getByText('请填写撤销原因').waitFor();
    await page.locator('#cancel-reason').fill('患者要求撤销，改日复诊');
    await cancelDialog.getByRole('button', { name: '下一步' }).click();
    const confirmCancel = page.getByRole('dialog', { name: '确认撤销结算' });
    await confirmCancel.getByText('患者要求撤销，改日复诊').waitFor();
    await confirmCancel.getByRole('button', { name: '确认撤销' }).click();
    await page.getByTestId('last-settlement').getByText('已撤销').waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('last-settlement').textContent()).resolves.toContain('患者要求撤销，改日复诊');
    await page.getByTestId('visit-bar').getByText('未结算').waitFor();

    // A refusal shows the gateway's Chinese message: a token of another kind.
    await page.locator('#settle-token').fill('gvt1.forged.token');
    await page.locator('#settle-token').press('Enter');
    await expect(page.getByTestId('settle-error').textContent()).resolves.toMatch(/核验|凭证/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('doctor1: a scanned MATCH token shows the worker and the determination; a wrong one the Chinese refusal; writes docs/console/doctor.png', async () => {
    const context = await browser.newContext({ viewport: DESK_VIEWPORT, locale: 'zh-CN' });
    const page = await newPage(context);
    await logIn(page, 'doctor1', 'doctor1-sandbox', 'doctor');
    await expect(page.locator('.el-menu').textContent()).resolves.toBe('医生表单');

    // A wrong token first: refused with the gateway's Chinese message, nothing shown.
    await focusOn(page, 'doctor-token');
    await page.keyboard.type('gvt1.not-a-token');
    await page.keyboard.press('Enter');
    const refusal = await page.getByTestId('doctor-error').textContent();
    expect(refusal).toMatch(/[\u4e00-\u9fff]/);
    expect(refusal).not.toMatch(/TOKEN_/);
    await expect(page.getByTestId('doctor-view').count()).resolves.toBe(0);

    // The worker's MATCH token, typed as a scanner types it, Enter.
    await focusOn(page, 'doctor-token');
    await page.keyboard.type(matchToken);
    await page.keyboard.press('Enter');
    const view = page.getByTestId('doctor-view');
    await expect(page.getByTestId('doctor-name').textContent()).resolves.toBe(WORKER.name);
    await view.getByText('已认定工伤').first().waitFor();
    const shown = await view.textContent();
    expect(shown).toContain('已认定工伤');
    expect(shown).toContain('银人社工认字〔2025〕第0186号');
    expect(shown).toContain('2025-06-20');
    expect(shown).toContain('左手食指、左手中指');
    expect(shown).toContain('9 级');
    expect(shown).toContain(WORKER.psnNo);
    await expect(page.getByTestId('doctor-error').count()).resolves.toBe(0);
    // Ready for the next scan.
    await expect(page.locator('#doctor-token').inputValue()).resolves.toBe('');

    checkScreenshot(await page.screenshot({ fullPage: false }), 'doctor.png');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESK_VIEWPORT.width);
    expect(errors).toEqual([]);
    await context.close();
  });
});
