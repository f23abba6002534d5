import { INFNO } from '../upstream/protocol/transactions';
import { SEED } from './seed-people';
import { createTestGateway, send, signedRequest } from '../../test/support/test-gateway';
import { drugLine, SandboxWorld, sandboxWorld, serviceLine, sumOf } from '../../test/support/sandbox-settlement';
import type { AuditResultOutput } from './transactions/audit-result';

/** 3501 audit result query: the insurer's audit of a settlement, released after a delay, scripted, amended. */
describe('sandbox insurer audit results (3501)', () => {
  let w: SandboxWorld;
  const p = SEED.activeFingers;
  const feedetail = (box = '81234560000000000501') => [
    drugLine('1', [], 2, 12.5), // no trace code: the whole fund part deducted (A02)
    drugLine('2', [box], 1, 12.5),
    serviceLine('3', 50), // 换药（中） over its 40.00 ceiling: 10.00 deducted (A01)
    serviceLine('4', 30),
    serviceLine('5', 60, { injury_related: false }), // the worker's: the fund paid nothing, nothing to deduct
  ];
  const settle = async (mdtrtId = 'MZ-A-1', box?: string): Promise<string> =>
    (
      await w.ok<{ setl_id: string }>(INFNO.outpatientSettlement, {
        psn_no: p.psn_no,
        mdtrt_id: mdtrtId,
        begntime: '2026-11-25 09:30:00',
        dise_codg: 'S62.600',
        dise_name: '手指骨折',
        medfee_sumamt: sumOf(feedetail(box)),
        feedetail: feedetail(box),
      })
    ).setl_id;
  const query = (setlId: string, extra: object = {}) =>
    w.ok<AuditResultOutput>(INFNO.auditResultQuery, { setl_id: setlId, psn_no: p.psn_no, ...extra });
  const control = (method: 'GET' | 'PUT', setlId: string, payload?: object) =>
    w.insurer.inject({ method, url: `/sandbox/audits/${setlId}`, payload });

  beforeEach(() => {
    w = sandboxWorld({ auditDelaySeconds: 3600 });
  });
  afterEach(async () => {
    await w.insurer.stop();
  });

  it('is pending until the audit delay passed, then done with the rules’ deductions per line', async () => {
    const setlId = await settle();
    const pending = await query(setlId);
    expect(pending).toEqual({
      setl_id: setlId,
      psn_no: p.psn_no,
      mdtrt_id: 'MZ-A-1',
      setl_time: '2026-11-25 10:00:00',
      audit_deadline: '2026-12-25',
      audit_state: 'pending',
      audit_ver: 0,
      latest_audit_ver: 0,
      audit_time: null,
      medfee_sumamt: 177.5,
      fund_pay_sumamt: 117.5,
      dedu_sumamt: 0,
      fund_aprv_amt: null,
      deductions: [],
    });
    w.clock.advance(3600_000 - 1000);
    expect((await query(setlId)).audit_state).toBe('pending');
    w.clock.advance(5000);
    const done = await query(setlId);
    expect(done).toMatchObject({
      audit_state: 'done',
      audit_ver: 1,
      latest_audit_ver: 1,
      audit_time: '2026-11-25 11:00:00', // when the insurer audited it, not when it was asked
      dedu_sumamt: 35,
      fund_aprv_amt: 82.5,
    });
    expect(done.deductions).toEqual([
      {
        feedetl_sn: '1',
        med_list_codg: 'XM01AEI045A001010101445',
        item_name: '布洛芬缓释胶囊',
        det_item_fee_sumamt: 25,
        fund_pay_amt: 25,
        dedu_amt: 25,
        dedu_rea_code: 'A02',
        dedu_rea: '药品未上传追溯码',
      },
      {
        feedetl_sn: '3',
        med_list_codg: '001201000010000',
        item_name: '换药（中）',
        det_item_fee_sumamt: 50,
        fund_pay_amt: 50,
        dedu_amt: 10,
        dedu_rea_code: 'A01',
        dedu_rea: '超出医疗服务价格标准收费（限价 40.00 元）',
      },
    ]);
    // Asked again: the same result (released once, never recomputed).
    w.clock.advance(86_400_000);
    expect(await query(setlId)).toEqual(done);
  });

  it('a scripted result is released at once; a second one amends it as version 2, version 1 still readable', async () => {
    const setlId = await settle();
    const first = await control('PUT', setlId, {
      deductions: [{ feedetl_sn: '4', dedu_amt: 12.34, dedu_rea_code: 'A05', dedu_rea: '超量开药（7日量以上）' }],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      audit_ver: 1,
      audit_time: '2026-11-25 10:00:00',
      source: 'script',
      deductions: [{ feedetl_sn: '4', dedu_amt: 12.34, dedu_rea_code: 'A05', dedu_rea: '超量开药（7日量以上）' }],
    });
    expect(await query(setlId)).toMatchObject({
      audit_state: 'done',
      audit_ver: 1,
      dedu_sumamt: 12.34,
      fund_aprv_amt: 105.16,
      deductions: [expect.objectContaining({ feedetl_sn: '4', dedu_amt: 12.34, dedu_rea_code: 'A05' })],
    });
    w.clock.advance(2 * 86_400_000);
    // An amendment: nothing deducted after all, but line 2 was a 串换 (reason from its code).
    await control('PUT', setlId, { deductions: [{ feedetl_sn: '2', dedu_amt: 12.5, dedu_rea_code: 'A03' }] });
    const amended = await query(setlId);
    expect(amended).toMatchObject({ audit_ver: 2, latest_audit_ver: 2, audit_time: '2026-11-27 10:00:00' });
    expect(amended.deductions).toEqual([
      expect.objectContaining({ feedetl_sn: '2', dedu_amt: 12.5, dedu_rea: '目录匹配错误或串换项目' }),
    ]);
    expect(await query(setlId, { audit_ver: 1 })).toMatchObject({
      audit_ver: 1,
      latest_audit_ver: 2,
      dedu_sumamt: 12.34,
    });
    expect(await w.refused(INFNO.auditResultQuery, { setl_id: setlId, audit_ver: 3 })).toBe(
      '审核结果版本 audit_ver 3 不存在',
    );
    expect((await control('GET', setlId)).json()).toMatchObject({
      hold: false,
      versions: [{ audit_ver: 1 }, { audit_ver: 2 }],
    });
  });

  it('a held audit stays pending however long it takes; a scripted one after the delay is an amendment', async () => {
    const held = await settle('MZ-A-1');
    expect((await control('PUT', held, { hold: true })).statusCode).toBe(200);
    w.clock.advance(40 * 86_400_000);
    expect(await query(held)).toMatchObject({ audit_state: 'pending', audit_ver: 0 });

    const other = await settle('MZ-A-2', '81234560000000000502');
    w.clock.advance(3600_000);
    expect((await query(other)).audit_ver).toBe(1); // the rules' result, released an hour after
    expect((await control('PUT', other, { hold: true })).statusCode).toBe(409);
    await control('PUT', other, { deductions: [] });
    expect(await query(other)).toMatchObject({ audit_ver: 2, dedu_sumamt: 0, fund_aprv_amt: 117.5, deductions: [] });
  });

  it('refuses a script that does not fit the settlement, and changes nothing', async () => {
    const setlId = await settle();
    const bad: Array<[object, string]> = [
      [{}, 'deductions must be a list'],
      [{ deductions: [{ feedetl_sn: '9', dedu_amt: 1 }] }, 'is not a fee line of this settlement'],
      [{ deductions: [{ feedetl_sn: '5', dedu_amt: 1 }] }, 'exceed what the fund paid for it (0.00)'],
      [
        {
          deductions: [
            { feedetl_sn: '4', dedu_amt: 20 },
            { feedetl_sn: '4', dedu_amt: 10.01 },
          ],
        },
        'exceed what the fund paid for it (30.00)',
      ],
      [{ deductions: [{ feedetl_sn: '4', dedu_amt: 1.001 }] }, 'at most two decimals'],
      [{ deductions: [{ feedetl_sn: '4', dedu_amt: 1, dedu_rea_code: 'B1' }] }, 'dedu_rea_code must be one of'],
      [{ hold: true, deductions: [] }, 'not both'],
    ];
    for (const [payload, error] of bad) {
      const r = await control('PUT', setlId, payload);
      expect(r.statusCode).toBe(400);
      expect(r.json<{ error: string }>().error).toContain(error);
    }
    expect((await control('PUT', 'ST404', { deductions: [] })).statusCode).toBe(404);
    expect((await query(setlId)).audit_state).toBe('pending');
  });

  it("refuses unknown, another institution's, another person's and undone settlements", async () => {
    const setlId = await settle();
    expect(await w.refused(INFNO.auditResultQuery, {})).toBe('缺少必填字段 setl_id');
    expect(await w.refused(INFNO.auditResultQuery, { setl_id: 'ST20261125100000999999' })).toBe(
      '结算ID setl_id 不存在',
    );
    expect(await w.refused(INFNO.auditResultQuery, { setl_id: setlId, psn_no: SEED.dotName.psn_no })).toBe(
      '人员编号 psn_no 与结算记录不符',
    );
    const other = createTestGateway({
      cainfo: 'gw-other',
      fixmedinsCode: 'H64010400001',
      fixmedinsName: '银川市第一人民医院',
      clock: w.gateway.clock,
    });
    w.insurer.registerGatewayKey(other.cainfo, other.keys.publicKey);
    const theirs = await send(w.insurer, signedRequest(other, INFNO.auditResultQuery, { setl_id: setlId }));
    expect(theirs.err_msg).toBe('结算ID setl_id 不存在');

    w.clock.advance(60_000);
    await w.ok(INFNO.outpatientSettlementCancel, { psn_no: p.psn_no, setl_id: setlId, mdtrt_id: 'MZ-A-1' });
    expect(await w.refused(INFNO.auditResultQuery, { setl_id: setlId })).toBe(
      '该结算已于 2026-11-25 10:01:00 撤销，不予审核',
    );
  });
});
