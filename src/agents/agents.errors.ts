import { beijingMinute, errorCatalogue } from '../platform';

/**
 * Every refusal of the desk-agent registry: a stable English code (the agent and IT tooling branch on
 * it), the HTTP status and a Chinese message that says what to do. Nothing stored changes when one is
 * thrown (a refused enrolment is audited, nothing else).
 *
 * AGENT_UNKNOWN and AGENT_REVOKED are what AgentsService.authenticate answers (the agent link refuses
 * the connection with them); the enrolment codes are what POST /api/v1/agents/enrol answers.
 */
export const AGENT_ERRORS = errorCatalogue('agents', {
  // ---- an agent presenting its credential ----
  AGENT_UNKNOWN: { status: 401, message: '未知的桌面代理凭据：请由信息科重新生成登记码并重新登记该代理' },
  AGENT_REVOKED: { status: 401, message: '该桌面代理已被吊销：如需继续使用，请由信息科重新生成登记码并重新登记' },
  // ---- enrolment ----
  AGENT_ENROLMENT_UNKNOWN: {
    status: 401,
    message: '登记码无效：请核对输入（字母不区分大小写），或请信息科重新生成登记码',
  },
  AGENT_ENROLMENT_USED: { status: 409, message: '该登记码已被使用过（每个登记码只能用一次）：请信息科重新生成登记码' },
  AGENT_ENROLMENT_EXPIRED: { status: 410, message: '登记码已过期：请信息科重新生成登记码' },
  AGENT_ENROLMENT_INVALID: { status: 422, message: '登记参数有误：请按 details 更正' },
  // ---- the registry ----
  AGENT_LINK_PROTOCOL: {
    status: 400,
    message: '桌面代理发来的消息不符合协议：请升级该代理到与网关相同的版本',
  },
  AGENT_LINK_GAP: {
    status: 409,
    message: '桌面代理的缓存事件序号不连续：代理将从网关已记录的序号之后重新发送',
  },
  AGENT_LINK_REPLACED: {
    status: 409,
    message: '同一桌面代理在别处重新连接，本连接已关闭：请确认没有两台电脑使用同一代理凭据',
  },
  // ---- the centre asking an agent (a test read) ----
  AGENT_NOT_CONNECTED: {
    status: 409,
    message: '该工作站的桌面代理没有连接到本网关：请检查该工作站电脑上的桌面代理是否在运行、网络是否正常',
  },
  AGENT_TEST_READ_TIMEOUT: {
    status: 504,
    message: '桌面代理没有按时回答测试读卡：请检查该工作站电脑上的桌面代理（gateway agent status）',
  },
  AGENT_NOT_FOUND: { status: 404, message: '没有该桌面代理：请用 GET /api/v1/agents 核对代理编号' },
  AGENT_ALREADY_REVOKED: { status: 409, message: '该桌面代理已被吊销，不能再改名或调换工位：请重新登记一个代理' },
  AGENT_CHANGE_INVALID: { status: 422, message: '代理参数有误：请按 details 更正' },
});

export type AgentRefusalCode = 'AGENT_UNKNOWN' | 'AGENT_REVOKED';

/** The Chinese messages that name a desk, an agent or a time. */
export const AGENT_MESSAGES = {
  notFound: (id: string) => `没有桌面代理 ${id}：请用 GET /api/v1/agents 或 gateway agents list 核对代理编号`,
  alreadyRevoked: (id: string) => `桌面代理 ${id} 已被吊销，不能再改名或调换工位：请重新登记一个代理`,
  notConnected: (desk: string) =>
    `工作站「${desk}」的桌面代理没有连接到本网关：请检查该工作站电脑上的桌面代理是否在运行、网络是否正常`,
  goneDuringTestRead: (desk: string) =>
    `工作站「${desk}」的桌面代理在测试读卡期间断开了连接：请检查该工作站电脑上的桌面代理，恢复连接后重试`,
  testReadTimeout: (desk: string, seconds: number) =>
    `工作站「${desk}」的桌面代理在 ${seconds} 秒内没有回答测试读卡：请检查该工作站电脑上的桌面代理（gateway agent status）`,
  expired: (expiresAt: Date) => `登记码已于 ${beijingMinute(expiresAt)}（北京时间）过期：请信息科重新生成登记码`,
  used: (usedAt: Date) =>
    `该登记码已于 ${beijingMinute(usedAt)}（北京时间）被使用（每个登记码只能用一次）：请信息科重新生成登记码`,
} as const;
