import { INFNO } from '../upstream/protocol/transactions';
import { SEED, SEED_PEOPLE, SeedPerson } from './seed-people';
import { SandboxWorld, sandboxWorld, serviceLine, sumOf } from '../../test/support/sandbox-settlement';

/**
 * 自费转工伤 (R10, 办法 26): `cvs_flag` "1" on 2207 / 2304 (and their pre-settlements) settles
 * care paid before the injury determination, once the determination is made.
 */
describe('sandbox insurer 自费转工伤 (cvs_flag)', () => {
  let w: SandboxWorld;
  // 买买提·艾力: injured 2026-01-09, determined 2026-03-18, signed here.
  const p = SEED.dotName;
  const lines = [serviceLine('1', 320), serviceLine('2', 40, { injury_related: false, item_name: '感冒诊治' })];
  const outpatient = (begntime: string, extra: object = {}, person: SeedPerson = p) => ({
    psn_no: person.psn_no,
    mdtrt_id: `MZ-CVS-${begntime.slice(0, 10)}`,
    begntime,
    dise_codg: 'S82.201',
    dise_name: '胫骨干骨折',
    medfee_sumamt: sumOf(lines),
    feedetail: lines,
    cvs_flag: '1',
    ...extra,
  });
  const inpatient = (person: SeedPerson, admDate: string, extra: object = {}) => ({
    ...outpatient('', extra, person),
    mdtrt_id: `ZY-CVS-${admDate}`,
    begntime: undefined,
    adm_date: admDate,
    dscg_date: '2026-11-05',
  });

  afterEach(async () => {
    await w.insurer.stop();
  });

  describe('with the seed people', () => {
    beforeEach(() => {
      w = sandboxWorld();
    });

    it('settles care between the injury and the determination, and names the refund', async () => {
      const { reply } = await w.post(INFNO.outpatientSettlement, outpatient('2026-02-10 09:00:00'));
      expect(reply.err_msg).toBeNull();
      expect(reply.output).toMatchObject({
        medfee_sumamt: 360,
        fund_pay_sumamt: 320,
        psn_pay_sumamt: 40,
        cvs_flag: '1',
        refd_amt: 320,
      });
      // On the injury date itself, and on the determination date, still a conversion.
      await w.ok(INFNO.outpatientSettlement, outpatient('2026-01-09 18:00:00'));
      await w.ok(INFNO.outpatientPreSettlement, outpatient('2026-03-18 08:00:00'));
      const { total } = await w.ok<{ total: { setl_cnt: number; fund_pay_sumamt: number } }>(INFNO.reconciliation, {
        begndate: '2026-11-25',
        enddate: '2026-11-25',
      });
      expect(total).toMatchObject({ setl_cnt: 2, fund_pay_sumamt: 640 });
    });

    it('refuses care before the injury date, after the determination, a pending or bad flag', async () => {
      const cases: Array<[object, string]> = [
        [outpatient('2026-01-08 09:00:00'), '自费转工伤的就诊日期早于受伤（确诊）日期 2026-01-09，不能转工伤'],
        [
          outpatient('2026-03-19 09:00:00'),
          '就诊日期晚于工伤认定日期 2026-03-18，应直接工伤结算，不能办理自费转工伤（cvs_flag 应为 0）',
        ],
        [
          outpatient('2026-02-10 09:00:00', { cvs_flag: 'Y' }),
          '字段 cvs_flag 格式错误，应为0（正常结算）或 1（自费转工伤）',
        ],
        [
          inpatient(SEED.pending, '2026-10-30'),
          '工伤认定尚未作出，不能办理自费转工伤（cvs_flag）；请待工伤认定决定书下达后再办理',
        ],
        [
          inpatient(SEED.pending, '2026-10-30', { cvs_flag: '0' }),
          '工伤认定尚未作出，暂不能工伤记账；可先自费，认定后办理自费转工伤',
        ],
        [inpatient(SEED.uninsured, '2026-10-30'), '该人员未参加工伤保险，不能工伤记账'],
      ];
      for (const [input, message] of cases) {
        const infno = 'adm_date' in input ? INFNO.inpatientSettlement : INFNO.outpatientSettlement;
        expect(await w.refused(infno, input)).toBe(message);
      }
      // cvs_flag "0" (or absent) is a normal settlement: no conversion fields.
      const normal = await w.ok(INFNO.outpatientSettlement, outpatient('2026-11-25 09:00:00', { cvs_flag: '0' }));
      expect(normal).not.toHaveProperty('cvs_flag');
      expect(normal).not.toHaveProperty('refd_amt');
    });

    it('converts in the uploaded form too: a past visit registered now, its details uploaded', async () => {
      const { mdtrt_id: mdtrtId } = await w.ok<{ mdtrt_id: string }>(INFNO.outpatientRegistration, {
        psn_no: p.psn_no,
        ipt_otp_no: 'MZH-2026-0210',
        begntime: '2026-02-10 09:00:00',
        dept_code: 'A03.07',
        dept_name: '骨科门诊',
        dise_codg: 'S82.201',
        dise_name: '胫骨干骨折',
      });
      await w.ok(INFNO.outpatientFeeUpload, {
        psn_no: p.psn_no,
        mdtrt_id: mdtrtId,
        feedetail: lines.map((l) => ({ ...l, fee_ocur_time: '2026-02-10 09:20:00' })),
      });
      const settlement = { psn_no: p.psn_no, mdtrt_id: mdtrtId, medfee_sumamt: 360, cvs_flag: '1' };
      expect(await w.ok(INFNO.outpatientPreSettlement, settlement)).toMatchObject({ cvs_flag: '1', refd_amt: 320 });
      expect(await w.ok(INFNO.outpatientSettlement, settlement)).toMatchObject({ cvs_flag: '1', refd_amt: 320 });
    });
  });

  describe('the control route that registers a determination', () => {
    beforeEach(() => {
      w = sandboxWorld();
    });

    it('makes a pending determination appear: the self-paid admission converts from then on', async () => {
      const pending = SEED.pending;
      expect(await w.refused(INFNO.inpatientSettlement, inpatient(pending, '2026-10-30'))).toMatch(/工伤认定尚未作出/);
      const put = (certno: string, payload: object) =>
        w.insurer.inject({ method: 'PUT', url: `/sandbox/people/${certno}/injury`, payload });
      const made = await put(pending.certno, {
        status: 'determined',
        determination_no: '银人社工认字〔2026〕第0999号',
        determination_date: '2026-11-20',
      });
      expect(made.statusCode).toBe(200);
      expect(made.json()).toMatchObject({ status: 'determined', injury_date: '2026-10-30' });
      expect(await w.ok(INFNO.inpatientSettlement, inpatient(pending, '2026-10-30'))).toMatchObject({
        cvs_flag: '1',
        refd_amt: 320,
      });
      expect((await put(pending.certno, { status: 'maybe' })).statusCode).toBe(400);
      expect((await put(pending.certno, { determination_date: '20261120' })).statusCode).toBe(400);
      expect((await put('640000000000000000', { status: 'determined' })).statusCode).toBe(404);
    });
  });

  describe('once a pending determination is made', () => {
    // 王磊 injured 2026-10-30, self-paid his admission; the determination arrives on 2026-11-20.
    const determined: SeedPerson = {
      ...SEED.pending,
      injury: {
        ...SEED.pending.injury,
        status: 'determined',
        determination_no: '银人社工认字〔2026〕第0999号',
        determination_date: '2026-11-20',
        injured_parts: ['右手腕'],
      },
    };
    const insuredNone: SeedPerson = { ...SEED.uninsured, insured: true };

    beforeEach(() => {
      w = sandboxWorld({
        people: SEED_PEOPLE.map((s) =>
          s.psn_no === determined.psn_no ? determined : s.psn_no === insuredNone.psn_no ? insuredNone : s,
        ),
      });
    });

    it('converts the self-paid admission; a worker without any determination is refused', async () => {
      expect(await w.ok(INFNO.inpatientSettlement, inpatient(determined, '2026-10-30'))).toMatchObject({
        psn_name: '王磊',
        fund_pay_sumamt: 320,
        cvs_flag: '1',
        refd_amt: 320,
      });
      expect(await w.refused(INFNO.inpatientSettlement, inpatient(determined, '2026-10-29'))).toBe(
        '自费转工伤的就诊日期早于受伤（确诊）日期 2026-10-30，不能转工伤',
      );
      expect(await w.refused(INFNO.inpatientSettlement, inpatient(insuredNone, '2026-10-30'))).toBe(
        '该人员无工伤认定记录，不能办理自费转工伤（cvs_flag）',
      );
    });
  });
});
