import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { openApiToTypeScript, type OpenApiDocument } from '../support/openapi-types';

/**
 * The console's API types are generated from the gateway's own OpenAPI document. This test builds the
 * document from the running application and fails while the committed file differs from it, so a route or a
 * field the console relies on cannot change unnoticed (the console's type check then shows where).
 * `npm run console:api-types` runs this test in write mode: it rewrites the file instead of failing.
 */
const GENERATED = join(__dirname, '..', '..', 'src', 'console', 'api', 'openapi.generated.ts');
const WRITE = process.env.npm_lifecycle_event === 'console:api-types';

describe('the console API types (src/console/api/openapi.generated.ts)', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startTestApp({ apiDocs: { enabled: true } });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('are what the OpenAPI document at /api/docs-json gives', async () => {
    const res = await gateway.app.inject({ method: 'GET', url: '/api/docs-json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApiDocument>();
    const expected = openApiToTypeScript(doc);
    if (WRITE) {
      writeFileSync(GENERATED, expected);
      process.stdout.write(`wrote ${GENERATED}\n`);
      return;
    }
    let committed = '';
    try {
      committed = readFileSync(GENERATED, 'utf8');
    } catch {
      // missing: reported below
    }
    if (committed !== expected) {
      throw new Error(
        `${GENERATED} is out of date with the gateway's routes and DTOs: run \`npm run console:api-types\`, ` +
          'then `npm run check` shows what in the console must follow',
      );
    }
  });

  it('knows the routes the console calls', () => {
    // The generator's own sanity: a route the console has used since its first page.
    const source = readFileSync(GENERATED, 'utf8');
    expect(source).toContain(
      [
        '  "GET /api/v1/identity/sessions/{id}": {',
        '    path: {',
        '      id: string;',
        '    };',
        '    response: Schemas["SessionDto"];',
        '  };',
      ].join('\n'),
    );
  });
});
