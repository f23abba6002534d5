import { sandboxHsmCardKey } from '../../../drivers/protocols/ssse-card-sim-auth';
import { requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 1165 (ours) 3rd-generation card authentication through the insurer's HSM: the reader's
 * `iReadCardBas_HSM_Step1` output goes up, the key for `iReadCardBas_HSM_Step2` comes back.
 *
 * SANDBOX ONLY: the key is HMAC-SM3(hsmSecret, card_sn ‖ random_no ‖ card_data) cut to 16 bytes.
 * Deterministic, so a simulated card can check it; it has nothing to do with the real RKSSSE
 * key hierarchy, which only the insurer's HSM knows.
 */
/** "SANDBOX-HSM-KEY1" in hex: public on purpose, nothing real is protected by it. */
export const SANDBOX_HSM_SECRET = '53414e44424f582d48534d2d4b455931';

export interface CardHsmAuthOutput {
  card_sn: string;
  auth_key: string;
}

/** The derivation lives with the card emulator (drivers/protocols/ssse-card-sim-auth.ts), which checks the same key. */
export { sandboxHsmCardKey as deriveSandboxCardKey };

export function cardHsmAuth(ctx: TxContext): TxResult<CardHsmAuthOutput> {
  const cardSn = requireString(ctx.input, 'card_sn', '', { pattern: /^[0-9A-F]{32}$/, format: '32位卡识别码' });
  const randomNo = requireString(ctx.input, 'random_no', '', {
    pattern: /^[0-9A-Fa-f]{16}$/,
    format: '16位十六进制随机数',
  });
  const cardData = requireString(ctx.input, 'card_data', '', {
    pattern: /^(?:[0-9A-Fa-f]{2}){8,256}$/,
    format: '16–512位十六进制（偶数位）',
  });
  const person = ctx.people.byCard(cardSn);
  if (person === undefined) {
    throw new Rejection('卡识别码未登记，加密机拒绝认证');
  }
  if (person.card.card_version !== '3.00') {
    throw new Rejection('非第三代社会保障卡，无需加密机认证');
  }
  if (person.card.status === 'lost') {
    throw new Rejection('该卡已挂失，加密机拒绝认证');
  }
  return { output: { card_sn: cardSn, auth_key: sandboxHsmCardKey(ctx.hsmSecret, cardSn, randomNo, cardData) } };
}
