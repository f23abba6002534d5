import { errorCatalogue } from '../platform';

/** The codes of the obligations API: a stable English code, the HTTP status and what to do, in Chinese. */
export const OBLIGATION_ERRORS = errorCatalogue('obligations', {
  OBLIGATION_NOT_FOUND: { status: 404, message: '没有该待办事项：请核对编号（见 GET /api/v1/obligations）' },
  OBLIGATION_CLOSED: {
    status: 409,
    message: '该待办事项已完成或已免除，不能再免除：如需更正请联系信息科查看其记录',
  },
});
