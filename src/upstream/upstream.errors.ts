import { CatalogueError, errorCatalogue } from '../platform';

/** Every error code the upstream capability (insurer calls and the outbox) answers with. */
export const UPSTREAM_ERRORS = errorCatalogue('upstream', {
  UPSTREAM_REJECTED: { status: 422, message: '医保经办机构拒绝了请求' },
  UPSTREAM_UNAVAILABLE: { status: 503, message: '暂时无法连接医保经办机构，请稍后重试；如持续失败请联系信息科' },
  UPSTREAM_UNKNOWN_OUTCOME: { status: 504, message: '医保经办机构未在规定时间内答复，结果未知，请稍后查询或重试' },
  UPSTREAM_NOT_CONFIGURED: { status: 503, message: '网关尚未配置医保经办机构连接（upstream.baseUrl），请联系信息科' },
  OUTBOX_MESSAGE_NOT_FOUND: { status: 404, message: '报文不存在' },
  OUTBOX_NOT_CANCELLABLE: { status: 409, message: '只有待发送（pending）的报文可以撤销' },
  OUTBOX_NOT_RERUNNABLE: { status: 409, message: '只有被拒绝（rejected）的报文可以重发' },
});

type UpstreamCode = (typeof UPSTREAM_ERRORS)['codes'][number];

/** A catalogue error that also carries what callers branch on (the insurer's infcode, the msgid). */
abstract class UpstreamError extends CatalogueError {
  protected constructor(code: UpstreamCode, message: string = UPSTREAM_ERRORS.message(code)) {
    super(code, UPSTREAM_ERRORS.entries[code].status, message);
  }
}

/** The insurer answered and said no: final for this request; `insurerMessage` is its reason. */
export class UpstreamRejectedError extends UpstreamError {
  constructor(
    readonly infcode: number,
    readonly insurerMessage: string,
  ) {
    super('UPSTREAM_REJECTED', `${UPSTREAM_ERRORS.message('UPSTREAM_REJECTED')}：${insurerMessage}`);
  }
}

/** Nothing reached the insurer (or it asked us to come back later): safe to try again. */
export class UpstreamUnavailableError extends UpstreamError {
  constructor(readonly detail: string) {
    super('UPSTREAM_UNAVAILABLE');
  }
}

/**
 * The request may or may not have been processed (timeout, dropped reply, reply that failed its
 * signature check). For queries that is harmless to retry; anything with effects goes through
 * the outbox instead, which resolves such outcomes by query-by-msgid.
 */
export class UpstreamUnknownOutcomeError extends UpstreamError {
  constructor(
    readonly msgid: string,
    readonly detail: string,
  ) {
    super('UPSTREAM_UNKNOWN_OUTCOME');
  }
}

export class UpstreamNotConfiguredError extends UpstreamError {
  constructor() {
    super('UPSTREAM_NOT_CONFIGURED');
  }
}
