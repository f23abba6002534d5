import { errorCatalogue } from '../../platform';

/**
 * The codes of the cross-province upload's invoice call (R11, device 协议 25) and of the rehab
 * assessment call (R6): a stable English code, the HTTP status and what to do, in Chinese. Nothing
 * stored changes when one is thrown.
 */
export const CROSS_PROVINCE_ERRORS = errorCatalogue('obligations-cross-province', {
  CROSS_PROVINCE_UPLOAD_NOT_FOUND: {
    status: 404,
    message: '该结算没有跨省异地上传待办：只有跨省异地就医职工的结算需要上传（3301），请核对结算编号',
  },
  CROSS_PROVINCE_UPLOAD_NO_INVOICE: {
    status: 409,
    message: '该结算的跨省异地上传不需要或已收到发票号：只有辅助器具配置结算在等待发票号；已排队上传的不能更改',
  },
  CROSS_PROVINCE_UPLOAD_CLOSED: {
    status: 409,
    message: '该结算的跨省异地上传已完成或已免除：不能再补充发票号',
  },
  REHAB_ASSESSMENT_NOT_REHAB_ADMISSION: {
    status: 409,
    message: '该就诊不是康复住院（careType 为 rehab 的住院登记）：康复评估只针对康复住院记录',
  },
  REHAB_ASSESSMENT_DATE_INVALID: {
    status: 422,
    message: '康复评估日期早于入院日期或晚于今天：请 HIS 核对评估日期后重新报送',
  },
});
