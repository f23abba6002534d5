import type { CardAuthenticator } from '../../drivers/protocols/ssse-card';
import { INFNO } from '../upstream/protocol/transactions';
import type { UpstreamCalls } from '../upstream/upstream-calls';

interface CardHsmAuthOutput {
  card_sn: string;
  auth_key: string;
}

/**
 * The 3rd-generation card step through the insurer's HSM (transaction 1165, see
 * docs/upstream-protocol.md): the card's challenge and the Step-1 data go up, the key for
 * EXTERNAL AUTHENTICATE comes back. Any failure (no insurer link, refusal, timeout) rejects, and
 * the reader then reports "authentication required" rather than a half-read card.
 */
export class HsmCardAuthenticator implements CardAuthenticator {
  constructor(private readonly calls: UpstreamCalls) {}

  async authenticate(cardSn: string, challenge: Buffer, cardData: Buffer): Promise<Buffer> {
    const { output } = await this.calls.call<CardHsmAuthOutput>(INFNO.cardHsmAuth, {
      card_sn: cardSn,
      random_no: challenge.toString('hex').toUpperCase(),
      card_data: cardData.toString('hex').toUpperCase(),
    });
    if (output.card_sn !== cardSn || !/^[0-9A-Fa-f]{32}$/.test(output.auth_key)) {
      throw new Error(`1165 answered for another card or with a malformed key (card_sn ${output.card_sn})`);
    }
    return Buffer.from(output.auth_key, 'hex');
  }
}
