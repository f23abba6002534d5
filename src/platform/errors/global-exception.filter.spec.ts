import { BadRequestException, NotFoundException } from '@nestjs/common';
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
});
