import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorDocsFile, renderErrorDocs } from '../../src/cli/write-error-docs';
import { GATEWAY_FEATURES } from '../../src/gateway.features';
import { HttpException } from '@nestjs/common';
import { featureErrorCatalogues, PLATFORM_ERRORS, toErrorBody } from '../../src/platform';
import { codesIn, thrownCodes, ThrownCode } from '../support/thrown-codes';

/** Every error code the source throws is in a registered catalogue (a feature's `errors`). */

const root = join(__dirname, '..', '..');
const registered = new Set(featureErrorCatalogues(GATEWAY_FEATURES).flatMap((c) => c.codes));
const thrown = thrownCodes(root);
const missing = (codes: ThrownCode[]): string[] => [
  ...new Set(codes.filter((c) => !registered.has(c.code)).map((c) => `${c.code} (${c.file}:${c.line})`)),
];

describe('error catalogue', () => {
  it('finds codes in the source (the scanner works on the real tree)', () => {
    expect(thrown.map((c) => c.code)).toEqual(
      expect.arrayContaining(['VALIDATION_FAILED', 'AUTH_INVALID', 'APIKEY_NOT_FOUND']),
    );
  });

  it('has every code the platform throws in PLATFORM_ERRORS', () => {
    expect(missing(thrown.filter((c) => c.file.startsWith('src/platform/')))).toEqual([]);
    expect(thrown.filter((c) => c.file.startsWith('src/platform/') && !PLATFORM_ERRORS.has(c.code))).toEqual([]);
  });

  it('agrees with GlobalExceptionFilter on the code and status of framework errors', () => {
    for (const status of [400, 401, 403, 404, 405, 406, 413, 415, 429, 500]) {
      const { body } = toErrorBody(new HttpException('x', status), 'c');
      expect(
        `${body.code} ${PLATFORM_ERRORS.has(body.code) ? PLATFORM_ERRORS.entries[body.code].status : 'missing'}`,
      ).toBe(`${body.code} ${status}`);
    }
  });

  it('has every code the capabilities throw in a catalogue', () => {
    expect(missing(thrown.filter((c) => !c.file.startsWith('src/platform/')))).toEqual([]);
  });

  it('gives each code one owner, and each entry an HTTP error status and a message', () => {
    const owners = new Map<string, string>();
    for (const catalogue of featureErrorCatalogues(GATEWAY_FEATURES)) {
      for (const code of catalogue.codes) {
        expect(`${code}: ${owners.get(code) ?? catalogue.owner}`).toBe(`${code}: ${catalogue.owner}`);
        owners.set(code, catalogue.owner);
        expect(catalogue.entries[code].status).toBeGreaterThanOrEqual(400);
        expect(catalogue.entries[code].status).toBeLessThan(600);
        expect(catalogue.entries[code].message.length).toBeGreaterThan(0);
      }
    }
  });

  it('docs/errors.md is up to date (npm run docs:errors)', () => {
    expect(readFileSync(errorDocsFile(), 'utf8')).toBe(renderErrorDocs(GATEWAY_FEATURES));
  });
});

describe('the thrown-code scanner itself', () => {
  const codes = (source: string): string[] => codesIn('src/x/x.ts', source).map((c) => c.code);

  it('finds codes in each form they are thrown', () => {
    expect(codes("throw new NotFoundError('FORM_NOT_FOUND', '表单不存在');")).toEqual(['FORM_NOT_FOUND']);
    expect(codes("throw new ConflictError(\n  'TRACE_CODE_DISPENSED',\n  '已发药');")).toEqual([
      'TRACE_CODE_DISPENSED',
    ]);
    expect(codes("class E extends DomainError {\n  readonly code = 'UPSTREAM_REJECTED';\n}")).toEqual([
      'UPSTREAM_REJECTED',
    ]);
    expect(codes("details.push({ field: 'a', code: 'FORM_FIELD_MISSING', message: '缺少' });")).toEqual([
      'FORM_FIELD_MISSING',
    ]);
    expect(
      codes("throw IDENTITY_ERRORS.raise('TOKEN_EXPIRED');\nFORMS_ERRORS.detail('FORM_FIELD_INVALID', { field });"),
    ).toEqual(['TOKEN_EXPIRED', 'FORM_FIELD_INVALID']);
    expect(codes("const x = { code: 'FORBIDDEN', message: '无权' };")).toEqual(['FORBIDDEN']);
  });

  it('gives the line of each code', () => {
    expect(codesIn('src/x/x.ts', "\n\nthrow new BadRequestError('A_B', 'x');").map((c) => c.line)).toEqual([3]);
  });

  it('ignores types, comments and plain text', () => {
    expect(codes("function f(code: 'ID_NUMBER_MISMATCH' | 'NAME_MISMATCH') {}")).toEqual([]);
    expect(codes("// throw new NotFoundError('OLD_CODE', 'x');\n/* code: 'OTHER_CODE' */")).toEqual([]);
    expect(codes("throw new Error('SOMETHING_BROKE');\nlog('code: NOT_A_CODE');")).toEqual([]);
  });
});
