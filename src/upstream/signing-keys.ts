import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSm2Keys, isSm2PrivateKey, isSm2PublicKey, SignatureKeys } from './protocol/sm2-signer';

/** The gateway's SM2 key pair and the id the insurer knows it by (sent as `cainfo`). */
export interface GatewaySigningKey extends SignatureKeys {
  id: string;
}

export function readSigningKey(file: string): GatewaySigningKey {
  if (!existsSync(file)) {
    throw new Error(
      `upstream.signing.keyFile ${file} does not exist — create it with: npm run gateway -- upstream keygen ${file}`,
    );
  }
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<GatewaySigningKey>;
  if (
    typeof parsed.id !== 'string' ||
    !parsed.id ||
    !isSm2PrivateKey(parsed.privateKey ?? '') ||
    !isSm2PublicKey(parsed.publicKey ?? '')
  ) {
    throw new Error(
      `upstream.signing.keyFile ${file} must hold { "id", "privateKey" (64 hex), "publicKey" (130 hex, 04…) }`,
    );
  }
  return parsed as GatewaySigningKey;
}

export function writeSigningKey(file: string, id: string): GatewaySigningKey {
  const key = { id, ...generateSm2Keys() };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
