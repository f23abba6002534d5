import { INFNO } from '../../upstream/protocol/transactions';
import { cardHsmAuth } from './card-hsm-auth';
import { TxHandler } from './context';
import { crossProvinceUpload } from './cross-province-upload';
import { documentUpload } from './document-upload';
import { monthlyDeclaration } from './monthly-declaration';
import { personQuery } from './person-query';
import { qrDecode } from './qr-decode';
import { queryByMsgid } from './query-by-msgid';
import { reconciliation } from './reconciliation';
import { reversal } from './reversal';
import { inpatientSettlement, outpatientSettlement } from './settlement';
import { signIn } from './sign-in';

/** infno → handler: every transaction of transactions.ts, nothing else. */
export const HANDLERS: ReadonlyMap<string, TxHandler> = new Map<string, TxHandler>([
  [INFNO.signIn, signIn],
  [INFNO.personQuery, personQuery],
  [INFNO.qrDecode, qrDecode],
  [INFNO.cardHsmAuth, cardHsmAuth],
  [INFNO.outpatientSettlement, outpatientSettlement],
  [INFNO.inpatientSettlement, inpatientSettlement],
  [INFNO.reversal, reversal],
  [INFNO.documentUpload, documentUpload],
  [INFNO.queryByMsgid, queryByMsgid],
  [INFNO.reconciliation, reconciliation],
  [INFNO.crossProvinceUpload, crossProvinceUpload],
  [INFNO.monthlyDeclaration, monthlyDeclaration],
]);
