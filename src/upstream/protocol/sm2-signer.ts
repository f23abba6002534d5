import { sm2 } from 'sm-crypto-v2';

/**
 * SM2 signatures over SM3 (GM/T 0003, 0004), as the national insurer interface recommends.
 * The digest includes Z_A computed with the default signer id "1234567812345678" (GM/T 0009);
 * signatures are r‖s in hex (128 characters, not DER).
 *
 * Node's OpenSSL can sign SM2 natively, but only with an empty signer id, which other SM2
 * implementations do not verify by default; hence sm-crypto-v2 (on @noble/curves), which makes
 * and accepts the same signatures as the older sm-crypto (see sm2-interop.spec.ts).
 */
export interface SignatureKeys {
  /** 64 hex characters. */
  privateKey: string;
  /** Uncompressed point, 130 hex characters starting with 04. */
  publicKey: string;
}

/** A public key prepared for verification: its point with precomputed multiples (costly to make, fast to use). */
export interface Sm2VerifyKey {
  readonly hex: string;
  readonly point: ReturnType<typeof sm2.precomputePublicKey>;
}

/** Keys passed as hex are prepared once and kept (a gateway talks to one insurer, a sandbox to a few gateways). */
const PREPARED_LIMIT = 32;
const prepared = new Map<string, Sm2VerifyKey>();

/** Prepares `publicKey` for {@link sm2Verify}; do it once where the key is loaded. Throws on a key that is not a curve point. */
export function sm2VerifyKey(publicKey: string): Sm2VerifyKey {
  const hex = publicKey.toLowerCase();
  let key = prepared.get(hex);
  if (key === undefined) {
    key = { hex, point: sm2.precomputePublicKey(hex) };
    if (prepared.size >= PREPARED_LIMIT) {
      prepared.delete(prepared.keys().next().value as string);
    }
    prepared.set(hex, key);
  }
  return key;
}

export function sm2Sign(payload: string, keys: SignatureKeys): string {
  return sm2.doSignature(payload, keys.privateKey, { hash: true, publicKey: keys.publicKey });
}

export function sm2Verify(payload: string, signature: string, publicKey: string | Sm2VerifyKey): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signature)) {
    return false;
  }
  try {
    const key = typeof publicKey === 'string' ? sm2VerifyKey(publicKey) : publicKey;
    return sm2.doVerifySignature(payload, signature, key.point, { hash: true });
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
