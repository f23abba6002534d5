import { sm2 } from 'sm-crypto';

/**
 * SM2 signatures over SM3 (GM/T 0003, 0004), as the national insurer interface recommends.
 * The digest includes Z_A computed with the default signer id "1234567812345678" (GM/T 0009);
 * signatures are r‖s in hex (128 characters).
 *
 * Node's OpenSSL can sign SM2 natively and ~50× faster, but only with an empty signer id,
 * which other SM2 implementations do not verify by default; hence sm-crypto.
 */
export interface SignatureKeys {
  /** 64 hex characters. */
  privateKey: string;
  /** Uncompressed point, 130 hex characters starting with 04. */
  publicKey: string;
}

export function sm2Sign(payload: string, keys: SignatureKeys): string {
  return sm2.doSignature(payload, keys.privateKey, { hash: true, publicKey: keys.publicKey });
}

export function sm2Verify(payload: string, signature: string, publicKey: string): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signature)) {
    return false;
  }
  try {
    return sm2.doVerifySignature(payload, signature, publicKey, { hash: true });
  } catch {
    return false;
  }
}

export function generateSm2Keys(): SignatureKeys {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey: privateKey.padStart(64, '0'), publicKey };
}

export function isSm2PublicKey(hex: string): boolean {
  return /^04[0-9a-f]{128}$/i.test(hex);
}

export function isSm2PrivateKey(hex: string): boolean {
  return /^[0-9a-f]{64}$/i.test(hex);
}
