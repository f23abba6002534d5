import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailableCause } from '../database/database-errors';
import { PLATFORM_ERRORS } from '../platform.errors';
import { DomainError, ErrorDetail } from './domain-error';
import { RetryLaterError } from './error-catalogue';
import type { ErrorBodyDto } from './error-body';

/** Messages for errors that arrive as plain HTTP statuses (routing, body parsing, size limits). */
const HTTP_STATUS_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: '请求格式有误，请检查请求体是否为合法 JSON' },
  401: { code: 'AUTH_MISSING', message: '缺少有效的 API 密钥' },
  403: { code: 'FORBIDDEN', message: '无权访问此接口' },
  404: { code: 'ROUTE_NOT_FOUND', message: '接口不存在，请核对请求路径和方法' },
  405: { code: 'METHOD_NOT_ALLOWED', message: '该接口不支持此请求方法' },
  406: { code: 'NOT_ACCEPTABLE', message: '不支持请求的响应格式' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: '请求体过大' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '不支持的 Content-Type，请使用 application/json' },
  429: { code: 'TOO_MANY_REQUESTS', message: '请求过于频繁，请稍后重试' },
};

/**
 * The database is away (restart, failover): the request may be retried as it is. Its outcome is not
 * known when the connection died at COMMIT; every write HIS retries is idempotent (see
 * docs/operations.md, "During a PostgreSQL restart").
 */
const DATABASE_UNAVAILABLE = {
  code: 'DATABASE_UNAVAILABLE',
  message: PLATFORM_ERRORS.message('DATABASE_UNAVAILABLE'),
};
/** Seconds HIS is asked to wait before retrying a DATABASE_UNAVAILABLE (a restart takes a few). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

const INTERNAL = { code: 'INTERNAL_ERROR', message: '网关内部错误，请联系信息科并提供 correlationId' };

/**
 * The single place where errors become HTTP responses. Domain errors keep their code and
 * status; HTTP errors from the framework get a stable code per status; anything else is
 * logged with the correlation id and answered with a generic 500, so stack traces, SQL
 * and library messages never reach a client.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { status, body } = toErrorBody(exception, String(request.id));

    if (body.code === DATABASE_UNAVAILABLE.code) {
      // Expected while PostgreSQL restarts: one line per request, no stack.
      this.logger.warn(
        {
          correlationId: body.correlationId,
          method: request.method,
          url: request.url,
          cause: databaseUnavailableCause(exception)?.message,
        },
        'database unavailable: answered 503',
      );
      void reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    } else if (exception instanceof RetryLaterError) {
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    } else if (status >= 500) {
      this.logger.error(
        { err: exception, correlationId: body.correlationId, method: request.method, url: request.url },
        'Unhandled error',
      );
    }
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

export function toErrorBody(exception: unknown, correlationId: string): { status: number; body: ErrorBodyDto } {
  if (exception instanceof DomainError) {
    return {
      status: exception.status,
      body: withDetails({ code: exception.code, message: exception.userMessage, correlationId }, exception.details),
    };
  }
  if (databaseUnavailableCause(exception) !== undefined) {
    return { status: 503, body: { ...DATABASE_UNAVAILABLE, correlationId } };
  }
  const status = httpStatusOf(exception);
  if (status !== undefined && status < 500) {
    const known = HTTP_STATUS_ERRORS[status] ?? { code: `HTTP_${status}`, message: '请求无法处理' };
    return { status, body: { ...known, correlationId } };
  }
  return { status: 500, body: { ...INTERNAL, correlationId } };
}

function withDetails(body: ErrorBodyDto, details: ErrorDetail[] | undefined): ErrorBodyDto {
  return details && details.length > 0 ? { ...body, details } : body;
}

/** Nest's HttpException and Fastify's own errors (statusCode) both carry a status. */
function httpStatusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) {
    return exception.getStatus();
  }
  if (typeof exception === 'object' && exception !== null && 'statusCode' in exception) {
    const code = exception.statusCode;
    return typeof code === 'number' && code >= 400 && code < 600 ? code : undefined;
  }
  return undefined;
}
