import { INFNO } from '../upstream/protocol/transactions';
import { SEED } from './seed-people';
import { drugLine, SandboxWorld, sandboxWorld, serviceLine, sumOf } from '../../test/support/sandbox-settlement';

/** 2401 / 2402 / 2404 / 2405 admission and discharge, 2301 / 2302 fee details, 2303 / 2304 on them. */
describe('sandbox insurer inpatient stays', () => {
  let w: SandboxWorld;
  // Signed with three other institutions: admission is not restricted to signed institutions.
  const p = SEED.threeSigned;
  const admissionInput = (extra: object = {}) => ({
    psn_no: p.psn_no,
    ipt_no: 'ZYH0001',
    begntime: '2026-11-18 08:00:00',
    adm_dept_codg: 'A03.07',
    adm_dept_name: '骨科病区',
    adm_bed: '12床',
    dise_codg: 'S82.100',
    dise_name: '胫骨上端骨折',
    ...extra,
  });
  const fee = (line: object, time = '2026-11-20 09:00:00') => ({ ...line, fee_ocur_time: time });
  const lines = [fee(serviceLine('1', 1200)), fee(drugLine('2', ['81234560000000000301'], 1, 36.4))];
  const dischargeInput = (mdtrtId: string, extra: object = {}) => ({
    psn_no: p.psn_no,
    mdtrt_id: mdtrtId,
    endtime: '2026-11-24 10:00:00',
    dise_codg: 'S82.101',
    dise_name: '胫骨平台骨折',
    dscg_way: '1',
    ...extra,
  });
  const admit = async (extra: object = {}) =>
    (await w.ok<{ mdtrt_id: string }>(INFNO.admission, admissionInput(extra))).mdtrt_id;
  const ids = (mdtrtId: string) => ({ psn_no: p.psn_no, mdtrt_id: mdtrtId });

  beforeEach(() => {
    w = sandboxWorld();
  });
  afterEach(async () => {
    await w.insurer.stop();
  });

  it('2401 admits under an insurer-assigned mdtrt_id, one open stay per person; refuses what it must', async () => {
    const output = await w.ok<{ mdtrt_id: string }>(INFNO.admission, admissionInput());
    expect(output).toEqual({
      mdtrt_id: expect.stringMatching(/^ZY20261125100000\d{6}$/),
      psn_no: p.psn_no,
      psn_name: '杨志强',
      ipt_no: 'ZYH0001',
      begntime: '2026-11-18 08:00:00',
      adm_dept_codg: 'A03.07',
      adm_bed: '12床',
    });
    const cases: Array<[object, string]> = [
      [admissionInput(), `住院号 ipt_no 已办理入院（就诊ID ${output.mdtrt_id}），不能重复入院`],
      [
        admissionInput({ ipt_no: 'ZYH0002' }),
        `该人员已在本机构住院（就诊ID ${output.mdtrt_id}），出院前不能再次办理入院`,
      ],
      [admissionInput({ psn_no: SEED.crossNoFiling.psn_no }), '跨省异地就医未备案，不能直接结算'],
      [admissionInput({ psn_no: SEED.uninsured.psn_no }), '该人员未参加工伤保险，不能工伤记账'],
      [
        admissionInput({ psn_no: SEED.dotName.psn_no, begntime: '2026-11-26 08:00:00' }),
        '入院时间 begntime 晚于当前时间',
      ],
      [admissionInput({ psn_no: SEED.dotName.psn_no, adm_dept_codg: undefined }), '缺少必填字段 adm_dept_codg'],
    ];
    for (const [input, message] of cases) {
      expect(await w.refused(INFNO.admission, input)).toBe(message);
    }
    // Cross-province with a filing is admitted (identity and filing checked at admission, R11).
    await w.ok(INFNO.admission, admissionInput({ psn_no: SEED.crossWithFiling.psn_no, ipt_no: 'ZYH0003' }));
  });

  it('2301 / 2302 keep fee details within the stay; 2402 discharges, 2405 reopens', async () => {
    const mdtrtId = await admit();
    expect(await w.refused(INFNO.outpatientFeeUpload, { ...ids(mdtrtId), feedetail: lines })).toBe(
      '就诊ID mdtrt_id 是住院就诊，不能办理门诊业务',
    );
    const uploaded = await w.ok(INFNO.inpatientFeeUpload, { ...ids(mdtrtId), feedetail: lines });
    expect(uploaded).toMatchObject({ mdtrt_id: mdtrtId, result: [{ feedetl_sn: '1' }, { feedetl_sn: '2' }] });
    expect(
      await w.refused(INFNO.inpatientFeeUpload, {
        ...ids(mdtrtId),
        feedetail: [fee(serviceLine('3', 5), '2026-11-17 23:00:00')],
      }),
    ).toBe('feedetail[0].fee_ocur_time 早于入院日期');
    // A fee dated after the discharge about to be made blocks it until revoked (R20).
    await w.ok(INFNO.inpatientFeeUpload, {
      ...ids(mdtrtId),
      feedetail: [fee(serviceLine('3', 80), '2026-11-24 15:00:00')],
    });
    expect(await w.refused(INFNO.discharge, dischargeInput(mdtrtId))).toBe(
      '费用明细 3 的发生时间晚于出院时间 endtime，请先撤销（2302）',
    );
    expect(await w.ok(INFNO.inpatientFeeRevoke, { ...ids(mdtrtId), feedetl_sn: '3' })).toMatchObject({
      rvk_feedetl_sn: ['3'],
    });
    const cases: Array<[object, string]> = [
      [dischargeInput(mdtrtId, { endtime: '2026-11-17 10:00:00' }), '出院时间 endtime 早于入院时间 begntime'],
      [dischargeInput(mdtrtId, { endtime: '2026-11-25 10:00:01' }), '出院时间 endtime 晚于当前时间'],
      [dischargeInput(mdtrtId, { dise_codg: 'fracture' }), '字段 dise_codg 格式错误，应为ICD-10编码'],
      [dischargeInput('ZY-NONE'), '就诊ID mdtrt_id 不存在（未办理入院）'],
    ];
    for (const [input, message] of cases) {
      expect(await w.refused(INFNO.discharge, input)).toBe(message);
    }
    expect(await w.ok(INFNO.discharge, dischargeInput(mdtrtId))).toEqual({
      mdtrt_id: mdtrtId,
      psn_no: p.psn_no,
      begntime: '2026-11-18 08:00:00',
      endtime: '2026-11-24 10:00:00',
      ipt_days: 6,
    });
    expect(await w.refused(INFNO.discharge, dischargeInput(mdtrtId))).toBe(
      '该住院已于 2026-11-24 10:00:00 办理出院，不能重复办理',
    );
    expect(
      await w.refused(INFNO.inpatientFeeUpload, {
        ...ids(mdtrtId),
        feedetail: [fee(serviceLine('4', 5), '2026-11-24 11:00:00')],
      }),
    ).toBe('feedetail[0].fee_ocur_time 晚于出院时间，出院后发生的费用不予工伤记账');

    // Admitted again meanwhile: this discharge can no longer be undone.
    const again = await admit({ ipt_no: 'ZYH0009', begntime: '2026-11-25 08:00:00' });
    expect(await w.refused(INFNO.dischargeCancel, ids(mdtrtId))).toBe(
      `该人员已再次办理入院（就诊ID ${again}），不能撤销本次出院`,
    );
    await w.ok(INFNO.admissionCancel, ids(again));
    expect(await w.ok(INFNO.dischargeCancel, ids(mdtrtId))).toEqual({
      ...ids(mdtrtId),
      cncl_time: '2026-11-25 10:00:00',
    });
    expect(await w.refused(INFNO.dischargeCancel, ids(mdtrtId))).toBe('该住院尚未办理出院，无需撤销出院');
    await w.ok(INFNO.inpatientFeeUpload, {
      ...ids(mdtrtId),
      feedetail: [fee(serviceLine('4', 5), '2026-11-24 11:00:00')],
    });
  });

  it('2404 cancels an admission only when nothing hangs on it, once', async () => {
    const mdtrtId = await admit();
    await w.ok(INFNO.inpatientFeeUpload, { ...ids(mdtrtId), feedetail: lines });
    await w.ok(INFNO.discharge, dischargeInput(mdtrtId));
    expect(await w.refused(INFNO.admissionCancel, ids(mdtrtId))).toBe(
      '该住院已办理出院，请先撤销出院（2405）后再撤销入院',
    );
    await w.ok(INFNO.dischargeCancel, ids(mdtrtId));
    expect(await w.refused(INFNO.admissionCancel, ids(mdtrtId))).toBe(
      '该住院有未撤销的费用明细，请先撤销费用明细（2302）后再撤销入院',
    );
    expect(await w.refused(INFNO.admissionCancel, { ...ids(mdtrtId), psn_no: SEED.dotName.psn_no })).toBe(
      '人员编号 psn_no 与就诊登记不符',
    );
    await w.ok(INFNO.inpatientFeeRevoke, { ...ids(mdtrtId), feedetl_sn: '0000' });
    expect(await w.ok(INFNO.admissionCancel, ids(mdtrtId))).toEqual({
      ...ids(mdtrtId),
      cncl_time: '2026-11-25 10:00:00',
    });
    expect(await w.refused(INFNO.admissionCancel, ids(mdtrtId))).toBe('该住院已撤销入院，不能重复撤销');
    expect(await w.refused(INFNO.discharge, dischargeInput(mdtrtId))).toBe('该住院已于 2026-11-25 10:00:00 撤销入院');
    // The stay is gone: the same 住院号 and the same person may be admitted again.
    await admit();
  });

  it('2303 pre-settles and 2304 settles a discharged stay from its uploaded details', async () => {
    const mdtrtId = await admit();
    await w.ok(INFNO.inpatientFeeUpload, { ...ids(mdtrtId), feedetail: lines });
    const settlement = (extra: object = {}) => ({ ...ids(mdtrtId), medfee_sumamt: sumOf(lines), ...extra });
    expect(await w.refused(INFNO.inpatientPreSettlement, settlement())).toBe('该住院未办理出院（2402），不能住院结算');
    await w.ok(INFNO.discharge, dischargeInput(mdtrtId));
    const cases: Array<[object, string]> = [
      [settlement({ adm_date: '2026-11-19' }), '入院日期 adm_date 与入院办理不符'],
      [settlement({ dscg_date: '2026-11-25' }), '出院日期 dscg_date 与出院办理不符'],
      [settlement({ medfee_sumamt: 1236 }), '费用总额 medfee_sumamt 与明细合计 1236.40 不符'],
    ];
    for (const [input, message] of cases) {
      expect(await w.refused(INFNO.inpatientSettlement, input)).toBe(message);
    }
    const pre = await w.ok(
      INFNO.inpatientPreSettlement,
      settlement({ adm_date: '2026-11-18', dscg_date: '2026-11-24' }),
    );
    expect(pre).toMatchObject({ medfee_sumamt: 1236.4, fund_pay_sumamt: 1236.4, psn_pay_sumamt: 0 });
    const before = await w.ok<{ inpatient: { setl_cnt: number } }>(INFNO.reconciliation, {
      begndate: '2026-11-01',
      enddate: '2026-11-30',
    });
    expect(before.inpatient.setl_cnt).toBe(0);

    const settled = await w.ok<{ setl_id: string }>(INFNO.inpatientSettlement, settlement());
    expect(settled).toMatchObject({ ...pre, setl_id: expect.stringMatching(/^ST/) });
    // Settled: it now counts in reconciliation.
    const after = await w.ok<{ inpatient: { setl_cnt: number; medfee_sumamt: number } }>(INFNO.reconciliation, {
      begndate: '2026-11-01',
      enddate: '2026-11-30',
    });
    expect(after.inpatient).toMatchObject({ setl_cnt: 1, medfee_sumamt: 1236.4 });
    const locked: Array<[string, object, string]> = [
      [
        INFNO.inpatientFeeUpload,
        { ...ids(mdtrtId), feedetail: [fee(serviceLine('9', 5))] },
        '该就诊已结算，不能再上传费用明细；如需补传，请先撤销结算（2305）',
      ],
      [
        INFNO.inpatientFeeRevoke,
        { ...ids(mdtrtId), feedetl_sn: '1' },
        '该就诊已结算，费用明细不能撤销；请先撤销结算（2305）',
      ],
      [INFNO.dischargeCancel, ids(mdtrtId), '该住院已结算，请先撤销结算（2305）后再撤销出院'],
    ];
    for (const [infno, input, message] of locked) {
      expect(await w.refused(infno, input)).toBe(message);
    }
  });
});
