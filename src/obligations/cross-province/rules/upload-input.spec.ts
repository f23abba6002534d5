import { beijingDateTimeToInstant, crossProvinceUploadInput, type UploadSource } from './upload-input';

const inpatient: UploadSource = {
  careType: 'medical',
  invoiceNo: null,
  psnNo: '6201020000551208',
  setlId: 'JS2026112500001',
  crossProvince: { insuplcAdmdvs: '620100', filingNo: 'BA62010020260512003' },
  sent: {
    dise_codg: 'S62.600',
    dise_name: '左手食指骨折',
    adm_date: '2026-11-18',
    dscg_date: '2026-11-24',
    feedetail: [{}, {}, {}],
  },
  split: { totalFen: 123640, fundFen: 120000, selfPayFen: 3640 },
};

describe('the 3301 cross-province upload of a settlement (R11)', () => {
  it('carries the filing, the diagnosis, the stay and the insurer’s figures in yuan', () => {
    expect(crossProvinceUploadInput(inpatient)).toEqual({
      ready: true,
      input: {
        psn_no: '6201020000551208',
        setl_id: 'JS2026112500001',
        insuplc_admdvs: '620100',
        filing_no: 'BA62010020260512003',
        dise_codg: 'S62.600',
        dise_name: '左手食指骨折',
        begndate: '2026-11-18',
        enddate: '2026-11-24',
        medfee_sumamt: 1236.4,
        fund_pay_sumamt: 1200,
        psn_pay_sumamt: 36.4,
        feedetail_cnt: 3,
        setl_type: 'medical',
      },
    });
  });

  it('an assistive-device settlement adds the fee list and waits for HIS’s invoice number', () => {
    const line = {
      feedetl_sn: '1',
      item_name: '假肢',
      cnt: 1,
      pric: 2800,
      det_item_fee_sumamt: 2800,
      list_type: 'material',
    };
    const device: UploadSource = {
      ...inpatient,
      careType: 'device',
      sent: { dise_codg: 'S88.100', dise_name: '小腿截肢', begntime: '2026-11-25 00:00:00', feedetail: [line] },
    };
    const waiting = crossProvinceUploadInput(device);
    expect(waiting).toMatchObject({ ready: false, waitingFor: ['invoice'] });
    const feeList = [{ feedetl_sn: '1', item_name: '假肢', cnt: 1, pric: 2800, det_item_fee_sumamt: 2800 }];
    expect(!waiting.ready && waiting.partial).toMatchObject({ setl_type: 'device', fee_list: feeList });
    expect(crossProvinceUploadInput({ ...device, invoiceNo: ' FP0001 ' })).toMatchObject({
      ready: true,
      input: { setl_type: 'device', invoice_no: 'FP0001', fee_list: feeList },
    });
  });

  it('an outpatient visit is one day: begndate and enddate are the visit day', () => {
    const r = crossProvinceUploadInput({
      ...inpatient,
      sent: { dise_codg: 'S62.600', dise_name: '骨折', begntime: '2026-11-25 00:00:00', feedetail: [{}] },
    });
    expect(r.ready && r.input).toMatchObject({ begndate: '2026-11-25', enddate: '2026-11-25', feedetail_cnt: 1 });
  });

  it('says what it waits for when the diagnosis, the dates or the filing number are missing', () => {
    expect(
      crossProvinceUploadInput({
        ...inpatient,
        crossProvince: { insuplcAdmdvs: '620100', filingNo: null },
        sent: { dise_codg: '', adm_date: '2026-11-18' },
      }),
    ).toEqual({ ready: false, waitingFor: ['diagnosis', 'dates', 'filing'] });
    expect(crossProvinceUploadInput({ ...inpatient, careType: 'device', sent: { adm_date: '2026-11-18' } })).toEqual({
      ready: false,
      waitingFor: ['diagnosis', 'dates', 'invoice'],
    });
  });

  it('refuses to build one for a worker insured in Ningxia', () => {
    expect(() => crossProvinceUploadInput({ ...inpatient, crossProvince: null })).toThrow(/not a cross-province/);
  });

  it('reads the insurer’s setl_time as Beijing time', () => {
    expect(beijingDateTimeToInstant('2026-11-25 08:30:00')).toEqual(new Date('2026-11-25T00:30:00Z'));
    expect(beijingDateTimeToInstant('2026-11-25')).toBeUndefined();
    expect(beijingDateTimeToInstant(null)).toBeUndefined();
  });
});
