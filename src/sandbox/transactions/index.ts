import { INFNO } from '../../upstream/protocol/transactions';
import { admission, admissionCancel } from './admission';
import { auditResultQuery } from './audit-result';
import { cardHsmAuth } from './card-hsm-auth';
import { TxHandler } from './context';
import { crossProvinceUpload } from './cross-province-upload';
import { detailReconciliation } from './detail-reconciliation';
import { discharge, dischargeCancel } from './discharge';
import { documentUpload } from './document-upload';
import { inpatientFeeRevoke, inpatientFeeUpload, outpatientFeeRevoke, outpatientFeeUpload } from './fee-upload';
import { monthlyDeclaration } from './monthly-declaration';
import { outpatientRegistration, outpatientRegistrationCancel } from './outpatient-visit';
import { personQuery } from './person-query';
import { qrDecode } from './qr-decode';
import { queryByMsgid } from './query-by-msgid';
import { reconciliation } from './reconciliation';
import { reversal } from './reversal';
import {
  inpatientPreSettlement,
  inpatientSettlement,
  outpatientPreSettlement,
  outpatientSettlement,
} from './settlement';
import { inpatientSettlementCancel, outpatientSettlementCancel } from './settlement-cancel';
import { signIn } from './sign-in';

/** infno → handler: every transaction of transactions.ts, nothing else. */
export const HANDLERS: ReadonlyMap<string, TxHandler> = new Map<string, TxHandler>([
  [INFNO.signIn, signIn],
  [INFNO.personQuery, personQuery],
  [INFNO.qrDecode, qrDecode],
  [INFNO.cardHsmAuth, cardHsmAuth],
  [INFNO.outpatientRegistration, outpatientRegistration],
  [INFNO.outpatientRegistrationCancel, outpatientRegistrationCancel],
  [INFNO.outpatientFeeUpload, outpatientFeeUpload],
  [INFNO.outpatientFeeRevoke, outpatientFeeRevoke],
  [INFNO.outpatientPreSettlement, outpatientPreSettlement],
  [INFNO.outpatientSettlement, outpatientSettlement],
  [INFNO.outpatientSettlementCancel, outpatientSettlementCancel],
  [INFNO.inpatientFeeUpload, inpatientFeeUpload],
  [INFNO.inpatientFeeRevoke, inpatientFeeRevoke],
  [INFNO.inpatientPreSettlement, inpatientPreSettlement],
  [INFNO.inpatientSettlement, inpatientSettlement],
  [INFNO.inpatientSettlementCancel, inpatientSettlementCancel],
  [INFNO.admission, admission],
  [INFNO.discharge, discharge],
  [INFNO.admissionCancel, admissionCancel],
  [INFNO.dischargeCancel, dischargeCancel],
  [INFNO.reversal, reversal],
  [INFNO.documentUpload, documentUpload],
  [INFNO.queryByMsgid, queryByMsgid],
  [INFNO.reconciliation, reconciliation],
  [INFNO.detailReconciliation, detailReconciliation],
  [INFNO.crossProvinceUpload, crossProvinceUpload],
  [INFNO.monthlyDeclaration, monthlyDeclaration],
  [INFNO.auditResultQuery, auditResultQuery],
]);
