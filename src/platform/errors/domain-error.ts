/**
 * Typed errors the gateway answers with. Each has a stable English `code` (HIS programs
 * branch on it), a Chinese `message` (shown to desk staff) and an HTTP status. They are
 * mapped to the response body in exactly one place: GlobalExceptionFilter.
 */
export interface ErrorDetail {
  field?: string;
  code?: string;
  message: string;
  /** Facts behind the detail that a program may use (e.g. when and on which visit a code was used); never personal data. */
  context?: Record<string, string>;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;

  constructor(
    /** Chinese, safe to show to a client: never includes internals. */
    readonly userMessage: string,
    readonly details?: ErrorDetail[],
  ) {
    super(userMessage);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
  constructor(details: ErrorDetail[]) {
    super('请求参数有误，请按 details 中的说明逐项修正后重试', details);
  }
}

export class BadRequestError extends DomainError {
  readonly status = 400;
  constructor(
    readonly code: string,
    message: string,
    details?: ErrorDetail[],
  ) {
    super(message, details);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly status = 401;
  constructor(
    readonly code: 'AUTH_MISSING' | 'AUTH_INVALID' | 'AUTH_REVOKED' | 'AUTH_CLIENT_CERT_MISMATCH',
    message: string,
  ) {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  constructor(
    readonly code: 'AUTH_SCOPE_MISSING' | 'AUTH_IP_NOT_ALLOWED',
    message: string,
    details?: ErrorDetail[],
  ) {
    super(message, details);
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    readonly code: string,
    message: string,
    details?: ErrorDetail[],
  ) {
    super(message, details);
  }
}

/** A dependency (database, insurer, device) is not available right now; the client may retry. */
export class UnavailableError extends DomainError {
  readonly status = 503;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
