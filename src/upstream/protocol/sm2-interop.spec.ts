import fc from 'fast-check';
import { sm2 as oldSm2, sm3 as oldSm3 } from 'sm-crypto';
import { sm3 } from 'sm-crypto-v2';
import { sandboxHsmCardKey } from '../../../drivers/protocols/ssse-card-sim-auth';
import { canonicalJson } from './canonical-json';
import { RequestEnvelope, ReplyEnvelope, signEnvelope, Unsigned, verifyEnvelope } from './envelope';
import { generateSm2Keys, SignatureKeys, sm2Sign, sm2Verify, sm2VerifyKey } from './sm2-signer';

/**
 * The gateway signs and verifies with sm-crypto-v2; the insurer (and gateways deployed before the
 * switch) may still use the older sm-crypto. Signatures must cross in both directions, with the
 * default signer id "1234567812345678" (GM/T 0009) and r‖s hex, as the gateway uses them.
 */
const DEFAULT_SIGNER_ID = '1234567812345678';

function oldKeys(): SignatureKeys {
  const { privateKey, publicKey } = oldSm2.generateKeyPairHex();
  return { privateKey: privateKey.padStart(64, '0'), publicKey };
}

function oldSign(payload: string, keys: SignatureKeys, options: { der?: boolean } = {}): string {
  return oldSm2.doSignature(payload, keys.privateKey, { hash: true, publicKey: keys.publicKey, ...options });
}

function oldVerify(payload: string, signature: string, publicKey: string, options: { der?: boolean } = {}): boolean {
  return oldSm2.doVerifySignature(payload, signature, publicKey, { hash: true, ...options });
}

const PAYLOADS = [
  'payload',
  '',
  '{"a":1}',
  '宁夏回族自治区人民医院 挂号窗口1',
  'emoji 🏥 and combining é',
  'x'.repeat(5000),
];

