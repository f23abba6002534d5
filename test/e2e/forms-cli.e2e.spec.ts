import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormDocument } from '../../src/forms/form-document.entity';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { cli, hospitalYaml } from '../support/cli-run';

/** `forms prune [--dry-run]`: lists, then deletes, an old draft; never touches a signed form before keep-until. */
describe('forms prune (CLI)', () => {
  it('a dry run only lists; the real run deletes the old draft and keeps the signed form', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-forms-cli-'));
    const config = hospitalYaml(dir, 'forms:\n  retention:\n    draftDays: 1\n    agreementEndDate: "2027-12-31"\n');
    expect((await cli(['pii', 'init', `${dir}/keys.json`])).code).toBe(0);
    const ds = await openDataSource(
      { url: `sqlite:${dir}/data/gw.sqlite`, poolSize: 1, migrateOnStart: true, schema: '' },
      `${dir}/data`,
      GATEWAY_SCHEMA,
    );
    await runMigrations(ds);
    const old = new Date(Date.now() - 3 * 86_400_000);
    const row = (id: string, status: FormDocument['status'], extra: Partial<FormDocument> = {}): FormDocument => ({
      id,
      formNo: `F2026${id.slice(-4)}`,
      version: 1,
      previousId: null,
      kind: 'relapse-filing',
      visitId: 'V1',
      workerKey: null,
      values: 'x',
      disputed: false,
      status,
      rejectReason: null,
      filePath: null,
      sha256: null,
      size: null,
      signatureKind: null,
      signedAt: null,
      keepUntil: null,
      outboxMessageId: null,
      outboxMsgid: null,
      fileId: null,
      createdBy: 'test',
      createdAt: old,
      updatedAt: old,
      ...extra,
    });
    await ds.transaction(async (m) => {
      await m.insert(FormDocument, row('01a00000-0000-7000-8000-000000000001', 'draft'));
      await m.insert(
        FormDocument,
        row('01a00000-0000-7000-8000-000000000002', 'acknowledged', {
          signedAt: old,
          keepUntil: new Date('2029-12-31T15:59:59.999Z'),
        }),
      );
    });
    try {
      const dry = await cli(['--config', config, 'forms', 'prune', '--dry-run']);
      expect(dry).toMatchObject({ code: 0 });
      expect(dry.out).toContain('would delete 1 draft(s) older than 1 days and 0 signed form(s) past keep-until');
      expect(dry.out).toContain('01a00000-0000-7000-8000-000000000001');
      expect(await ds.getRepository(FormDocument).count()).toBe(2);
      const run = await cli(['--config', config, 'forms', 'prune']);
      expect(run.out).toContain('deleted 1 draft(s)');
      expect((await ds.getRepository(FormDocument).find()).map((r) => r.id)).toEqual([
        '01a00000-0000-7000-8000-000000000002',
      ]);
      expect((await cli(['--config', config, 'forms', 'shred'])).code).toBe(2);
    } finally {
      await ds.destroy();
    }
  });
});
