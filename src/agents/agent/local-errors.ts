/**
 * The refusals of the agent's localhost server (status page, reader service): a stable English code
 * (a HIS page branches on it), the HTTP status and a Chinese message that says what to do.
 *
 * Plain data, so the agent does not load the gateway's platform: `src/agents/agent-local.errors.ts`
 * registers the same entries as the `agent-local` catalogue (docs/errors.md lists them).
 * NO_CARD is not here: it is a result of a read (HTTP 200, `ok: false`), not a refusal.
 */
export const AGENT_LOCAL_ERROR_ENTRIES = {
  ORIGIN_NOT_ALLOWED: {
    status: 403,
    message:
      '此网页的来源不在桌面代理的允许列表中：请信息科在代理的 agent.yaml 的 local.allowedOrigins 中加入该 HIS 网页的地址',
  },
  HOST_NOT_ALLOWED: {
    status: 421,
    message: '桌面代理只接受以 127.0.0.1、localhost 或 [::1] 访问：请用 http://127.0.0.1:<端口>/ 打开',
  },
  READER_QUERY_INVALID: { status: 400, message: '读卡请求参数有误：请按 message 更正' },
  READER_DEVICE_UNKNOWN: {
    status: 400,
    message: '本机没有该编号的读卡设备：请用 GET /api/v1/reader/status 查看本机设备',
  },
  READER_API_OFF: {
    status: 404,
    message: '本机桌面代理未开启读卡服务：请信息科在代理的 agent.yaml 中设置 local.readerApi: true 并重启代理',
  },
  READER_BUSY: { status: 429, message: '同时等待读卡的请求过多：请等上一次读卡结束后再试' },
  LOCAL_ROUTE_NOT_FOUND: { status: 404, message: '桌面代理没有此接口：请核对地址' },
  LOCAL_METHOD_NOT_ALLOWED: { status: 405, message: '桌面代理的接口只接受 GET 请求' },
  LOCAL_INTERNAL_ERROR: { status: 500, message: '桌面代理内部错误：请重试；仍不行请联系信息科查看代理日志' },
} as const satisfies Record<string, { status: number; message: string }>;

export type AgentLocalErrorCode = keyof typeof AGENT_LOCAL_ERROR_ENTRIES;
