import { ReplyEnvelope } from '../upstream/protocol/envelope';
import { INFCODE, INFNO } from '../upstream/protocol/transactions';
import { SandboxInsurer } from './sandbox-insurer';
import { SeedPerson, SEED } from './seed-people';
import { createTestGateway, send, signedRequest } from '../../test/support/test-gateway';
import { PinnedClock } from '../../test/support/pinned-clock';

/** 2207 / 2304 settlement, 2601 reversal, 3201 / 3202 reconciliation, 3301 cross-province upload, 3401 declaration. */
describe('sandbox insurer settlement transactions', () => {
  let clock: PinnedClock;
  const gateway = createTestGateway({ clock: { now: () => clock.now() } });
  let insurer: SandboxInsurer;

  const drug = (sn: string, codes: string[], cnt = 2, pric = 12.5) => ({
    feedetl_sn: sn,
    med_list_codg: 'XM01AEI045A001010101445',
    item_name: '布洛芬缓释胶囊',
    list_type: 'drug',
    cnt,
    pric,
    det_item_fee_sumamt: Math.round(cnt * pric * 100) / 100,
    injury_related: true,
    drug_trac_codg: codes,
  });
  const service = (sn: string, amount: number, extra: object = {}) => ({
    feedetl_sn: sn,
    med_list_codg: '001201000010000',
    item_name: '换药（中）',
    list_type: 'service',
    cnt: 1,
    pric: amount,
    det_item_fee_sumamt: amount,
    injury_related: true,
    ...extra,
  });
  const outpatient = (person: SeedPerson, lines: object[], extra: object = {}) => ({
    psn_no: person.psn_no,
    mdtrt_id: `MZ${person.psn_no.slice(-6)}01`,
    begntime: '2026-11-25 09:30:00',
    dise_codg: 'S62.600',
    dise_name: '手指骨折',
    medfee_sumamt:
      lines.reduce(
        (acc: number, l) => acc + Math.round((l as { det_item_fee_sumamt: number }).det_item_fee_sumamt * 100),
        0,
      ) / 100,
    feedetail: lines,
    ...extra,
  });
  const post = (infno: string, input: object) => {
    const request = signedRequest(gateway, infno, input);
    return send(insurer, request).then((reply) => ({ request, reply }));
  };
  const settleOk = async (
    infno: string,
    input: object,
  ): Promise<{ msgid: string; reply: ReplyEnvelope; setlId: string }> => {
    const { request, reply } = await post(infno, input);
    expect(reply.err_msg).toBeNull();
    return { msgid: request.msgid, reply, setlId: (reply.output as { setl_id: string }).setl_id };
  };

  beforeEach(() => {
    clock = new PinnedClock(new Date('2026-11-25T02:00:00Z'));
    insurer = new SandboxInsurer({ gatewayKeys: { [gateway.cainfo]: gateway.keys.publicKey }, clock });
  });
  afterEach(async () => {
    await insurer.stop();
  });

  it('2207 splits fund and self pay line by line and warns about missing trace codes', async () => {
    const lines = [
      drug('1', ['81234560000000000001', '81234560000000000002']),
      drug('2', [], 1, 8.8),
      service('3', 30),
      service('4', 45, { med_list_codg: 'ZF0000000001', item_name: '进口敷料' }),
      service('5', 20, { injury_related: false, item_name: '感冒诊治' }),
    ];
    const { reply, setlId } = await settleOk(
      INFNO.outpatientSettlement,
      outpatient(SEED.activeFingers, lines, { card_sn: SEED.activeFingers.card.card_sn }),
    );
    expect(setlId).toMatch(/^ST20261125100000\d{6}$/);
    expect(reply.warn_msg).toBe('以下药品明细未采集药品追溯码：2');
    expect(reply.output).toEqual({
      setl_id: setlId,
      mdtrt_id: 'MZ10231801',
      psn_no: SEED.activeFingers.psn_no,
      psn_name: '马建国',
      setl_time: '2026-11-25 10:00:00',
      medfee_sumamt: 128.8,
      fund_pay_sumamt: 63.8,
      psn_pay_sumamt: 65,
      setldetail: [
        { feedetl_sn: '1', det_item_fee_sumamt: 25, fund_pay_amt: 25, psn_pay_amt: 0, selfpay_reason: null },
        { feedetl_sn: '2', det_item_fee_sumamt: 8.8, fund_pay_amt: 8.8, psn_pay_amt: 0, selfpay_reason: null },
        { feedetl_sn: '3', det_item_fee_sumamt: 30, fund_pay_amt: 30, psn_pay_amt: 0, selfpay_reason: null },
        {
          feedetl_sn: '4',
          det_item_fee_sumamt: 45,
          fund_pay_amt: 0,
          psn_pay_amt: 45,
          selfpay_reason: '工伤保险目录外项目',
        },
        {
          feedetl_sn: '5',
          det_item_fee_sumamt: 20,
          fund_pay_amt: 0,
          psn_pay_amt: 20,
          selfpay_reason: '非工伤治疗费用',
        },
      ],
    });
  });

  it('2207 refuses wrong totals, bad lines and people the fund must not pay for', async () => {
    const p = SEED.activeFingers;
    const ok = [service('1', 30)];
    const cases: Array<[object, string]> = [
      [outpatient(p, ok, { medfee_sumamt: 30.01 }), '费用总额 medfee_sumamt 与明细合计 30.00 不符'],
      [
        outpatient(p, [{ ...service('1', 30), det_item_fee_sumamt: 31 }]),
        'feedetail[0] 金额不等于数量×单价（精确到分）',
      ],
      [outpatient(p, [service('1', 30.005)]), '字段 feedetail[0].det_item_fee_sumamt 金额最多两位小数'],
      [outpatient(p, []), '费用明细 feedetail 不能为空'],
      [
        outpatient(p, [drug('1', ['6901234567892'], 1)]),
        'feedetail[0].drug_trac_codg[0] 是商品条码（69开头13位），不是药品追溯码',
      ],
      [outpatient(p, ok, { card_sn: SEED.dotName.card.card_sn }), '社会保障卡与人员不符（人卡不符），拒绝记账'],
      [outpatient(SEED.lostCard, ok, { card_sn: SEED.lostCard.card.card_sn }), '社会保障卡已挂失，拒绝记账'],
      [
        outpatient(SEED.expiredCard, ok, { card_sn: SEED.expiredCard.card.card_sn }),
        '社会保障卡已超过有效期，拒绝记账',
      ],
      [outpatient(SEED.uninsured, ok), '该人员未参加工伤保险，不能工伤记账'],
      [outpatient(SEED.pending, ok), '工伤认定尚未作出，暂不能工伤记账；可先自费，认定后办理自费转工伤'],
      [outpatient(SEED.threeSigned, ok), '本机构不是该职工的签约门诊机构（每人最多签约3家），不能门诊记账'],
      [outpatient(SEED.crossNoFiling, ok), '跨省异地就医未备案，不能直接结算'],
    ];
    for (const [input, message] of cases) {
      const { reply } = await post(INFNO.outpatientSettlement, input);
      expect({ infcode: reply.infcode, err_msg: reply.err_msg }).toEqual({
        infcode: INFCODE.rejected,
        err_msg: message,
      });
    }
    // The expired card itself is refused, not the worker: without the card the visit settles.
    await settleOk(INFNO.outpatientSettlement, outpatient(SEED.expiredCard, ok));
  });

  it('2304 settles admissions anywhere, cross-province with a filing; 3301 uploads it once', async () => {
    const inpatient = (person: SeedPerson) => ({
      ...outpatient(person, [service('1', 1200), drug('2', ['81234560000000000010'], 1, 36.4)]),
      mdtrt_id: `ZY${person.psn_no.slice(-6)}`,
      begntime: undefined,
      adm_date: '2026-11-18',
      dscg_date: '2026-11-24',
    });
    const local = await settleOk(INFNO.inpatientSettlement, {
      ...inpatient(SEED.threeSigned),
      feedetail: [service('1', 1200)],
      medfee_sumamt: 1200,
    });
    const cross = await settleOk(INFNO.inpatientSettlement, inpatient(SEED.crossWithFiling));
    expect(cross.reply.output).toMatchObject({ medfee_sumamt: 1236.4, fund_pay_sumamt: 1236.4, psn_pay_sumamt: 0 });
    const { reply: backwards } = await post(INFNO.inpatientSettlement, {
      ...inpatient(SEED.activeFingers),
      dscg_date: '2026-11-17',
    });
    expect(backwards.err_msg).toBe('出院日期 dscg_date 早于入院日期 adm_date');

    const upload = {
      psn_no: SEED.crossWithFiling.psn_no,
      setl_id: cross.setlId,
      insuplc_admdvs: '620100',
      filing_no: 'BA62010020260512003',
      dise_codg: 'S62.600',
      dise_name: '左踝关节骨折',
      begndate: '2026-11-18',
      enddate: '2026-11-24',
      medfee_sumamt: 1236.4,
      fund_pay_sumamt: 1236.4,
      psn_pay_sumamt: 0,
      feedetail_cnt: 2,
    };
    const { reply: wrong } = await post(INFNO.crossProvinceUpload, {
      ...upload,
      medfee_sumamt: 1236.5,
      filing_no: 'BA62010020260512003',
    });
    expect(wrong.err_msg).toBe('上传数据与结算记录不符：medfee_sumamt');
    clock.advance(8 * 86_400_000); // Wednesday → Thursday a week later: 6 working days
    const { reply: late } = await post(INFNO.crossProvinceUpload, upload);
    expect(late.output).toEqual({
      receipt_id: expect.stringMatching(/^CP20261203/),
      setl_id: cross.setlId,
      upld_time: '2026-12-03 10:00:00',
    });
    expect(late.warn_msg).toBe('已超过结算后 5 个工作日的上传时限（最后上传日 2026-12-02）');
    const { reply: again } = await post(INFNO.crossProvinceUpload, upload);
    expect(again.err_msg).toMatch(/^该结算已上传（回执 CP\d+），不能重复上传$/);
    const { reply: notCross } = await post(INFNO.crossProvinceUpload, {
      ...upload,
      psn_no: SEED.threeSigned.psn_no,
      setl_id: local.setlId,
    });
    expect(notCross.err_msg).toBe('该人员不是跨省异地就医人员，无需上传');
  });

  it('3301 of an assistive-device settlement carries the invoice and the fee list of the settled lines', async () => {
    const lines = [
      service('1', 2800, { item_name: '假肢（小腿）', list_type: 'material' }),
      service('2', 300, { item_name: '假肢适配' }),
    ];
    const device = await settleOk(INFNO.outpatientSettlement, outpatient(SEED.crossWithFiling, lines));
    const upload = {
      psn_no: SEED.crossWithFiling.psn_no,
      setl_id: device.setlId,
      insuplc_admdvs: '620100',
      filing_no: 'BA62010020260512003',
      dise_codg: 'S62.600',
      dise_name: '手指骨折',
      begndate: '2026-11-25',
      enddate: '2026-11-25',
      medfee_sumamt: 3100,
      fund_pay_sumamt: 3100,
      psn_pay_sumamt: 0,
      feedetail_cnt: 2,
      setl_type: 'device',
    };
    const feeList = [
      { feedetl_sn: '1', item_name: '假肢（小腿）', det_item_fee_sumamt: 2800 },
      { feedetl_sn: '2', item_name: '假肢适配', det_item_fee_sumamt: 300 },
    ];
    const refused = async (input: object) => (await post(INFNO.crossProvinceUpload, input)).reply.err_msg;
    expect(await refused({ ...upload, fee_list: feeList })).toBe('缺少必填字段 invoice_no');
    expect(await refused({ ...upload, invoice_no: 'FP0001' })).toBe('缺少必填字段 fee_list');
    expect(await refused({ ...upload, invoice_no: 'FP0001', fee_list: [feeList[0]] })).toBe(
      '费用清单 fee_list 与结算明细不符（缺少：2）',
    );
    expect(
      await refused({
        ...upload,
        invoice_no: 'FP0001',
        fee_list: [feeList[0], { ...feeList[1], det_item_fee_sumamt: 301 }],
      }),
    ).toBe('费用清单 fee_list 与结算明细不符（不符：2）');
    expect(await refused({ ...upload, setl_type: 'other' })).toMatch(/setl_type/);
    const { reply } = await post(INFNO.crossProvinceUpload, { ...upload, invoice_no: 'FP0001', fee_list: feeList });
    expect(reply.err_msg).toBeNull();
    expect(reply.warn_msg).toBeNull();
  });

  it('2601 reverses a settlement once, frees its trace codes and visit; refuses the rest precisely', async () => {
    const p = SEED.activeFingers;
    const input = outpatient(p, [drug('1', ['81234560000000000021'], 1)]);
    const first = await settleOk(INFNO.outpatientSettlement, input);
    const { reply: sameCode } = await post(INFNO.outpatientSettlement, { ...input, mdtrt_id: 'MZ-OTHER' });
    expect(sameCode.err_msg).toBe('追溯码 81234560000000000021 已被其他结算使用，同一盒药品不能重复销售');
    const { reply: sameVisit } = await post(INFNO.outpatientSettlement, outpatient(p, [service('1', 30)]));
    expect(sameVisit.err_msg).toBe('该就诊 mdtrt_id 已结算；如需重新结算，请先冲正（2601）原结算');

    const { reply: reversed } = await post(INFNO.reversal, { psn_no: p.psn_no, omsgid: first.msgid, oinfno: '2207' });
    expect(reversed.output).toEqual({
      omsgid: first.msgid,
      oinfno: '2207',
      setl_id: first.setlId,
      rvs_time: '2026-11-25 10:00:00',
    });
    const { request: rejectedSettlement } = await post(
      INFNO.outpatientSettlement,
      outpatient(SEED.uninsured, [service('1', 30)]),
    );
    const { request: query } = await post(INFNO.personQuery, { certno: p.certno });
    const neverSent = signedRequest(gateway, INFNO.outpatientSettlement, input).msgid;
    const cases: Array<[object, string]> = [
      [{ omsgid: first.msgid, oinfno: '2207' }, '原交易已于 2026-11-25 10:00:00 冲正，不能重复冲正'],
      [{ omsgid: neverSent, oinfno: '2207' }, '原交易不存在：未收到该 omsgid 的报文，无需冲正'],
      [{ omsgid: first.msgid, oinfno: '2304' }, '原交易编号不符：omsgid 对应的交易为 2207'],
      [{ omsgid: query.msgid, oinfno: '1101' }, '交易 1101 不支持冲正，只能冲正结算交易（2207、2304）'],
      [{ omsgid: rejectedSettlement.msgid, oinfno: '2207', psn_no: SEED.uninsured.psn_no }, '原交易未成功，无需冲正'],
      [{ omsgid: `H64010400001${first.msgid.slice(12)}`, oinfno: '2207' }, '只能冲正本机构发起的交易'],
    ];
    for (const [override, message] of cases) {
      const { reply } = await post(INFNO.reversal, { psn_no: p.psn_no, ...override });
      expect(reply.err_msg).toBe(message);
    }
    // Reversed: the same visit and the same box can be settled again.
    await settleOk(INFNO.outpatientSettlement, input);
  });

  it('3201 totals settlements not reversed in the period and compares the hospital totals; 3401 declares', async () => {
    const a = await settleOk(INFNO.outpatientSettlement, outpatient(SEED.activeFingers, [service('1', 30)]));
    await settleOk(
      INFNO.outpatientSettlement,
      outpatient(SEED.dotName, [service('1', 45.5), service('2', 10, { injury_related: false })]),
    );
    await settleOk(INFNO.inpatientSettlement, {
      ...outpatient(SEED.oldInjury, [service('1', 980.25)]),
      begntime: undefined,
      adm_date: '2026-11-20',
      dscg_date: '2026-11-25',
    });
    await post(INFNO.reversal, { psn_no: SEED.activeFingers.psn_no, omsgid: a.msgid, oinfno: '2207' });

    const period = { begndate: '2026-11-01', enddate: '2026-11-30' };
    const { reply } = await post(INFNO.reconciliation, {
      ...period,
      fixmedins_setl_cnt: 2,
      medfee_sumamt: 1035.75,
      fund_pay_sumamt: 1025.75,
    });
    expect(reply.output).toEqual({
      ...period,
      outpatient: { setl_cnt: 1, medfee_sumamt: 55.5, fund_pay_sumamt: 45.5, psn_pay_sumamt: 10 },
      inpatient: { setl_cnt: 1, medfee_sumamt: 980.25, fund_pay_sumamt: 980.25, psn_pay_sumamt: 0 },
      total: { setl_cnt: 2, medfee_sumamt: 1035.75, fund_pay_sumamt: 1025.75, psn_pay_sumamt: 10 },
      stmt_rslt: '0',
      stmt_rslt_dscr: '对账一致',
    });
    const { reply: disagree } = await post(INFNO.reconciliation, {
      ...period,
      fixmedins_setl_cnt: 3,
      medfee_sumamt: 1065.75,
      fund_pay_sumamt: 1025.75,
    });
    expect(disagree.output).toMatchObject({
      stmt_rslt: '1',
      stmt_rslt_dscr: '对账不一致（机构/经办）：笔数 3/2；费用总额 1065.75/1035.75',
    });
    const { reply: empty } = await post(INFNO.reconciliation, { begndate: '2026-11-26', enddate: '2026-11-30' });
    expect(empty.output).toMatchObject({ total: { setl_cnt: 0, medfee_sumamt: 0 }, stmt_rslt: null });
    const { reply: backwards } = await post(INFNO.reconciliation, { begndate: '2026-11-30', enddate: '2026-11-01' });
    expect(backwards.err_msg).toBe('对账截止日期 enddate 早于开始日期 begndate');

    const declaration = {
      decl_ym: '2026-11',
      setl_cnt: 2,
      medfee_sumamt: 1035.75,
      fund_pay_sumamt: 1025.75,
      psn_pay_sumamt: 10,
    };
    const { reply: declared } = await post(INFNO.monthlyDeclaration, declaration);
    expect(declared.output).toMatchObject({
      receipt_id: expect.stringMatching(/^MD/),
      consistent: true,
      insurer_setl_cnt: 2,
    });
    expect(declared.warn_msg).toBeNull();
    const { reply: twice } = await post(INFNO.monthlyDeclaration, declaration);
    expect(twice.err_msg).toMatch(/^2026-11 已申报（回执 MD\d+）；更正请置 resubmit 为 true$/);
    const { reply: corrected } = await post(INFNO.monthlyDeclaration, { ...declaration, setl_cnt: 3, resubmit: true });
    expect(corrected.output).toMatchObject({ consistent: false });
    expect(corrected.warn_msg).toBe('申报数据与经办机构结算记录不一致，请核对后更正申报');
    const { reply: future } = await post(INFNO.monthlyDeclaration, { ...declaration, decl_ym: '2026-12' });
    expect(future.err_msg).toBe('不能申报未来月份');
    const { reply: unbalanced } = await post(INFNO.monthlyDeclaration, {
      ...declaration,
      decl_ym: '2026-10',
      psn_pay_sumamt: 11,
    });
    expect(unbalanced.err_msg).toBe('基金支付与个人支付之和不等于费用总额');
  });

  it('3202 lists the settlements in force of a period, paged, with their figures', async () => {
    const a = await settleOk(INFNO.outpatientSettlement, outpatient(SEED.activeFingers, [service('1', 30)]));
    clock.advance(60_000);
    const b = await settleOk(
      INFNO.outpatientSettlement,
      outpatient(SEED.dotName, [service('1', 45.5), service('2', 10, { injury_related: false })]),
    );
    clock.advance(60_000);
    const c = await settleOk(INFNO.inpatientSettlement, {
      ...outpatient(SEED.oldInjury, [service('1', 980.25)]),
      begntime: undefined,
      adm_date: '2026-11-20',
      dscg_date: '2026-11-25',
    });
    await post(INFNO.outpatientSettlementCancel, {
      psn_no: SEED.activeFingers.psn_no,
      setl_id: a.setlId,
      mdtrt_id: `MZ${SEED.activeFingers.psn_no.slice(-6)}01`,
    });

    const period = { begndate: '2026-11-25', enddate: '2026-11-25' };
    const { reply: first } = await post(INFNO.detailReconciliation, { ...period, page_size: 1 });
    expect(first.err_msg).toBeNull();
    expect(first.output).toEqual({
      ...period,
      page_num: 1,
      page_size: 1,
      total: 2,
      pages: 2,
      data: [
        {
          setl_id: b.setlId,
          mdtrt_id: `MZ${SEED.dotName.psn_no.slice(-6)}01`,
          psn_no: SEED.dotName.psn_no,
          infno: '2207',
          setl_time: '2026-11-25 10:01:00',
          medfee_sumamt: 55.5,
          fund_pay_sumamt: 45.5,
          psn_pay_sumamt: 10,
        },
      ],
    });
    const { reply: second } = await post(INFNO.detailReconciliation, { ...period, page_size: 1, page_num: 2 });
    expect(second.output).toMatchObject({
      page_num: 2,
      data: [{ setl_id: c.setlId, infno: '2304', medfee_sumamt: 980.25 }],
    });
    const { reply: all } = await post(INFNO.detailReconciliation, period);
    expect(all.output).toMatchObject({ page_size: 100, total: 2, pages: 1 });
    const { reply: none } = await post(INFNO.detailReconciliation, { begndate: '2026-11-26', enddate: '2026-11-30' });
    expect(none.output).toMatchObject({ total: 0, pages: 1, data: [] });
    const { reply: badPage } = await post(INFNO.detailReconciliation, { ...period, page_size: 501 });
    expect(badPage.err_msg).toBe('page_size 须为 1–500 的整数');
    const { reply: backwards } = await post(INFNO.detailReconciliation, {
      begndate: '2026-11-30',
      enddate: '2026-11-01',
    });
    expect(backwards.err_msg).toBe('对账截止日期 enddate 早于开始日期 begndate');
  });
});
