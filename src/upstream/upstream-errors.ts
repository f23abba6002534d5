import { DomainError } from '../platform/errors/domain-error';

/** The insurer answered and said no: final for this request; `insurerMessage` is its reason. */
export class UpstreamRejectedError extends DomainError {
  readonly code = 'UPSTREAM_REJECTED';
  readonly status = 422;
  constructor(
    readonly infcode: number,
    readonly insurerMessage: string,
  ) {
    super(`医保经办机构拒绝了请求：${insurerMessage}`);
  }
}

/** Nothing reached the insurer (or it asked us to come back later): safe to try again. */
export class UpstreamUnavailableError extends DomainError {
  readonly code = 'UPSTREAM_UNAVAILABLE';
  readonly status = 503;
  constructor(readonly detail: string) {
    super('暂时无法连接医保经办机构，请稍后重试；如持续失败请联系信息科');
  }
}

/**
 * The request may or may not have been processed (timeout, dropped reply, reply that failed its
 * signature check). For queries that is harmless to retry; anything with effects goes through
 * the outbox instead, which resolves such outcomes by query-by-msgid.
 */
export class UpstreamUnknownOutcomeError extends DomainError {
  readonly code = 'UPSTREAM_UNKNOWN_OUTCOME';
  readonly status = 504;
  constructor(
    readonly msgid: string,
    readonly detail: string,
  ) {
    super('医保经办机构未在规定时间内答复，结果未知，请稍后查询或重试');
  }
}

export class UpstreamNotConfiguredError extends DomainError {
  readonly code = 'UPSTREAM_NOT_CONFIGURED';
  readonly status = 503;
  constructor() {
    super('网关尚未配置医保经办机构连接（upstream.baseUrl），请联系信息科');
  }
}
