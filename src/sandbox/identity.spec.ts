import { INFCODE, INFNO } from '../upstream/protocol/transactions';
import { SandboxInsurer } from './sandbox-insurer';
import { SEED } from './seed-people';
import { createTestGateway, send, signedRequest } from '../../test/support/test-gateway';
import { PinnedClock } from '../../test/support/pinned-clock';
import { deriveSandboxCardKey, SANDBOX_HSM_SECRET } from './transactions/card-hsm-auth';

/** 1101 person query, 1161 QR decode, 1165 card HSM authentication. */
describe('sandbox insurer identity transactions', () => {
  let clock: PinnedClock;
  const gateway = createTestGateway({ clock: { now: () => clock.now() } });
  let insurer: SandboxInsurer;
  const ask = async (infno: string, input: object) => send(insurer, signedRequest(gateway, infno, input));

  beforeEach(() => {
    clock = new PinnedClock(new Date('2026-11-25T02:00:00Z'));
    insurer = new SandboxInsurer({
      gatewayKeys: { [gateway.cainfo]: gateway.keys.publicKey },
      clock,
      qrTtlSeconds: 60,
    });
  });
  afterEach(async () => {
    await insurer.stop();
  });

  describe('1101 person query', () => {
    it('answers identity, card, determination, signing and cross-province by ID number', async () => {
      const p = SEED.activeFingers;
      const reply = await ask(INFNO.personQuery, { certno: p.certno });
      expect(reply.infcode).toBe(INFCODE.ok);
      expect(reply.output).toEqual({
        baseinfo: {
          psn_no: p.psn_no,
          psn_name: '马建国',
          gend: '1',
          brdy: '1985-03-12',
          certno: p.certno,
          psn_cert_type: '01',
          naty: '03',
        },
        card: {
          card_sn: p.card.card_sn,
          card_no: p.card.card_no,
          card_version: '3.00',
          card_status: 'normal',
          issue_date: '2023-05-10',
          valid_until: '2033-05-10',
        },
        insuinfo: { insured: true, insuplc_admdvs: '640100', emp_name: '宁夏鑫源建筑工程有限公司', psn_type: '在职' },
        injury: {
          status: 'determined',
          determination_no: '银人社工认字〔2025〕第0186号',
          determination_date: '2025-06-20',
          injury_date: '2025-04-03',
          injured_parts: ['左手食指', '左手中指'],
          occupational_disease: null,
          disability_grade: 9,
        },
        signed_institutions: [
          { fixmedins_code: 'H64010600001', fixmedins_name: '宁夏回族自治区人民医院', sign_date: '2025-07-01' },
          { fixmedins_code: 'H64010400016', fixmedins_name: '银川手足外科医院', sign_date: '2025-07-01' },
        ],
        cross_province: null,
      });
    });

    it('finds a person by card (reporting a lost card as lost) and by card + ID number + name', async () => {
      const lost = await ask(INFNO.personQuery, { card_sn: SEED.lostCard.card.card_sn });
      expect(lost.output).toMatchObject({ baseinfo: { psn_name: '陈海军' }, card: { card_status: 'lost' } });
      const cross = await ask(INFNO.personQuery, {
        certno: SEED.crossWithFiling.certno,
        card_sn: SEED.crossWithFiling.card.card_sn,
        psn_name: '赵鹏',
      });
      expect(cross.output).toMatchObject({
        cross_province: {
          insuplc_admdvs: '620100',
          filing: { filing_no: 'BA62010020260512003', valid_from: '2026-05-12' },
        },
      });
      const dotted = await ask(INFNO.personQuery, { certno: SEED.dotName.certno, psn_name: '买买提·艾力' });
      expect(dotted.infcode).toBe(INFCODE.ok);
    });

    it('refuses unknown people, mismatched card or name, and bad ID numbers', async () => {
      const cases: Array<[object, string]> = [
        [{ certno: '11010519491231002X' }, '未查询到该证件号码的参保人员信息'],
        [{ certno: '640104198503120318' }, '身份证号码校验位或出生日期错误'],
        [
          { certno: SEED.activeFingers.certno, card_sn: SEED.dotName.card.card_sn },
          '证件号码与社会保障卡不属于同一人（人卡不符）',
        ],
        [{ certno: SEED.activeFingers.certno, psn_name: '马建军' }, '姓名与证件信息不符'],
        [{ card_sn: '640100D15600000500000000000000FF' }, '未查询到该卡识别码对应的社会保障卡'],
        [{}, 'certno 与 card_sn 至少填写一项'],
      ];
      for (const [input, message] of cases) {
        const reply = await ask(INFNO.personQuery, input);
        expect({ infcode: reply.infcode, err_msg: reply.err_msg }).toEqual({
          infcode: INFCODE.rejected,
          err_msg: message,
        });
      }
    });
  });

  describe('1161 QR decode', () => {
    it('decodes a minted token until it expires (pinned clock)', async () => {
      const minted = await insurer.inject({
        method: 'POST',
        url: '/sandbox/qr-tokens',
        payload: { certno: SEED.rareName.certno, kind: 'fusion' },
      });
      expect(minted.statusCode).toBe(201);
      const { token, expiresAt } = minted.json<{ token: string; expiresAt: string }>();
      expect(expiresAt).toBe('2026-11-25T02:01:00.000Z');
      expect(token).toMatch(/^NXRHM[0-9A-F]{40}$/);

      clock.advance(59_000);
      const ok = await ask(INFNO.qrDecode, { qr_token: token, qr_kind: 'fusion' });
      expect(ok.output).toEqual({
        psn_no: SEED.rareName.psn_no,
        psn_name: '禤䶮',
        gend: '1',
        brdy: '1993-02-21',
        certno: SEED.rareName.certno,
        psn_cert_type: '01',
        naty: '01',
        qr_kind: 'fusion',
        expire_time: '2026-11-25 10:01:00',
      });
      clock.advance(1_000);
      const expired = await ask(INFNO.qrDecode, { qr_token: token });
      expect(expired.err_msg).toBe('二维码已过期，请患者刷新后重新出示');
    });

    it('refuses unknown tokens and a kind mismatch, and mints only for known people', async () => {
      const token = insurer.mintQrToken(SEED.activeFingers.certno, 'ecard')?.token ?? '';
      expect(token).toMatch(/^ESSC/);
      const wrongKind = await ask(INFNO.qrDecode, { qr_token: token, qr_kind: 'fusion' });
      expect(wrongKind.err_msg).toBe('二维码类型与 qr_kind 不符');
      const unknown = await ask(INFNO.qrDecode, { qr_token: `ESSC${'0'.repeat(40)}` });
      expect(unknown.err_msg).toBe('二维码无效：非本平台签发或已被篡改');
      const nobody = await insurer.inject({
        method: 'POST',
        url: '/sandbox/qr-tokens',
        payload: { certno: '11010519491231002X', kind: 'ecard' },
      });
      expect(nobody.statusCode).toBe(404);
      const badKind = await insurer.inject({
        method: 'POST',
        url: '/sandbox/qr-tokens',
        payload: { certno: SEED.activeFingers.certno, kind: 'nhsa' },
      });
      expect(badKind.statusCode).toBe(400);
    });
  });

  describe('1165 card HSM authentication', () => {
    const input = {
      card_sn: SEED.activeFingers.card.card_sn,
      random_no: '1A2B3C4D5E6F7081',
      card_data: '00112233445566778899AABBCCDDEEFF',
    };

    it('derives the same 16-byte key for the same card, challenge and data', async () => {
      const first = await ask(INFNO.cardHsmAuth, input);
      const second = await ask(INFNO.cardHsmAuth, { ...input, random_no: input.random_no.toLowerCase() });
      const other = await ask(INFNO.cardHsmAuth, { ...input, random_no: '1A2B3C4D5E6F7082' });
      const key = (first.output as { auth_key: string }).auth_key;
      expect(key).toMatch(/^[0-9A-F]{32}$/);
      expect(second.output).toEqual(first.output);
      expect((other.output as { auth_key: string }).auth_key).not.toBe(key);
      expect(key).toBe(deriveSandboxCardKey(SANDBOX_HSM_SECRET, input.card_sn, input.random_no, input.card_data));
    });

    it('refuses 2nd-generation cards, lost cards, unknown cards and bad hex', async () => {
      const cases: Array<[object, string]> = [
        [{ card_sn: SEED.retiredDisease.card.card_sn }, '非第三代社会保障卡，无需加密机认证'],
        [{ card_sn: SEED.lostCard.card.card_sn }, '该卡已挂失，加密机拒绝认证'],
        [{ card_sn: '640100D15600000500000000000000FF' }, '卡识别码未登记，加密机拒绝认证'],
        [{ card_data: '0011223' }, '字段 card_data 格式错误，应为16–512位十六进制（偶数位）'],
      ];
      for (const [override, message] of cases) {
        const reply = await ask(INFNO.cardHsmAuth, { ...input, ...override });
        expect(reply.err_msg).toBe(message);
      }
    });
  });
});
