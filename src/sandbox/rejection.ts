import { INFCODE } from '../upstream/protocol/transactions';

/**
 * A business refusal: the reply carries `infcode` (rejected unless said otherwise) and the
 * Chinese `message` as err_msg. Handlers throw it before changing any state, so a refused
 * message never leaves half a settlement behind.
 */
export class Rejection extends Error {
  constructor(
    message: string,
    readonly infcode: number = INFCODE.rejected,
  ) {
    super(message);
    this.name = 'Rejection';
  }
}
