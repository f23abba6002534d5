import { errorCatalogue } from '../../platform';

/**
 * The codes the inpatient documents (R12) answer HIS with: a stable English code, the HTTP status
 * and a Chinese message saying what to do. Nothing stored changes when one is thrown.
 */
export const DOCUMENT_ERRORS = errorCatalogue('inpatient-documents', {
  DOCUMENT_KIND_UNKNOWN: {
    status: 404,
    message: 'HIS 只能发送 medical-record（病案首页）或 discharge-summary（出院小结）：请检查地址中的文书类型',
  },
  DOCUMENT_NOT_PDF: {
    status: 422,
    message: '文件不是 PDF（contentBase64 应为 Base64 编码、以 %PDF- 开头的 PDF 文件）：请导出 PDF 后重新发送',
  },
  DOCUMENT_TOO_LARGE: {
    status: 413,
    message: '文件超过 10 MB（医保文件上传 9101 的上限）：请压缩（降低扫描分辨率）后重新发送',
  },
  DOCUMENT_DATA_INVALID: {
    status: 422,
    message: '文书数据有误，无法生成 PDF：请按 details 所列各项更正后重新发送',
  },
  DOCUMENT_VISIT_NOT_DISCHARGED: {
    status: 409,
    message: '该住院尚未出院（没有出院日期）：请先登记出院日期，再发送结构化的病案首页或出院小结',
  },
  DOCUMENT_VISIT_NOT_INPATIENT: {
    status: 409,
    message: '该就诊不是住院：病案首页和出院小结只用于住院就诊',
  },
  DOCUMENT_SETTLEMENT_NOT_INPATIENT: {
    status: 404,
    message: '该结算不是已结算的住院结算，没有住院文书：请核对结算ID',
  },
  DOCUMENT_NOT_FOUND: {
    status: 404,
    message: '没有这份文书（或这一版本）：请先由 HIS 发送，或等待网关生成',
  },
});
