import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInputs, buildState, consoleInputs, markBuilt, STAMP, TARGETS } from './build-freshness';

describe('build freshness (what `gateway` rebuilds before it runs)', () => {
  let root: string;
  const write = (rel: string, text = 'x', mtimeMs = Date.now() - 60_000): void => {
    const file = join(root, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, new Date(mtimeMs), new Date(mtimeMs));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gw-fresh-'));
    write('package.json', '{}');
    write('tsconfig.json', '{}');
    write('nest-cli.json', '{}');
    write('src/main.ts');
    write('src/cli/main.ts');
    write('drivers/x.ts');
    write('test/bench/run.ts');
    write('src/node_modules/ignored.ts');
    write('README.md');
    write('config/default.yaml');
    write('src/console/main.ts');
    write('src/console/index.html');
    write('src/console/views/LoginView.vue');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists the compiled inputs only', () => {
    expect(buildInputs(root)).toEqual([
      'drivers/x.ts',
      'nest-cli.json',
      'package.json',
      'src/cli/main.ts',
      'src/main.ts',
      'test/bench/run.ts',
      'tsconfig.json',
    ]);
  });

  it('is stale before the first build and fresh after it', () => {
    expect(buildState(root)).toEqual({ stale: true, reason: 'no build yet' });
    markBuilt(root, Date.now());
    expect(buildState(root)).toEqual({ stale: false, reason: 'up to date' });
  });

  it('dates the stamp to when the build started', () => {
    const started = Date.now() - 5000;
    markBuilt(root, started);
    expect(Math.abs(statSync(join(root, STAMP)).mtimeMs - started)).toBeLessThan(1000);
  });

  it.each([
    ['src/cli/main.ts'],
    ['drivers/x.ts'],
    ['tsconfig.json'],
    ['package.json'],
    ['nest-cli.json'],
    ['test/bench/run.ts'],
  ])('is stale when %s changed after the build started', (file) => {
    markBuilt(root, Date.now() - 10_000);
    write(file, 'y', Date.now());
    expect(buildState(root)).toEqual({ stale: true, reason: `${file} changed` });
  });

  it('is stale when a source file was added or removed, even with an old date', () => {
    markBuilt(root, Date.now());
    write('src/new.ts', 'x', Date.now() - 3_600_000);
    expect(buildState(root)).toEqual({ stale: true, reason: 'source files were added or removed' });
    markBuilt(root, Date.now());
    rmSync(join(root, 'drivers/x.ts'));
    expect(buildState(root).stale).toBe(true);
  });

  it('ignores what is not compiled (docs, config, node_modules)', () => {
    markBuilt(root, Date.now());
    write('README.md', 'y', Date.now() + 1000);
    write('config/default.yaml', 'y', Date.now() + 1000);
    write('src/node_modules/ignored.ts', 'y', Date.now() + 1000);
    expect(buildState(root).stale).toBe(false);
  });

  describe('the console (vite build into dist/console)', () => {
    it('lists every file of src/console, the gateway modules it bundles, and package.json; the gateway none of src/console', () => {
      write('src/upstream/protocol/transactions.ts');
      expect(consoleInputs(root)).toEqual([
        'package.json',
        'src/console/index.html',
        'src/console/main.ts',
        'src/console/views/LoginView.vue',
        'src/upstream/protocol/transactions.ts',
      ]);
      expect(buildInputs(root).filter((f) => f.startsWith('src/console'))).toEqual([]);
    });

    it('has its own stamp: a console edit leaves the gateway fresh and the console stale', () => {
      markBuilt(root, Date.now() - 10_000);
      markBuilt(root, Date.now() - 10_000, TARGETS.console);
      write('src/console/views/LoginView.vue', 'y', Date.now());
      expect(buildState(root)).toEqual({ stale: false, reason: 'up to date' });
      expect(buildState(root, TARGETS.console)).toEqual({
        stale: true,
        reason: 'src/console/views/LoginView.vue changed',
      });
    });

    it('is stale before its first build even when the gateway is built', () => {
      markBuilt(root, Date.now());
      expect(buildState(root, TARGETS.console)).toEqual({ stale: true, reason: 'no build yet' });
    });

    it('is stale when a console file is added', () => {
      markBuilt(root, Date.now(), TARGETS.console);
      write('src/console/views/DeskView.vue', 'x', Date.now() - 3_600_000);
      expect(buildState(root, TARGETS.console)).toEqual({ stale: true, reason: 'source files were added or removed' });
    });
  });
});
