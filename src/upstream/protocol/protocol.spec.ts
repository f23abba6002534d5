import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { RequestEnvelope, signEnvelope, Unsigned, verifyEnvelope } from './envelope';
import { beijingDateTime, beijingTimestamp, formatMsgid, MSGID_LENGTH, parseMsgid } from './msgid';
import { generateSm2Keys, sm2Sign, sm2Verify } from './sm2-signer';

describe(canonicalJson.name, () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":null,"z":1}]},"b":1}',
    );
  });

  it('is the same for any key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
});

describe('msgid', () => {
  it('is 30 characters: institution, Beijing time, sequence', () => {
    const second = beijingTimestamp(new Date('2026-11-24T16:30:05Z'));
    expect(second).toBe('20261125003005');
    const msgid = formatMsgid('H64010600001', second, 7);
    expect(msgid).toBe('H64010600001202611250030050007');
    expect(msgid).toHaveLength(MSGID_LENGTH);
    expect(parseMsgid(msgid)).toEqual({ fixmedinsCode: 'H64010600001', second, sequence: 7 });
    expect(beijingDateTime(new Date('2026-11-24T16:30:05Z'))).toBe('2026-11-25 00:30:05');
  });

  it('refuses what would not be unique or well-formed', () => {
    expect(() => formatMsgid('H6401', '20261125003005', 1)).toThrow(/12 characters/);
    expect(() => formatMsgid('H64010600001', '20261125003005', 10000)).toThrow(/sequence/);
    expect(() => formatMsgid('H64010600001', '2026112500300', 1)).toThrow(/yyyyMMddHHmmss/);
    expect(parseMsgid('H6401060000120261125003005000')).toBeUndefined();
  });
});

describe('SM2 envelope signatures', () => {
  const gateway = generateSm2Keys();
  const other = generateSm2Keys();
  const unsigned: Unsigned<RequestEnvelope<{ certno: string }>> = {
    infno: '1101',
    msgid: 'H64010600001202611250030050001',
    mdtrtarea_admvs: '640106',
    insuplc_admdvs: '640100',
    recer_sys_code: 'NXGS',
    dev_no: '',
    dev_safe_info: '',
    cainfo: 'gw-key-1',
    signtype: 'SM2',
    infver: 'V1.0',
    opter_type: '1',
    opter: 'desk01',
    opter_name: '挂号窗口1',
    inf_time: '2026-11-25 00:30:05',
    fixmedins_code: 'H64010600001',
    fixmedins_name: '宁夏回族自治区人民医院',
    sign_no: '',
    input: { certno: '11010519491231002X' },
  };

  it('verifies what was signed, with the signer id of GM/T 0009', () => {
    const signed = signEnvelope<RequestEnvelope<{ certno: string }>>(unsigned, gateway);
    expect(signed.sign).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyEnvelope(signed, gateway.publicKey)).toBe(true);
    // Key order on the wire does not matter.
    expect(
      verifyEnvelope(
        JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse()))),
        gateway.publicKey,
      ),
    ).toBe(true);
  });

  it('rejects a tampered envelope, another key, and a garbage signature', () => {
    const signed = signEnvelope<RequestEnvelope<{ certno: string }>>(unsigned, gateway);
    expect(verifyEnvelope({ ...signed, input: { certno: '640104198001011234' } }, gateway.publicKey)).toBe(false);
    expect(verifyEnvelope(signed, other.publicKey)).toBe(false);
    expect(verifyEnvelope({ ...signed, sign: 'zz' }, gateway.publicKey)).toBe(false);
    expect(verifyEnvelope({ ...unsigned }, gateway.publicKey)).toBe(false);
  });

  it('interoperates at the primitive level', () => {
    const sig = sm2Sign('payload', gateway);
    expect(sm2Verify('payload', sig, gateway.publicKey)).toBe(true);
    expect(sm2Verify('payload!', sig, gateway.publicKey)).toBe(false);
  });
});
