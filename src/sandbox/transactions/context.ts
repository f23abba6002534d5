import { CheckedEnvelope } from '../envelope-check';
import { Fields } from '../input-fields';
import { Ledger } from '../ledger';
import { MessageStore } from '../message-store';
import { PeopleDirectory } from '../people';
import { QrTokens } from '../qr-tokens';

/** What a transaction handler gets: the checked request and the insurer's state. */
export interface TxContext {
  envelope: CheckedEnvelope;
  input: Fields;
  now: Date;
  people: PeopleDirectory;
  ledger: Ledger;
  messages: MessageStore;
  qrTokens: QrTokens;
  /** Sandbox-only secret of the simulated card HSM (1165). */
  hsmSecret: string;
}

export interface TxResult<O = unknown> {
  output: O;
  warn?: string;
}

/**
 * Handlers are synchronous and validate everything before they change state, then either
 * return the output or throw a Rejection. Being synchronous is what makes a resent msgid
 * safe: nothing else runs between "not yet stored" and "stored".
 */
export type TxHandler = (ctx: TxContext) => TxResult;
