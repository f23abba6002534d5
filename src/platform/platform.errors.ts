import { errorCatalogue } from './errors/error-catalogue';

/**
 * The codes the platform answers with: request validation, API keys and their use, staff accounts
 * and their sessions (docs/console.md), and the
 * framework's HTTP errors as GlobalExceptionFilter maps them (its table and this one agree on
 * code and status; test/integration/error-catalogue.spec.ts checks it).
 */
export const PLATFORM_ERRORS = errorCatalogue('platform', {
  VALIDATION_FAILED: { status: 400, message: '请求参数有误，请按 details 中的说明逐项修正后重试' },
  APIKEY_INVALID: { status: 400, message: 'API 密钥参数有误' },
  APIKEY_NOT_FOUND: { status: 404, message: 'API 密钥不存在' },
  AUTH_MISSING: { status: 401, message: '缺少 API 密钥：请在请求头中加入 Authorization: Bearer <密钥>' },
  AUTH_INVALID: { status: 401, message: 'API 密钥无效，请向信息科核对' },
  AUTH_REVOKED: { status: 401, message: 'API 密钥已被吊销，请向信息科申请新的密钥' },
  AUTH_KEY_EXPIRED: { status: 401, message: 'API 密钥已过期，请向信息科申请新的密钥' },
  AUTH_TOO_MANY_FAILURES: {
    status: 429,
    message: '此地址近期使用无效 API 密钥的次数过多，已暂缓处理：请稍后重试，并请信息科核对 HIS 中配置的密钥',
  },
  RATE_LIMITED: { status: 429, message: '请求过于频繁，已超过网关的访问频率限制：请稍后重试' },
  AUTH_IP_NOT_ALLOWED: { status: 403, message: '该 API 密钥不允许从此地址访问' },
  AUTH_SCOPE_MISSING: { status: 403, message: '该 API 密钥没有访问此接口的权限' },
  AUTH_CLIENT_CERT_MISMATCH: {
    status: 401,
    message: '客户端证书与该 API 密钥的绑定不符：请使用为本系统签发并登记的证书和密钥',
  },
  // ---- staff accounts and sessions (the console) ----
  STAFF_LOGIN_FAILED: { status: 401, message: '用户名或密码错误' },
  STAFF_LOCKED: {
    status: 423,
    message: '密码错误次数过多，账号已暂时锁定：请稍后再试，或请信息科重置密码（gateway staff reset）',
  },
  STAFF_SESSION_MISSING: { status: 401, message: '未登录或登录已过期：请重新登录' },
  CSRF_TOKEN_INVALID: {
    status: 403,
    message: '请求缺少有效的防伪令牌（x-csrf-token）：请刷新页面后重试',
  },
  STAFF_ORIGIN_REFUSED: { status: 403, message: '请求来源与网关地址不一致：请从网关自己的页面打开工作台' },
  STAFF_DESK_NOT_ALLOWED: { status: 403, message: '您的账号不能在此工位工作：请向信息科确认您的工位设置' },
  STAFF_LOGIN_TAKEN: { status: 409, message: '该登录名已被使用：请换一个登录名' },
  STAFF_NOT_FOUND: { status: 404, message: '没有该员工账号：请核对账号编号' },
  STAFF_PASSWORD_WEAK: { status: 400, message: '密码不符合要求：至少 10 个字符，且不能过于简单' },
  STAFF_INVALID: { status: 400, message: '员工账号参数有误：请按 details 更正' },
  STAFF_PASSWORD_EXPIRED: { status: 403, message: '密码已过期，请先修改密码' },
  STAFF_PASSWORD_CURRENT_WRONG: { status: 400, message: '当前密码不正确：请重新输入当前密码' },
  STAFF_PASSWORD_REUSED: { status: 400, message: '新密码不能与当前密码相同：请换一个新密码' },
  BAD_REQUEST: { status: 400, message: '请求格式有误，请检查请求体是否为合法 JSON' },
  FORBIDDEN: { status: 403, message: '无权访问此接口' },
  ROUTE_NOT_FOUND: { status: 404, message: '接口不存在，请核对请求路径和方法' },
  METHOD_NOT_ALLOWED: { status: 405, message: '该接口不支持此请求方法' },
  NOT_ACCEPTABLE: { status: 406, message: '不支持请求的响应格式' },
  PAYLOAD_TOO_LARGE: { status: 413, message: '请求体过大' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: '不支持的 Content-Type，请使用 application/json' },
  TOO_MANY_REQUESTS: { status: 429, message: '请求过于频繁，请稍后重试' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: '网关暂时连接不上数据库（数据库正在重启或主备切换）：请稍候几秒后重试',
  },
  INTERNAL_ERROR: { status: 500, message: '网关内部错误，请联系信息科并提供 correlationId' },
});
