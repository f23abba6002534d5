import { INFNO } from '../upstream/protocol/transactions';
import { SEED, SeedPerson } from './seed-people';
import { drugLine, SandboxWorld, sandboxWorld, serviceLine, sumOf } from '../../test/support/sandbox-settlement';

/** 2206 pre-settlement and 2207 in the uploaded form (2201 + 2204), next to the inline form. */
describe('sandbox insurer outpatient pre-settlement and settlement of uploaded details', () => {
  let w: SandboxWorld;
  const p = SEED.activeFingers;
  const code = '81234560000000000201';
  const lines = [
    { ...drugLine('1', [code], 1), fee_ocur_time: '2026-11-25 09:40:00' },
    { ...serviceLine('2', 30), fee_ocur_time: '2026-11-25 09:45:00' },
    { ...serviceLine('3', 20, { injury_related: false, item_name: '感冒诊治' }), fee_ocur_time: '2026-11-25 09:50:00' },
  ];
  let visits = 0;
  const registerAndUpload = async (extra: object = {}): Promise<string> => {
    const { mdtrt_id: mdtrtId } = await w.ok<{ mdtrt_id: string }>(INFNO.outpatientRegistration, {
      psn_no: p.psn_no,
      ipt_otp_no: `MZH${(visits += 1)}`,
      begntime: '2026-11-25 09:30:00',
      dept_code: 'A03.06',
      dept_name: '手外科门诊',
      ...extra,
    });
    await w.ok(INFNO.outpatientFeeUpload, { psn_no: p.psn_no, mdtrt_id: mdtrtId, feedetail: lines });
    return mdtrtId;
  };
  const settlement = (mdtrtId: string, extra: object = {}) => ({
    psn_no: p.psn_no,
    mdtrt_id: mdtrtId,
    medfee_sumamt: sumOf(lines),
    dise_codg: 'S62.600',
    dise_name: '手指骨折',
    ...extra,
  });
  const inPeriod = async () =>
    (
      await w.ok<{ total: { setl_cnt: number } }>(INFNO.reconciliation, {
        begndate: '2026-11-01',
        enddate: '2026-11-30',
      })
    ).total.setl_cnt;

  beforeEach(() => {
    w = sandboxWorld();
  });
  afterEach(async () => {
    await w.insurer.stop();
  });

  it('2206 computes what 2207 will settle and records nothing: no settlement, visit and trace codes still free', async () => {
    const mdtrtId = await registerAndUpload();
    const { reply: pre } = await w.post(INFNO.outpatientPreSettlement, settlement(mdtrtId));
    expect(pre.output).toEqual({
      mdtrt_id: mdtrtId,
      psn_no: p.psn_no,
      psn_name: '马建国',
      medfee_sumamt: 62.5,
      fund_pay_sumamt: 42.5,
      psn_pay_sumamt: 20,
      setldetail: [
        { feedetl_sn: '1', det_item_fee_sumamt: 12.5, fund_pay_amt: 12.5, psn_pay_amt: 0, selfpay_reason: null },
        { feedetl_sn: '2', det_item_fee_sumamt: 30, fund_pay_amt: 30, psn_pay_amt: 0, selfpay_reason: null },
        {
          feedetl_sn: '3',
          det_item_fee_sumamt: 20,
          fund_pay_amt: 0,
          psn_pay_amt: 20,
          selfpay_reason: '非工伤治疗费用',
        },
      ],
    });
    // Again, and again: a pre-settlement changes nothing.
    expect((await w.post(INFNO.outpatientPreSettlement, settlement(mdtrtId))).reply.output).toEqual(pre.output);
    expect(await inPeriod()).toBe(0);
    // Its fee details can still be revoked and re-uploaded; the trace code is still free.
    await w.ok(INFNO.outpatientFeeRevoke, { psn_no: p.psn_no, mdtrt_id: mdtrtId, feedetl_sn: '1' });
    await w.ok(INFNO.outpatientFeeUpload, { psn_no: p.psn_no, mdtrt_id: mdtrtId, feedetail: [lines[0]] });

    const settled = await w.ok<Record<string, unknown>>(INFNO.outpatientSettlement, settlement(mdtrtId));
    const { setl_id: setlId, setl_time: setlTime, ...rest } = settled;
    expect(setlId).toMatch(/^ST/);
    expect(setlTime).toBe('2026-11-25 10:00:00');
    expect(rest).toEqual({ ...(pre.output as object), setldetail: expect.any(Array) });
    expect(await inPeriod()).toBe(1);
    // After the settlement, 2206 refuses exactly as 2207 would.
    expect(await w.refused(INFNO.outpatientPreSettlement, settlement(mdtrtId))).toBe(
      '该就诊 mdtrt_id 已结算；如需重新结算，请先冲正（2601）原结算',
    );
  });

  it('2206 runs the checks of 2207 in the inline form too, and does not consume trace codes', async () => {
    const inline = (person: SeedPerson = p, extra: object = {}) => ({
      psn_no: person.psn_no,
      mdtrt_id: 'MZ-INLINE-1',
      begntime: '2026-11-25 09:30:00',
      dise_codg: 'S62.600',
      dise_name: '手指骨折',
      medfee_sumamt: 12.5,
      feedetail: [drugLine('1', [code], 1)],
      ...extra,
    });
    expect(await w.refused(INFNO.outpatientPreSettlement, inline(SEED.pending))).toBe(
      '工伤认定尚未作出，暂不能工伤记账；可先自费，认定后办理自费转工伤',
    );
    expect(await w.refused(INFNO.outpatientPreSettlement, inline(p, { medfee_sumamt: 12.51 }))).toBe(
      '费用总额 medfee_sumamt 与明细合计 12.50 不符',
    );
    const { reply } = await w.post(INFNO.outpatientPreSettlement, inline());
    expect(reply.output).toMatchObject({ medfee_sumamt: 12.5, fund_pay_sumamt: 12.5 });
    expect(reply.output).not.toHaveProperty('setl_id');
    await w.ok(INFNO.outpatientSettlement, inline());
    await w.ok(
      INFNO.outpatientPreSettlement,
      inline(p, { mdtrt_id: 'MZ-INLINE-2', feedetail: [serviceLine('1', 12.5)] }),
    );
    expect(await w.refused(INFNO.outpatientPreSettlement, inline(p, { mdtrt_id: 'MZ-INLINE-2' }))).toBe(
      `追溯码 ${code} 已被其他结算使用，同一盒药品不能重复销售`,
    );
  });

  it('2207 settles the uploaded details of a registered visit; the settled visit is locked', async () => {
    const mdtrtId = await registerAndUpload({ dise_codg: 'S62.600', dise_name: '手指骨折' });
    const cases: Array<[object, string]> = [
      [settlement(mdtrtId, { medfee_sumamt: 60 }), '费用总额 medfee_sumamt 与明细合计 62.50 不符'],
      [settlement(mdtrtId, { begntime: '2026-11-25 09:00:00' }), '就诊时间 begntime 与挂号登记不符'],
      [settlement(mdtrtId, { psn_no: SEED.dotName.psn_no }), '人员编号 psn_no 与就诊登记不符'],
      [
        settlement(mdtrtId, { begntime: '2026-11-25 09:30:00', feedetail: [serviceLine('1', 62.5)] }),
        '该就诊已上传费用明细（2204），结算时不应再传 feedetail；请按已上传明细结算，或先撤销已上传明细（2205）',
      ],
      [
        settlement('MZ-NEVER-REGISTERED'),
        '缺少必填字段 feedetail：未传费用明细时，就诊ID mdtrt_id 须已挂号登记（2201）并上传费用明细（2204）',
      ],
    ];
    for (const [input, message] of cases) {
      expect(await w.refused(INFNO.outpatientSettlement, input)).toBe(message);
    }
    // The diagnosis given at registration serves when the settlement has none.
    const output = await w.ok(
      INFNO.outpatientSettlement,
      settlement(mdtrtId, { dise_codg: undefined, dise_name: undefined }),
    );
    expect(output).toMatchObject({ medfee_sumamt: 62.5, fund_pay_sumamt: 42.5, psn_pay_sumamt: 20 });
    const locked: Array<[string, object, string]> = [
      [
        INFNO.outpatientFeeUpload,
        {
          psn_no: p.psn_no,
          mdtrt_id: mdtrtId,
          feedetail: [{ ...serviceLine('9', 5), fee_ocur_time: '2026-11-25 09:55:00' }],
        },
        '该就诊已结算，不能再上传费用明细；如需补传，请先撤销结算（2208）',
      ],
      [
        INFNO.outpatientFeeRevoke,
        { psn_no: p.psn_no, mdtrt_id: mdtrtId, feedetl_sn: '0000' },
        '该就诊已结算，费用明细不能撤销；请先撤销结算（2208）',
      ],
    ];
    for (const [infno, input, message] of locked) {
      expect(await w.refused(infno, input)).toBe(message);
    }
  });

  it('2207 without details refuses a visit with nothing uploaded or no diagnosis', async () => {
    const { mdtrt_id: mdtrtId } = await w.ok<{ mdtrt_id: string }>(INFNO.outpatientRegistration, {
      psn_no: p.psn_no,
      ipt_otp_no: 'MZH-EMPTY',
      begntime: '2026-11-25 09:30:00',
      dept_code: 'A03.06',
      dept_name: '手外科门诊',
    });
    expect(await w.refused(INFNO.outpatientSettlement, settlement(mdtrtId))).toBe(
      '该就诊没有已上传的费用明细（2204），不能结算',
    );
    await w.ok(INFNO.outpatientFeeUpload, { psn_no: p.psn_no, mdtrt_id: mdtrtId, feedetail: lines });
    expect(
      await w.refused(INFNO.outpatientSettlement, settlement(mdtrtId, { dise_codg: undefined, dise_name: undefined })),
    ).toBe('缺少必填字段 dise_codg（挂号登记时未填写诊断）');
    // The inline form still settles a registered visit that has no uploaded details.
    const { mdtrt_id: other } = await w.ok<{ mdtrt_id: string }>(INFNO.outpatientRegistration, {
      psn_no: p.psn_no,
      ipt_otp_no: 'MZH-INLINE',
      begntime: '2026-11-25 09:30:00',
      dept_code: 'A03.06',
      dept_name: '手外科门诊',
    });
    await w.ok(INFNO.outpatientSettlement, {
      ...settlement(other, { medfee_sumamt: 30 }),
      begntime: '2026-11-25 09:30:00',
      feedetail: [serviceLine('1', 30)],
    });
  });
});
