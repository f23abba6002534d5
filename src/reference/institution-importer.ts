/**
 * Imports the agreement-institution annexes of the policy text into
 * `institutions.json` (+ `institutions.warnings.json`).
 *
 * The output is deterministic — fixed key order, fixed row order, no
 * timestamp — so re-running the import on the same seed is byte-identical and
 * the committed data can be checked against the importer in a test.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { parseInstitutionAnnexes } from './annex-parser';
import {
  ANNEX_NUMBER_BY_KIND,
  INSTITUTION_KINDS,
  type ImportWarning,
  type Institution,
  type InstitutionDataset,
  type InstitutionKind,
} from './institution';

export const INSTITUTIONS_FILE = 'institutions.json';
export const WARNINGS_FILE = 'institutions.warnings.json';

/** Used only when no annex title carries a version; the parser has then already warned. */
const UNKNOWN_VERSION = 'unknown';

export interface ImportResult {
  dataset: InstitutionDataset;
  warnings: ImportWarning[];
  /** Path of the written `institutions.json`. */
  outFile: string;
}

export function importInstitutions(seedPath: string, outDir: string): ImportResult {
  const seed = readFileSync(seedPath);
  const parsed = parseInstitutionAnnexes(seed.toString('utf8'));
  const dataset = buildDataset(parsed.institutions, parsed.version ?? UNKNOWN_VERSION, {
    // The base name only: an absolute path would make the output depend on the checkout location.
    file: basename(seedPath),
    sha256: createHash('sha256').update(seed).digest('hex'),
  });
  const warnings = parsed.warnings.map(orderWarningKeys);

  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, INSTITUTIONS_FILE);
  writeFileSync(outFile, toStableJson(dataset));
  writeFileSync(join(outDir, WARNINGS_FILE), toStableJson(warnings));
  return { dataset, warnings, outFile };
}

/**
 * One human-readable line, e.g.
 * `附件5 #6 宁夏回族自治区工人疗养院: credit code … fails the GB 32100 check (expected check character K) — kept as printed`.
 */
export function formatWarning(w: ImportWarning): string {
  const row = w.seq === null ? '' : ` #${w.seq}`;
  const name = w.name === null ? '' : ` ${w.name}`;
  return `附件${ANNEX_NUMBER_BY_KIND[w.kind]}${row}${name}: ${w.message}`;
}

function buildDataset(
  institutions: readonly Institution[],
  version: string,
  source: InstitutionDataset['source'],
): InstitutionDataset {
  const sorted = sortInstitutions(institutions).map(orderInstitutionKeys);
  return {
    version,
    source: { file: source.file, sha256: source.sha256 },
    counts: countByKind(sorted),
    institutions: sorted,
  };
}

/** Medical, rehab, assistive-device, each by 序号; the sort is stable, so equal 序号 keep source order. */
function sortInstitutions(institutions: readonly Institution[]): Institution[] {
  const rank = (kind: InstitutionKind): number => INSTITUTION_KINDS.indexOf(kind);
  return [...institutions].sort((a, b) => rank(a.kind) - rank(b.kind) || a.seq - b.seq);
}

function countByKind(institutions: readonly Institution[]): Record<InstitutionKind, number> {
  const counts: Record<InstitutionKind, number> = { medical: 0, rehab: 0, 'assistive-device': 0 };
  for (const institution of institutions) {
    counts[institution.kind] += 1;
  }
  return counts;
}

/** Rebuilds the object so the JSON key order does not depend on how the parser assembled it. */
function orderInstitutionKeys(i: Institution): Institution {
  return {
    kind: i.kind,
    seq: i.seq,
    city: i.city,
    regionCode: i.regionCode,
    name: i.name,
    grade: i.grade,
    creditCode: i.creditCode,
    address: i.address,
    phones: [...i.phones],
    ownership: i.ownership,
    insurerOffice: i.insurerOffice,
    insurerOfficePhones: [...i.insurerOfficePhones],
  };
}

function orderWarningKeys(w: ImportWarning): ImportWarning {
  return {
    kind: w.kind,
    seq: w.seq,
    name: w.name,
    code: w.code,
    message: w.message,
    ...(w.line === undefined ? {} : { line: w.line }),
  };
}

function toStableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