describe('SM2 interop between sm-crypto (old) and the gateway signer (sm-crypto-v2)', () => {
  // Keys made by either library, used with both (the old library is slow: keep the counts small).
  const fromOld = oldKeys();
  const fromNew = generateSm2Keys();

  it.each(PAYLOADS.map((p) => [p.slice(0, 30), p]))(
    'a signature made by sm-crypto verifies with the gateway: %j',
    (_label, payload) => {
      for (const keys of payload === 'payload' ? [fromOld, fromNew] : [fromOld]) {
        const sig = oldSign(payload, keys);
        expect(sig).toMatch(/^[0-9a-f]{128}$/);
        expect(sm2Verify(payload, sig, keys.publicKey)).toBe(true);
        expect(sm2Verify(payload, sig, sm2VerifyKey(keys.publicKey))).toBe(true);
        expect(sm2Verify(`${payload}!`, sig, keys.publicKey)).toBe(false);
      }
    },
  );

  it.each(PAYLOADS.map((p) => [p.slice(0, 30), p]))(
    'a signature made by the gateway verifies with sm-crypto: %j',
    (_label, payload) => {
      for (const keys of payload === 'payload' ? [fromOld, fromNew] : [fromNew]) {
        const sig = sm2Sign(payload, keys);
        expect(sig).toMatch(/^[0-9a-f]{128}$/);
        expect(oldVerify(payload, sig, keys.publicKey)).toBe(true);
        expect(oldVerify(`${payload}!`, sig, keys.publicKey)).toBe(false);
      }
    },
  );

  it('both use the default signer id of GM/T 0009 (an explicit id gives the same verdicts)', () => {
    const payload = canonicalJson({ infno: '1101', input: { certno: '11010519491231002X' } });
    const byOld = oldSm2.doSignature(payload, fromOld.privateKey, {
      hash: true,
      publicKey: fromOld.publicKey,
      userId: DEFAULT_SIGNER_ID,
    });
    expect(sm2Verify(payload, byOld, fromOld.publicKey)).toBe(true);
    const byNew = sm2Sign(payload, fromOld);
    expect(oldSm2.doVerifySignature(payload, byNew, fromOld.publicKey, { hash: true, userId: DEFAULT_SIGNER_ID })).toBe(
      true,
    );
    // Another signer id is another digest: neither side accepts it as the default.
    const otherId = oldSm2.doSignature(payload, fromOld.privateKey, {
      hash: true,
      publicKey: fromOld.publicKey,
      userId: 'other-signer-id',
    });
    expect(sm2Verify(payload, otherId, fromOld.publicKey)).toBe(false);
  });

  it('DER-encoded signatures cross too (the gateway itself uses r‖s hex)', async () => {
    const { sm2 } = await import('sm-crypto-v2');
    const payload = '宁夏 DER';
    const byOld = oldSign(payload, fromOld, { der: true });
    expect(sm2.doVerifySignature(payload, byOld, fromOld.publicKey, { hash: true, der: true })).toBe(true);
    const byNew = sm2.doSignature(payload, fromOld.privateKey, { hash: true, publicKey: fromOld.publicKey, der: true });
    expect(oldVerify(payload, byNew, fromOld.publicKey, { der: true })).toBe(true);
    // The gateway's verifier takes r‖s only: a DER signature is refused, not misread.
    expect(sm2Verify(payload, byOld, fromOld.publicKey)).toBe(false);
  });

  it('crosses for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (payload) => {
        expect(sm2Verify(payload, oldSign(payload, fromOld), fromOld.publicKey)).toBe(true);
        expect(oldVerify(payload, sm2Sign(payload, fromOld), fromOld.publicKey)).toBe(true);
      }),
      { numRuns: 8 },
    );
  });

  it('SM3 digests and HMAC-SM3 are identical', () => {
    for (const text of PAYLOADS) {
      expect(sm3(text)).toBe(oldSm3(text));
      expect(sm3(text, { key: '00112233445566778899aabbccddeeff' })).toBe(
        oldSm3(text, { key: '00112233445566778899aabbccddeeff' }),
      );
    }
    // The sandbox HSM's card key (HMAC-SM3 over hex text) is unchanged.
    const secret = '0123456789abcdef0123456789abcdef';
    const expected = oldSm3(`6401ABCD${'0011223344556677'.toUpperCase()}${'a1b2c3d4e5f6'.toUpperCase()}`, {
      key: secret,
    })
      .slice(0, 32)
      .toUpperCase();
    expect(sandboxHsmCardKey(secret, '6401ABCD', '0011223344556677', 'a1b2c3d4e5f6')).toBe(expected);
  });

  describe('the gateway envelope', () => {
    const request: Unsigned<RequestEnvelope<{ certno: string }>> = {
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
    const reply: Unsigned<ReplyEnvelope<{ psn_no: string; psn_name: string }>> = {
      infcode: 0,
      inf_refmsgid: request.msgid,
      refmsg_time: '2026-11-25 00:30:05',
      respond_time: '2026-11-25 00:30:06',
      err_msg: null,
      warn_msg: null,
      output: { psn_no: '64000000000000000001', psn_name: '马小明' },
      cainfo: 'insurer-key-1',
      signtype: 'SM2',
    };

    it('signed by the gateway, verifies with sm-crypto', () => {
      const signed = signEnvelope<RequestEnvelope<{ certno: string }>>(request, fromNew);
      const { sign, ...rest } = signed;
      expect(oldVerify(canonicalJson(rest), sign, fromNew.publicKey)).toBe(true);
      expect(oldVerify(canonicalJson({ ...rest, opter: 'desk02' }), sign, fromNew.publicKey)).toBe(false);
    });

    it('signed by sm-crypto (an insurer reply), verifies with the gateway', () => {
      const insurer = oldKeys();
      const signed = { ...reply, sign: oldSign(canonicalJson(reply), insurer) };
      expect(verifyEnvelope(signed, insurer.publicKey)).toBe(true);
      expect(verifyEnvelope(signed, sm2VerifyKey(insurer.publicKey))).toBe(true);
      expect(verifyEnvelope({ ...signed, output: { ...reply.output, psn_name: '马小红' } }, insurer.publicKey)).toBe(
        false,
      );
      expect(verifyEnvelope(signed, fromNew.publicKey)).toBe(false);
    });
  });

  it('a prepared key is made once per public key', () => {
    expect(sm2VerifyKey(fromOld.publicKey)).toBe(sm2VerifyKey(fromOld.publicKey.toUpperCase()));
    expect(() => sm2VerifyKey(`04${'0'.repeat(128)}`)).toThrow();
    expect(sm2Verify('x', '0'.repeat(128), `04${'0'.repeat(128)}`)).toBe(false);
  });
});
