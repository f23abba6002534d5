import { existsSync, mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsyncDirectory, writeFileAtomically } from './durable-files';

describe(writeFileAtomically.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'durable-'))));
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the file with the new content and leaves no temp file', async () => {
    const path = join(dir, 'acked.json');
    await writeFileAtomically(path, '{"ackedThrough":1}\n');
    await writeFileAtomically(path, '{"ackedThrough":2}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"ackedThrough":2}\n');
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('fsyncs the directory on Linux', async () => {
    expect(await fsyncDirectory(dir)).toBe(process.platform === 'win32' ? 'unsupported' : 'synced');
  });

  it.each(['EISDIR', 'EPERM', 'EINVAL'])(
    'goes on without the directory fsync when the OS refuses to open a directory (%s, as Windows does)',
    async (code) => {
      jest.spyOn(fs, 'open').mockRejectedValueOnce(Object.assign(new Error(`${code}: refused`), { code }));
      expect(await fsyncDirectory(dir)).toBe('unsupported');
    },
  );

  // On Windows the directory is never opened, so there is no failure to report.
  (process.platform === 'win32' ? it.skip : it)(
    'reports any other failure of the directory fsync (not on Windows)',
    async () => {
      jest.spyOn(fs, 'open').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
      await expect(fsyncDirectory(dir)).rejects.toThrow('EIO');
    },
  );
});
