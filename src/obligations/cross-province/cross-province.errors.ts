import { errorCatalogue } from '../../platform';

/**
 * The codes of the rehab assessment call (R6): a stable English code, the HTTP status and what to
 * do, in Chinese. Nothing stored changes when one is thrown.
 */
export const CROSS_PROVINCE_ERRORS = errorCatalogue('obligations.cross-province', {
  REHAB_ASSESSMENT_NOT_REHAB_ADMISSION: {
    status: 409,
    message: '该就诊不是康复住院（careType 为 rehab 的住院登记）：康复评估只针对康复住院记录',
  },
  REHAB_ASSESSMENT_DATE_INVALID: {
    status: 422,
    message: '康复评估日期早于入院日期或晚于今天：请 HIS 核对评估日期后重新报送',
  },
});
