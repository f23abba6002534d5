import {
  UpstreamNotConfiguredError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
  UpstreamUnknownOutcomeError,
  UPSTREAM_ERRORS,
} from './upstream.errors';

describe('upstream errors', () => {
  it('keep their codes, statuses and messages, and carry what callers branch on', () => {
    const rejected = new UpstreamRejectedError(1, '人员不存在');
    expect([rejected.code, rejected.status, rejected.userMessage, rejected.infcode, rejected.insurerMessage]).toEqual([
      'UPSTREAM_REJECTED',
      422,
      '医保经办机构拒绝了请求：人员不存在',
      1,
      '人员不存在',
    ]);
    const unavailable = new UpstreamUnavailableError('refused');
    expect([unavailable.code, unavailable.status, unavailable.userMessage, unavailable.detail]).toEqual([
      'UPSTREAM_UNAVAILABLE',
      503,
      '暂时无法连接医保经办机构，请稍后重试；如持续失败请联系信息科',
      'refused',
    ]);
    const unknown = new UpstreamUnknownOutcomeError('m1', 'timeout');
    expect([unknown.code, unknown.status, unknown.userMessage, unknown.msgid]).toEqual([
      'UPSTREAM_UNKNOWN_OUTCOME',
      504,
      '医保经办机构未在规定时间内答复，结果未知，请稍后查询或重试',
      'm1',
    ]);
    const notConfigured = new UpstreamNotConfiguredError();
    expect([notConfigured.code, notConfigured.status, notConfigured.userMessage]).toEqual([
      'UPSTREAM_NOT_CONFIGURED',
      503,
      '网关尚未配置医保经办机构连接（upstream.baseUrl），请联系信息科',
    ]);
    expect(UPSTREAM_ERRORS.codes).toEqual(
      expect.arrayContaining(['OUTBOX_MESSAGE_NOT_FOUND', 'OUTBOX_NOT_CANCELLABLE', 'OUTBOX_NOT_RERUNNABLE']),
    );
  });
});
