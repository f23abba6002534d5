import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ForbiddenError, ValidationFailedError } from './domain-error';
import { toErrorBody } from './global-exception.filter';

describe(toErrorBody.name, () => {
  it('keeps a domain error code, status, Chinese message and details', () => {
    const { status, body } = toErrorBody(
      new ValidationFailedError([{ field: 'scopes', code: 'isIn', message: '取值不在允许范围内' }]),
      'c1',
    );
    expect(status).toBe(400);
    expect(body).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/[\u4e00-\u9fff]/),
      details: [{ field: 'scopes', code: 'isIn', message: '取值不在允许范围内' }],
      correlationId: 'c1',
    });
    expect(toErrorBody(new ForbiddenError('AUTH_SCOPE_MISSING', '无权'), 'c2')).toMatchObject({
      status: 403,
      body: { code: 'AUTH_SCOPE_MISSING' },
    });
  });

  it('maps framework HTTP errors by status without their English text', () => {
    const { status, body } = toErrorBody(new NotFoundException('Cannot GET /secret/internal/path'), 'c3');
    expect(status).toBe(404);
    expect(JSON.stringify(body)).not.toContain('Cannot GET');
    expect(toErrorBody(new BadRequestException('Unexpected token } in JSON'), 'c').body.code).toBe('BAD_REQUEST');
    expect(toErrorBody(Object.assign(new Error('too big'), { statusCode: 413 }), 'c').body.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('hides internals of anything else behind a generic 500', () => {
    const { status, body } = toErrorBody(
      new Error('SQLITE_CONSTRAINT: UNIQUE failed: api_key.id at /work/src/x.ts:12'),
      'c4',
    );
    expect(status).toBe(500);
    expect(body.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(body)).not.toMatch(/SQLITE|api_key|\.ts/);
    expect(body.correlationId).toBe('c4');
  });

  it('answers 503 DATABASE_UNAVAILABLE, without the driver text, when PostgreSQL went away under the request', () => {
    const terminated = Object.assign(new Error('terminating connection due to administrator command'), {
      severity: 'FATAL',
      code: '57P01',
    });
    const { status, body } = toErrorBody(new QueryFailedError('COMMIT', [], terminated), 'c5');
    expect(status).toBe(503);
    expect(body).toEqual({ code: 'DATABASE_UNAVAILABLE', message: expect.stringMatching(/重试/), correlationId: 'c5' });
    expect(JSON.stringify(body)).not.toMatch(/administrator|COMMIT/);
    // Any other query failure stays a 500.
    const unique = Object.assign(new Error('duplicate key'), { severity: 'ERROR', code: '23505' });
    expect(toErrorBody(new QueryFailedError('INSERT', [], unique), 'c6').status).toBe(500);
  });
});
