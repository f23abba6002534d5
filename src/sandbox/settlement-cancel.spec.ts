import { INFNO } from '../upstream/protocol/transactions';
import { SEED } from './seed-people';
import { HANDLERS } from './transactions';
import { createTestGateway, send, signedRequest } from '../../test/support/test-gateway';
import { drugLine, SandboxWorld, sandboxWorld, serviceLine, sumOf } from '../../test/support/sandbox-settlement';

/** 2208 / 2305 settlement cancel (by setl_id, a business undo) next to 2601 reversal (by omsgid, for doubt). */
describe('sandbox insurer settlement cancel', () => {
  let w: SandboxWorld;
  const p = SEED.activeFingers;
  const code = '81234560000000000401';
  const feedetail = [drugLine('1', [code], 1), serviceLine('2', 20, { injury_related: false })];
  const outpatient = (mdtrtId = 'MZ-C-1', person = p) => ({
    psn_no: person.psn_no,
    mdtrt_id: mdtrtId,
    begntime: '2026-11-25 09:30:00',
    dise_codg: 'S62.600',
    dise_name: '手指骨折',
    medfee_sumamt: sumOf(feedetail),
    feedetail,
  });
  const settle = async (input = outpatient()) => {
    const { msgid, reply } = await w.post(INFNO.outpatientSettlement, input);
    expect(reply.err_msg).toBeNull();
    return { msgid, setlId: (reply.output as { setl_id: string }).setl_id };
  };
  const settledCount = async () =>
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

  it('the sandbox handles every transaction of transactions.ts, and nothing else', () => {
    expect([...HANDLERS.keys()].sort()).toEqual(Object.values(INFNO).sort());
  });

  it('2208 cancels by setl_id once: amounts taken back, visit and trace codes free, out of reconciliation', async () => {
    const { msgid, setlId } = await settle();
    const cancel = (extra: object = {}) => ({ psn_no: p.psn_no, setl_id: setlId, mdtrt_id: 'MZ-C-1', ...extra });
    const cases: Array<[object, string]> = [
      [cancel({ setl_id: 'ST20261125100000999999' }), '结算ID setl_id 不存在'],
      [cancel({ psn_no: SEED.dotName.psn_no }), '人员编号 psn_no 与原结算不符'],
      [cancel({ mdtrt_id: 'MZ-C-2' }), '就诊ID mdtrt_id 与原结算不符'],
      [cancel({ setl_id: undefined }), '缺少必填字段 setl_id'],
    ];
    for (const [input, message] of cases) {
      expect(await w.refused(INFNO.outpatientSettlementCancel, input)).toBe(message);
    }
    expect(await w.refused(INFNO.inpatientSettlementCancel, cancel())).toBe(
      '结算ID setl_id 是门诊结算，请用门诊结算撤销（2208）',
    );
    expect(await w.ok(INFNO.outpatientSettlementCancel, cancel())).toEqual({
      setl_id: expect.stringMatching(/^CX20261125100000\d{6}$/),
      init_setl_id: setlId,
      mdtrt_id: 'MZ-C-1',
      psn_no: p.psn_no,
      medfee_sumamt: -32.5,
      fund_pay_sumamt: -12.5,
      psn_pay_sumamt: -20,
      cncl_time: '2026-11-25 10:00:00',
    });
    expect(await w.refused(INFNO.outpatientSettlementCancel, cancel())).toBe(
      '该结算已于 2026-11-25 10:00:00 撤销，不能重复撤销',
    );
    // A cancelled settlement is not reversed on top: 2601 says so rather than "原交易不存在".
    expect(await w.refused(INFNO.reversal, { psn_no: p.psn_no, omsgid: msgid, oinfno: '2207' })).toBe(
      '原结算已于 2026-11-25 10:00:00 撤销（2208），无需冲正',
    );
    expect(await settledCount()).toBe(0);
    // The visit and the box may settle again.
    await settle();
    expect(await settledCount()).toBe(1);
  });

  it('2601 and 2208 are distinct: 2601 by omsgid for doubt, 2208 by setl_id; neither undoes what the other undid', async () => {
    const first = await settle();
    expect(await w.refused(INFNO.reversal, { psn_no: p.psn_no, setl_id: first.setlId })).toBe('缺少必填字段 omsgid');
    expect(await w.refused(INFNO.outpatientSettlementCancel, { psn_no: p.psn_no, omsgid: first.msgid })).toBe(
      '缺少必填字段 setl_id',
    );
    const reversed = await w.ok(INFNO.reversal, { psn_no: p.psn_no, omsgid: first.msgid, oinfno: '2207' });
    expect(reversed).toEqual({
      omsgid: first.msgid,
      oinfno: '2207',
      setl_id: first.setlId,
      rvs_time: '2026-11-25 10:00:00',
    });
    expect(
      await w.refused(INFNO.outpatientSettlementCancel, {
        psn_no: p.psn_no,
        setl_id: first.setlId,
        mdtrt_id: 'MZ-C-1',
      }),
    ).toBe('该结算已于 2026-11-25 10:00:00 冲正（2601），无需撤销');
    // A cancel message is not a settlement: 2601 does not reverse it.
    const second = await settle();
    const { msgid: cancelMsgid } = await w.post(INFNO.outpatientSettlementCancel, {
      psn_no: p.psn_no,
      setl_id: second.setlId,
      mdtrt_id: 'MZ-C-1',
    });
    expect(await w.refused(INFNO.reversal, { psn_no: p.psn_no, omsgid: cancelMsgid, oinfno: '2208' })).toBe(
      '交易 2208 不支持冲正，只能冲正结算交易（2207、2304）',
    );
    expect(await settledCount()).toBe(0);
  });

  it("refuses another institution's settlement", async () => {
    const other = createTestGateway({
      cainfo: 'gw-other',
      fixmedinsCode: 'H64010400001',
      fixmedinsName: '银川市第一人民医院',
      clock: w.gateway.clock,
    });
    w.insurer.registerGatewayKey(other.cainfo, other.keys.publicKey);
    // 禤䶮 is signed with 银川市第一人民医院 too.
    const theirs = await send(
      w.insurer,
      signedRequest(other, INFNO.outpatientSettlement, outpatient('MZ-O-1', SEED.rareName)),
    );
    const setlId = (theirs.output as { setl_id: string }).setl_id;
    expect(
      await w.refused(INFNO.outpatientSettlementCancel, {
        psn_no: SEED.rareName.psn_no,
        setl_id: setlId,
        mdtrt_id: 'MZ-O-1',
      }),
    ).toBe('结算ID setl_id 不是本机构的结算，只能撤销本机构的结算');
  });

  it('2305 cancels an inpatient settlement; its uploaded details and discharge may then be undone', async () => {
    const person = SEED.oldInjury;
    const ids = { psn_no: person.psn_no };
    const { mdtrt_id: mdtrtId } = await w.ok<{ mdtrt_id: string }>(INFNO.admission, {
      ...ids,
      ipt_no: 'ZYH-C-1',
      begntime: '2026-11-20 08:00:00',
      adm_dept_codg: 'A03.07',
      adm_dept_name: '骨科病区',
    });
    const lines = [{ ...serviceLine('1', 980.25), fee_ocur_time: '2026-11-21 09:00:00' }];
    await w.ok(INFNO.inpatientFeeUpload, { ...ids, mdtrt_id: mdtrtId, feedetail: lines });
    await w.ok(INFNO.discharge, {
      ...ids,
      mdtrt_id: mdtrtId,
      endtime: '2026-11-25 09:00:00',
      dise_codg: 'S32.000',
      dise_name: '腰椎骨折',
    });
    const { setl_id: setlId } = await w.ok<{ setl_id: string }>(INFNO.inpatientSettlement, {
      ...ids,
      mdtrt_id: mdtrtId,
      medfee_sumamt: 980.25,
    });
    const cancel = { ...ids, setl_id: setlId, mdtrt_id: mdtrtId };
    expect(await w.refused(INFNO.outpatientSettlementCancel, cancel)).toBe(
      '结算ID setl_id 是住院结算，请用住院结算撤销（2305）',
    );
    expect(await w.ok(INFNO.inpatientSettlementCancel, cancel)).toMatchObject({
      init_setl_id: setlId,
      medfee_sumamt: -980.25,
      fund_pay_sumamt: -980.25,
      psn_pay_sumamt: 0,
    });
    expect(await w.refused(INFNO.inpatientSettlementCancel, cancel)).toBe(
      '该结算已于 2026-11-25 10:00:00 撤销，不能重复撤销',
    );
    expect(await settledCount()).toBe(0);
    await w.ok(INFNO.dischargeCancel, { ...ids, mdtrt_id: mdtrtId });
    await w.ok(INFNO.inpatientFeeRevoke, { ...ids, mdtrt_id: mdtrtId, feedetl_sn: '0000' });
    await w.ok(INFNO.admissionCancel, { ...ids, mdtrt_id: mdtrtId });
  });
});
