import { INFNO } from '../upstream/protocol/transactions';
import { SEED } from './seed-people';
import { drugLine, SandboxWorld, sandboxWorld, serviceLine } from '../../test/support/sandbox-settlement';

/** 2201 registration, 2202 its cancel, 2204 fee-detail upload, 2205 its revoke. */
describe('sandbox insurer outpatient visits', () => {
  let w: SandboxWorld;
  const p = SEED.activeFingers;
  const registration = (extra: object = {}) => ({
    psn_no: p.psn_no,
    card_sn: p.card.card_sn,
    ipt_otp_no: 'MZH0001',
    begntime: '2026-11-25 09:30:00',
    dept_code: 'A03.06',
    dept_name: '手外科门诊',
    dr_name: '李医生',
    ...extra,
  });
  const at = (line: object, time = '2026-11-25 09:40:00') => ({ ...line, fee_ocur_time: time });
  const register = async (extra: object = {}) =>
    (await w.ok<{ mdtrt_id: string }>(INFNO.outpatientRegistration, registration(extra))).mdtrt_id;

  beforeEach(() => {
    w = sandboxWorld();
  });
  afterEach(async () => {
    await w.insurer.stop();
  });

  it('2201 registers a visit under an insurer-assigned mdtrt_id and refuses what it must', async () => {
    const output = await w.ok(INFNO.outpatientRegistration, registration());
    expect(output).toEqual({
      mdtrt_id: expect.stringMatching(/^MZ20261125100000\d{6}$/),
      psn_no: p.psn_no,
      psn_name: '马建国',
      ipt_otp_no: 'MZH0001',
      begntime: '2026-11-25 09:30:00',
      reg_time: '2026-11-25 10:00:00',
    });
    const cases: Array<[object, string]> = [
      [registration(), `门诊号 ipt_otp_no 已挂号登记（就诊ID ${output.mdtrt_id as string}），不能重复登记`],
      [registration({ ipt_otp_no: 'X2', begntime: '2026-11-25 10:30:00' }), '挂号时间 begntime 晚于当前时间'],
      [registration({ ipt_otp_no: 'X3', begntime: '2026-11-25' }), '字段 begntime 格式错误，应为 yyyy-MM-dd HH:mm:ss'],
      [registration({ ipt_otp_no: 'X4', dept_code: '' }), '缺少必填字段 dept_code'],
      [registration({ ipt_otp_no: 'X5', psn_no: '6401049999999999' }), '人员编号 psn_no 不存在'],
      [registration({ ipt_otp_no: 'X6', dise_codg: 'S62.600' }), '诊断 dise_codg 与 dise_name 须同时填写'],
      [
        registration({ ipt_otp_no: 'X7', card_sn: SEED.dotName.card.card_sn }),
        '社会保障卡与人员不符（人卡不符），拒绝记账',
      ],
      [
        registration({ ipt_otp_no: 'X8', psn_no: SEED.pending.psn_no, card_sn: undefined }),
        '工伤认定尚未作出，暂不能工伤记账；可先自费，认定后办理自费转工伤',
      ],
      [
        registration({ ipt_otp_no: 'X9', psn_no: SEED.threeSigned.psn_no, card_sn: undefined }),
        '本机构不是该职工的签约门诊机构（每人最多签约3家），不能门诊记账',
      ],
      [registration({ ipt_otp_no: 'X10', begntime: '2025-04-02 09:00:00' }), '就诊日期早于受伤（确诊）日期'],
    ];
    for (const [input, message] of cases) {
      expect(await w.refused(INFNO.outpatientRegistration, input)).toBe(message);
    }
  });

  it('2204 uploads fee details with their split and trace-code warning; refuses bad or repeated lines', async () => {
    const mdtrtId = await register();
    const lines = [
      at(drugLine('1', ['81234560000000000101'])),
      at(drugLine('2', [], 1, 8.8)),
      at(serviceLine('3', 45, { med_list_codg: 'ZF0000000001', item_name: '进口敷料' })),
    ];
    const { reply } = await w.post(INFNO.outpatientFeeUpload, {
      psn_no: p.psn_no,
      mdtrt_id: mdtrtId,
      feedetail: lines,
    });
    expect(reply.warn_msg).toBe('以下药品明细未采集药品追溯码：2');
    expect(reply.output).toEqual({
      mdtrt_id: mdtrtId,
      psn_no: p.psn_no,
      result: [
        { feedetl_sn: '1', det_item_fee_sumamt: 25, cnt: 2, pric: 12.5, fulamt_ownpay_amt: 0, selfpay_reason: null },
        { feedetl_sn: '2', det_item_fee_sumamt: 8.8, cnt: 1, pric: 8.8, fulamt_ownpay_amt: 0, selfpay_reason: null },
        {
          feedetl_sn: '3',
          det_item_fee_sumamt: 45,
          cnt: 1,
          pric: 45,
          fulamt_ownpay_amt: 45,
          selfpay_reason: '工伤保险目录外项目',
        },
      ],
      upld_time: '2026-11-25 10:00:00',
    });
    const upload = (feedetail: object[], extra: object = {}) => ({
      psn_no: p.psn_no,
      mdtrt_id: mdtrtId,
      feedetail,
      ...extra,
    });
    const cases: Array<[object, string]> = [
      [upload([at(serviceLine('9', 10))], { mdtrt_id: 'MZ-NOT-REGISTERED' }), '就诊ID mdtrt_id 不存在（未挂号登记）'],
      [upload([at(serviceLine('9', 10))], { psn_no: SEED.dotName.psn_no }), '人员编号 psn_no 与就诊登记不符'],
      [upload([at(serviceLine('1', 10))]), '费用明细流水号 1 已上传，不能重复上传；如需更正，请先撤销'],
      [upload([serviceLine('9', 10)]), '缺少必填字段 feedetail[0].fee_ocur_time'],
      [
        upload([at(serviceLine('9', 10), '2026-11-25')]),
        '字段 feedetail[0].fee_ocur_time 格式错误，应为 yyyy-MM-dd HH:mm:ss',
      ],
      [upload([at(serviceLine('9', 10), '2026-11-24 23:00:00')]), 'feedetail[0].fee_ocur_time 早于就诊日期'],
      [upload([at(serviceLine('9', 10), '2026-11-25 10:00:01')]), 'feedetail[0].fee_ocur_time 晚于当前时间'],
      [
        upload([at({ ...serviceLine('9', 10), det_item_fee_sumamt: 11 })]),
        'feedetail[0] 金额不等于数量×单价（精确到分）',
      ],
      [upload([]), '费用明细 feedetail 不能为空'],
      [
        upload([at(drugLine('9', ['81234560000000000101'], 1))]),
        '追溯码 81234560000000000101 已在本就诊的费用明细中上传',
      ],
      [
        upload([at(drugLine('9', ['81234560000000000102'], 1)), at(drugLine('10', ['81234560000000000102'], 1))]),
        '追溯码 81234560000000000102 在本次上传中重复出现',
      ],
    ];
    for (const [input, message] of cases) {
      expect(await w.refused(INFNO.outpatientFeeUpload, input)).toBe(message);
    }
  });

  it('2205 revokes one line or all (0000), each once', async () => {
    const mdtrtId = await register();
    const feedetail = [at(serviceLine('1', 30)), at(serviceLine('2', 20)), at(serviceLine('3', 10))];
    await w.ok(INFNO.outpatientFeeUpload, { psn_no: p.psn_no, mdtrt_id: mdtrtId, feedetail });
    const revoke = (feedetl_sn: string, extra: object = {}) => ({
      psn_no: p.psn_no,
      mdtrt_id: mdtrtId,
      feedetl_sn,
      ...extra,
    });
    expect(await w.ok(INFNO.outpatientFeeRevoke, revoke('3'))).toEqual({
      mdtrt_id: mdtrtId,
      psn_no: p.psn_no,
      rvk_feedetl_sn: ['3'],
      rvk_time: '2026-11-25 10:00:00',
    });
    expect(await w.refused(INFNO.outpatientFeeRevoke, revoke('3'))).toBe('费用明细流水号 feedetl_sn 3 不存在或已撤销');
    expect(await w.refused(INFNO.outpatientFeeRevoke, revoke('1', { psn_no: SEED.dotName.psn_no }))).toBe(
      '人员编号 psn_no 与就诊登记不符',
    );
    expect(await w.refused(INFNO.outpatientFeeRevoke, revoke('1', { mdtrt_id: 'MZ-NONE' }))).toBe(
      '就诊ID mdtrt_id 不存在（未挂号登记）',
    );
    expect(await w.ok(INFNO.outpatientFeeRevoke, revoke('0000'))).toMatchObject({ rvk_feedetl_sn: ['1', '2'] });
    expect(await w.refused(INFNO.outpatientFeeRevoke, revoke('0000'))).toBe('该就诊没有可撤销的费用明细');
    // A revoked serial number may be uploaded again (the corrected line).
    await w.ok(INFNO.outpatientFeeUpload, {
      psn_no: p.psn_no,
      mdtrt_id: mdtrtId,
      feedetail: [at(serviceLine('3', 12))],
    });
  });

  it('2202 cancels a registration without fee details, once; the number may then be registered again', async () => {
    const mdtrtId = await register();
    await w.ok(INFNO.outpatientFeeUpload, {
      psn_no: p.psn_no,
      mdtrt_id: mdtrtId,
      feedetail: [at(serviceLine('1', 30))],
    });
    const cancel = (extra: object = {}) => ({ psn_no: p.psn_no, mdtrt_id: mdtrtId, ipt_otp_no: 'MZH0001', ...extra });
    expect(await w.refused(INFNO.outpatientRegistrationCancel, cancel())).toBe(
      '该就诊有未撤销的费用明细，请先撤销费用明细（2205）后再撤销挂号',
    );
    expect(await w.refused(INFNO.outpatientRegistrationCancel, cancel({ ipt_otp_no: 'MZH0002' }))).toBe(
      '门诊号 ipt_otp_no 与挂号登记不符',
    );
    expect(await w.refused(INFNO.outpatientRegistrationCancel, cancel({ psn_no: SEED.dotName.psn_no }))).toBe(
      '人员编号 psn_no 与就诊登记不符',
    );
    await w.ok(INFNO.outpatientFeeRevoke, { psn_no: p.psn_no, mdtrt_id: mdtrtId, feedetl_sn: '0000' });
    expect(await w.ok(INFNO.outpatientRegistrationCancel, cancel())).toEqual({
      mdtrt_id: mdtrtId,
      psn_no: p.psn_no,
      cncl_time: '2026-11-25 10:00:00',
    });
    expect(await w.refused(INFNO.outpatientRegistrationCancel, cancel())).toBe('该就诊已撤销挂号，不能重复撤销');
    expect(
      await w.refused(INFNO.outpatientFeeUpload, {
        psn_no: p.psn_no,
        mdtrt_id: mdtrtId,
        feedetail: [at(serviceLine('1', 30))],
      }),
    ).toBe('该就诊已于 2026-11-25 10:00:00 撤销挂号');
    expect(await register()).not.toBe(mdtrtId);
  });
});
