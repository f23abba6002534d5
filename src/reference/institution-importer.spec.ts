import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { agreementSourcePath } from './agreement-source';
import type { ImportWarning, InstitutionDataset } from './institution';
import { formatWarning, importInstitutions } from './institution-importer';

const SEED_PATH = agreementSourcePath();
const COMMITTED_DIR = path.resolve(__dirname, '../../config/reference');

function requireSeed(): string {
  if (!existsSync(SEED_PATH)) {
    throw new Error(`Seed ${SEED_PATH} not found: it is part of the repository (config/reference/source/)`);
  }
  return SEED_PATH;
}

describe(importInstitutions.name, () => {
  let outDir: string;
  let result: ReturnType<typeof importInstitutions>;

  beforeAll(() => {
    outDir = mkdtempSync(path.join(tmpdir(), 'institutions-'));
    result = importInstitutions(requireSeed(), outDir);
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('writes institutions.json byte-identical to the committed config/reference copy', () => {
    expect(result.outFile).toBe(path.join(outDir, 'institutions.json'));
    expect(readFileSync(result.outFile, 'utf8')).toBe(
      readFileSync(path.join(COMMITTED_DIR, 'institutions.json'), 'utf8'),
    );
  });

  it('writes institutions.warnings.json byte-identical to the committed copy', () => {
    expect(readFileSync(path.join(outDir, 'institutions.warnings.json'), 'utf8')).toBe(
      readFileSync(path.join(COMMITTED_DIR, 'institutions.warnings.json'), 'utf8'),
    );
  });

  it('writes 93 institutions, medical then rehab then assistive-device, each by 序号', () => {
    const written = JSON.parse(readFileSync(result.outFile, 'utf8')) as InstitutionDataset;
    expect(written.institutions).toHaveLength(93);
    expect(written.counts).toEqual({ medical: 74, rehab: 14, 'assistive-device': 5 });
    expect(written.version).toBe('2026-03');
    expect(written.source.file).toBe('004_6c7349c0953d4533.txt');
    expect(written.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    const order = written.institutions.map((institution) => `${institution.kind}#${institution.seq}`);
    expect(order.slice(0, 2)).toEqual(['medical#1', 'medical#2']);
    expect(order.slice(73, 76)).toEqual(['medical#74', 'rehab#1', 'rehab#2']);
    expect(order.slice(87)).toEqual([
      'rehab#14',
      'assistive-device#1',
      'assistive-device#2',
      'assistive-device#3',
      'assistive-device#4',
      'assistive-device#5',
    ]);
    expect(written).toEqual(result.dataset);
  });

  it('is byte-identical when run twice', () => {
    const again = mkdtempSync(path.join(tmpdir(), 'institutions-'));
    try {
      importInstitutions(SEED_PATH, again);
      expect(readFileSync(path.join(again, 'institutions.json'))).toEqual(readFileSync(result.outFile));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('ends the files with a newline', () => {
    expect(readFileSync(result.outFile, 'utf8').endsWith('}\n')).toBe(true);
    expect(readFileSync(path.join(outDir, 'institutions.warnings.json'), 'utf8').endsWith(']\n')).toBe(true);
  });
});

describe(formatWarning.name, () => {
  it('names the annex, the row and the institution', () => {
    const warning: ImportWarning = {
      kind: 'rehab',
      seq: 6,
      name: '宁夏回族自治区工人疗养院',
      code: 'CREDIT_CODE_CHECKSUM',
      message: 'credit code 12640000454003273X fails the GB 32100 check (expected check character K) — kept as printed',
    };
    expect(formatWarning(warning)).toBe(
      '附件5 #6 宁夏回族自治区工人疗养院: credit code 12640000454003273X fails the GB 32100 check (expected check character K) — kept as printed',
    );
  });

  it('omits the row when the warning is about a whole annex', () => {
    expect(
      formatWarning({
        kind: 'assistive-device',
        seq: null,
        name: null,
        code: 'ANNEX_MISSING',
        message: '附件6 not found in the text',
      }),
    ).toBe('附件6: 附件6 not found in the text');
  });
});
