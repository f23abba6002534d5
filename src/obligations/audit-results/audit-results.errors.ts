import { errorCatalogue } from '../../platform';

/** The codes the audit results (R18) answer with; nothing stored changes when one is thrown. */
export const AUDIT_RESULT_ERRORS = errorCatalogue('audit-results', {
  AUDIT_SETTLEMENT_NOT_FOUND: {
    status: 404,
    message: '没有该结算记录：请核对结算的 id（网关的结算 id，不是 setl_id）',
  },
  AUDIT_NOT_SETTLED: {
    status: 409,
    message: '该结算没有结算成功（或已撤销），医保经办机构不会审核：只有已结算的结算才有审核结果',
  },
  AUDIT_REPLY_INVALID: {
    status: 502,
    message: '医保经办机构返回的审核结果不完整或金额对不上，未保存：请稍后重试，仍不对请联系信息科核对接口',
  },
});
