import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FormDocument } from '../../src/forms/form-document.entity';
import { FormDocumentRepository } from '../../src/forms/form-document.repository';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { Transactions } from '../../src/platform/database/transactions';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-form-repo-'));
const T0 = new Date('2026-11-25T02:00:00.000Z');
const days = (n: number): Date => new Date(T0.getTime() + n * 86_400_000);

let seq = 0;
/** A version row; ids increase with each call (keyset order = creation order, as uuidv7 gives). */
function row(extra: Partial<FormDocument> = {}): FormDocument {
  seq++;
  return {
    id: `01a00000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    formNo: `F20261125${String(seq).padStart(8, '0')}`,
    version: 1,
    previousId: null,
    kind: 'relapse-filing',
    visitId: 'V1',
    workerKey: null,
    values: 'sealed',
    disputed: false,
    status: 'draft',
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
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
}

/** The forms' SQL, on each database: conditional writes, version history, keyset listing, retention queries. */
describe.each(availableDatabases())('FormDocumentRepository on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let forms: FormDocumentRepository;
  let transactions: Transactions;

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    forms = new FormDocumentRepository(ds);
    transactions = new Transactions(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('finds a version by id (an id that is no UUID finds nothing), its versions oldest first, and the latest', async () => {
    const v1 = row({ status: 'acknowledged', signedAt: T0 });
    const v2 = row({ formNo: v1.formNo, version: 2, previousId: v1.id });
    await transactions.run(async (m) => {
      await forms.insert(v1, m);
      await forms.insert(v2, m);
    });
    expect(await forms.findById(v1.id)).toMatchObject({
      id: v1.id,
      formNo: v1.formNo,
      status: 'acknowledged',
      signedAt: T0,
      disputed: false,
    });
    expect(await forms.findById('not-a-uuid')).toBeNull();
    expect(await forms.findById('01a00000-0000-7000-8000-ffffffffffff')).toBeNull();
    expect((await forms.versions(v1.formNo)).map((v) => [v.version, v.previousId])).toEqual([
      [1, null],
      [2, v1.id],
    ]);
    expect((await forms.latestVersion(v1.formNo))?.id).toBe(v2.id);
    expect(await forms.versionExists(v1.formNo, 2)).toBe(true);
    expect(await forms.versionExists(v1.formNo, 3)).toBe(false);
    // The unique (form_no, version) index: a second version 2 is refused.
    await expect(forms.insert(row({ formNo: v1.formNo, version: 2 }))).rejects.toThrow();
  });

  it('changes a version only while it is a draft, and records an answer only on a signed one', async () => {
    const draft = row();
    await forms.insert(draft);
    const later = days(1);
    expect(await forms.updateDraft(draft.id, { values: 'v2', disputed: true, workerKey: 'wk', updatedAt: later })).toBe(
      true,
    );
    expect(await forms.findById(draft.id)).toMatchObject({
      values: 'v2',
      disputed: true,
      workerKey: 'wk',
      updatedAt: later,
    });
    // Nothing to settle while it is a draft.
    expect(await forms.settle(draft.id, { status: 'acknowledged', fileId: 'FILE1', updatedAt: later })).toBe(false);
    const signing = {
      status: 'signed' as const,
      filePath: 'F/v1.pdf',
      sha256: 'a'.repeat(64),
      size: 10,
      signatureKind: 'scan' as const,
      signedAt: later,
      keepUntil: days(1000),
      outboxMessageId: '01a00000-0000-7000-8000-0000000000aa',
      outboxMsgid: 'H64010600001202611251000000001',
      updatedAt: later,
    };
    expect(await transactions.run((m) => forms.updateDraft(draft.id, signing, m))).toBe(true);
    expect(await forms.updateDraft(draft.id, signing)).toBe(false);
    expect(
      await forms.updateDraft(draft.id, { values: 'v3', disputed: false, workerKey: null, updatedAt: later }),
    ).toBe(false);
    expect((await forms.findByOutboxMessage(signing.outboxMessageId))?.id).toBe(draft.id);
    expect(await forms.findByOutboxMessage('01a00000-0000-7000-8000-0000000000bb')).toBeNull();
    expect(await forms.settle(draft.id, { status: 'rejected', rejectReason: 'bad', updatedAt: later })).toBe(true);
    // Settled once: a second answer changes nothing.
    expect(await forms.settle(draft.id, { status: 'acknowledged', fileId: 'FILE1', updatedAt: later })).toBe(false);
    expect(await forms.findById(draft.id)).toMatchObject({
      status: 'rejected',
      rejectReason: 'bad',
      fileId: null,
      values: 'v2',
    });
  });

  it('lists newest first by visit or by worker, keyset-paged by id', async () => {
    const a = row({ visitId: 'LIST-V', workerKey: 'WK-A' });
    const b = row({ visitId: 'LIST-V', workerKey: 'WK-B' });
    const c = row({ visitId: 'LIST-V', workerKey: 'WK-A' });
    const d = row({ visitId: 'OTHER', workerKey: 'WK-A' });
    for (const r of [a, b, c, d]) {
      await forms.insert(r);
    }
    expect((await forms.list({ visitId: 'LIST-V', limit: 10 })).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect((await forms.list({ workerKey: 'WK-A', limit: 10 })).map((r) => r.id)).toEqual([d.id, c.id, a.id]);
    expect((await forms.list({ visitId: 'LIST-V', workerKey: 'WK-A', limit: 10 })).map((r) => r.id)).toEqual([
      c.id,
      a.id,
    ]);
    expect((await forms.list({ visitId: 'LIST-V', limit: 2 })).map((r) => r.id)).toEqual([c.id, b.id]);
    expect((await forms.list({ visitId: 'LIST-V', before: b.id, limit: 2 })).map((r) => r.id)).toEqual([a.id]);
  });

  it('finds what retention may delete, and deletes each row once', async () => {
    const now = days(3000);
    const stale = row({ updatedAt: days(-40) });
    const fresh = row({ updatedAt: now });
    const expired = row({ status: 'acknowledged', signedAt: T0, keepUntil: days(2000) });
    const kept = row({ status: 'acknowledged', signedAt: T0, keepUntil: days(4000) });
    const forever = row({ status: 'acknowledged', signedAt: T0, keepUntil: null });
    const awaiting = row({
      status: 'signed',
      signedAt: T0,
      keepUntil: days(2000),
      outboxMessageId: '01a00000-0000-7000-8000-0000000000cc',
    });
    const unsent = row({ status: 'signed', signedAt: T0, keepUntil: days(2000) });
    for (const r of [stale, fresh, expired, kept, forever, awaiting, unsent]) {
      await forms.insert(r);
    }
    const cutoff = days(-30);
    const drafts = await forms.staleDraftIds(cutoff);
    expect(drafts).toContain(stale.id);
    expect(drafts).not.toContain(fresh.id);
    const due = (await forms.expiredSigned(now)).map((r) => r.id);
    expect(due).toEqual(expect.arrayContaining([expired.id, unsent.id]));
    expect(due).not.toContain(kept.id);
    expect(due).not.toContain(forever.id);
    expect(due).not.toContain(awaiting.id);

    expect(await transactions.run((m) => forms.deleteStaleDraft(stale.id, cutoff, m))).toBe(true);
    expect(await forms.deleteStaleDraft(stale.id, cutoff)).toBe(false);
    expect(await forms.deleteStaleDraft(fresh.id, cutoff)).toBe(false);
    expect(await forms.deleteExpired(expired, now)).toBe(true);
    expect(await forms.deleteExpired(expired, now)).toBe(false);
    // Before keep-until, or in another status than the one it was found in: kept.
    expect(await forms.deleteExpired(kept, now)).toBe(false);
    expect(await forms.deleteExpired({ id: unsent.id, status: 'acknowledged' }, now)).toBe(false);
    expect(await forms.findById(stale.id)).toBeNull();
    expect(await forms.findById(expired.id)).toBeNull();
    expect(await forms.findById(fresh.id)).not.toBeNull();
    expect(await forms.findById(kept.id)).not.toBeNull();
  });
});
