import { createHmac, timingSafeEqual } from 'node:crypto';
import { sm3 } from 'sm-crypto-v2';
import { ProtocolError } from './protocol-error';
import type { CardAuthenticator } from './ssse-card-types';

/**
 * The key scheme of the card emulator and its matching simulated PSAM. It is NOT the real
 * scheme: real cards use SM4 (or SSF33/3DES) with the RKSSSE key diversified by 卡识别码, and
 * those keys exist only inside PSAM cards and the insurer's HSM. The simulation keeps the
 * shape (per-card key derived from a master key and 卡识别码; 8-byte answers; challenge-
 * response both ways) with HMAC-SHA-256, so tests and the sandbox can authenticate without
 * secrets and a wrong key is refused exactly like on a real card:
 *
 *   cardKey        = HMAC-SHA-256(masterKey, 卡识别码 bytes)[0..16)
 *   internal answer = HMAC-SHA-256(cardKey, "INT" ‖ terminal random)[0..8)
 *   cryptogram      = HMAC-SHA-256(cardKey, "EXT" ‖ card challenge)[0..8)
 */

/** A fixed, public, test-only master key. Never a real key. */
export const SIMULATOR_MASTER_KEY = Buffer.from('SIMULATOR-RKSSSE', 'latin1');

function mac(key: Buffer, label: string, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(label).update(data).digest().subarray(0, 8);
}

export function simulatedCardKey(masterKey: Buffer, cardSn: string): Buffer {
  return createHmac('sha256', masterKey).update(Buffer.from(cardSn, 'hex')).digest().subarray(0, 16);
}

export function simulatedInternalAnswer(cardKey: Buffer, terminalRandom: Uint8Array): Buffer {
  return mac(cardKey, 'INT', terminalRandom);
}

export function simulatedCryptogram(cardKey: Buffer, challenge: Uint8Array): Buffer {
  return mac(cardKey, 'EXT', challenge);
}

/**
 * A PSAM that holds `masterKey`: checks the card's internal-authentication answer (a card
 * made with another key is not genuine) and answers the challenge.
 */
export class SimulatedPsam implements CardAuthenticator {
  constructor(private readonly masterKey: Buffer = SIMULATOR_MASTER_KEY) {}

  async authenticate(cardSn: string, challenge: Buffer, cardData: Buffer): Promise<Buffer> {
    const cardKey = simulatedCardKey(this.masterKey, cardSn);
    const terminalRandom = cardData.subarray(0, 8);
    const answer = cardData.subarray(8);
    const expected = simulatedInternalAnswer(cardKey, terminalRandom);
    if (answer.length !== expected.length || !timingSafeEqual(answer, expected)) {
      throw new ProtocolError('PSAM_CARD_NOT_GENUINE', '内部认证失败（用户卡不合法）', { cardSn });
    }
    return simulatedCryptogram(cardKey, challenge);
  }
}

/**
 * The sandbox insurer's HSM step (its transaction 1165, the online `iReadCardBas_HSM_Step1` →
 * HSM → `iReadCardBas_HSM_Step2` path): the 16-byte key for EXTERNAL AUTHENTICATE, as 32
 * upper-case hex characters.
 *
 *   key = HMAC-SM3(secret, 卡识别码 ‖ RANDOM_NO ‖ CARD_DATA)[0..16)
 *
 * computed over the hex TEXT (卡识别码 as given, RANDOM_NO and CARD_DATA upper-cased), where
 * RANDOM_NO is the card's 8-byte challenge and CARD_DATA the reader's Step-1 output (terminal
 * random ‖ the card's INTERNAL AUTHENTICATE answer). SANDBOX ONLY: it has nothing to do with
 * the real RKSSSE key hierarchy, which only the insurer's HSM knows. The sandbox insurer and a
 * CardEmulator made with `hsmSecret` both use this, so a simulated 3rd-generation card accepts
 * exactly the key the sandbox returns.
 */
export function sandboxHsmCardKey(secretHex: string, cardSn: string, randomHex: string, cardDataHex: string): string {
  return sm3(`${cardSn}${randomHex.toUpperCase()}${cardDataHex.toUpperCase()}`, { key: secretHex })
    .slice(0, 32)
    .toUpperCase();
}
