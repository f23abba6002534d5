import { errorCatalogue } from '../../platform';

/**
 * The codes of the monthly declaration (3401) and reconciliation (3201 / 3202) API: a stable English
 * code, the HTTP status and a Chinese message that says what to do. Nothing stored changes when one
 * is thrown.
 */
export const DECLARATION_ERRORS = errorCatalogue('obligations-declaration', {
  DECLARATION_MONTH_INVALID: { status: 422, message: '申报月份格式不对：请写作 YYYY-MM，例如 2026-11' },
  DECLARATION_MONTH_NOT_OVER: {
    status: 422,
    message: '只能申报已经结束的月份（北京时间）：本月的费用请在下月申报',
  },
  DECLARATION_NOT_FOUND: {
    status: 404,
    message: '该月还没有申报草稿：请先生成草稿（POST /api/v1/declarations/{month}/draft）',
  },
  DECLARATION_IN_FLIGHT: {
    status: 409,
    message: '该月的申报已发送，正在等待经办机构回执：收到回执后再操作（可在发送队列中查看进度）',
  },
  DECLARATION_ALREADY_ACCEPTED: {
    status: 409,
    message: '该月已申报并取得经办机构回执：如需更正，请用更正申报（POST /api/v1/declarations/{month}/resubmit）',
  },
  DECLARATION_NOT_ACCEPTED: {
    status: 409,
    message: '该月尚未取得经办机构的申报回执，不能更正申报：请先提交申报（POST /api/v1/declarations/{month}/submit）',
  },
  RECONCILIATION_PERIOD_INVALID: {
    status: 422,
    message: '对账区间不对：from、to 写作 YYYY-MM-DD，from 不晚于 to，区间不超过 366 天，且不含今天及以后（北京时间）',
  },
  RECONCILIATION_NOT_FOUND: { status: 404, message: '没有该对账记录：请核对对账记录 ID' },
});
