import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormStorageService, sha256Hex } from './form-storage.service';
import { FormFileCorruptError } from './forms.errors';

describe(FormStorageService.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-form-storage-'));
  const storage = new FormStorageService(root);
  const pdf = Buffer.from('%PDF-1.7\nsome bytes\n%%EOF\n');

  it('writes by form number and version, leaves no temporary file, and reads back the same bytes', () => {
    const file = storage.write('F20261125ABC123', 1, pdf);
    expect(file).toEqual({
      path: expect.stringMatching(/^F20261125ABC123\/v1-[0-9a-f]{8}\.pdf$/),
      sha256: sha256Hex(pdf),
      size: pdf.length,
    });
    expect(readdirSync(join(root, 'F20261125ABC123'))).toEqual([file.path.split('/')[1]]);
    expect(storage.read(file, 'F20261125ABC123', 1).equals(pdf)).toBe(true);
    // Two writes of one version never share a file.
    expect(storage.write('F20261125ABC123', 1, pdf).path).not.toBe(file.path);
  });

  it('a file changed or gone after signing is FORM_FILE_CORRUPT, not served', () => {
    const file = storage.write('F20261125DEF456', 2, pdf);
    writeFileSync(join(root, file.path), Buffer.from('%PDF-1.7\nsome bytez\n%%EOF\n'));
    expect(() => storage.read(file, 'F20261125DEF456', 2)).toThrow(FormFileCorruptError);
    storage.remove(file.path);
    storage.remove(file.path);
    const gone = (() => {
      try {
        storage.read(file, 'F20261125DEF456', 2);
      } catch (e) {
        return e as FormFileCorruptError;
      }
      throw new Error('expected an error');
    })();
    expect(gone).toMatchObject({ code: 'FORM_FILE_CORRUPT', status: 500 });
    expect(gone.userMessage).toContain('不存在');
  });

  it('refuses paths that would leave the folder', () => {
    expect(() => storage.absolute('../etc/passwd')).toThrow(/leaves the storage folder/);
    expect(() => storage.write('../X', 1, pdf)).toThrow(/not safe/);
  });
});
