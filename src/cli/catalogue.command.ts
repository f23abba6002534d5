import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  auditServiceOn,
  DomainError,
  GatewayConfig,
  loadKeyring,
  PiiCryptoService,
  type Principal,
  SystemClock,
} from '../platform';
import type { CatalogueImportReportDto, CatalogueItemDto } from '../settlement/catalogue.dto';
import { catalogueServicesOn } from '../settlement/standalone-settlement';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

const USE =
  'use: catalogue import <file.xlsx|file.csv> [--dry-run] [--note <text>] | catalogue list | catalogue show <hisCode>';
/** How many HIS codes of each change the terminal lists (the API answers them all). */
const LISTED = 20;

/** `catalogue import|list|show`: the catalogue mapping (编码比对), as the API offers it. */
export async function catalogueCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: { 'dry-run'?: boolean; note?: string },
  actor: Pick<Principal, 'type' | 'id'>,
  out: CliOutput,
): Promise<number> {
  if ((sub !== 'import' && sub !== 'list' && sub !== 'show') || (sub !== 'list' && !rest[0])) {
    throw new CliError(USE);
  }
  const bytes = sub === 'import' ? readFile(rest[0]) : undefined;
  return withDataSource(config, async (dataSource) => {
    const clock = new SystemClock();
    const audit = auditServiceOn(dataSource, new PiiCryptoService(loadKeyring(config.pii)), clock);
    const { imports, mapping } = catalogueServicesOn(dataSource, clock, audit);
    try {
      if (sub === 'import' && bytes) {
        const principal: Principal = { ...actor, name: actor.id, scopes: ['settlement'] };
        const report = await imports.import(
          principal,
          { name: basename(rest[0]), bytes },
          { dryRun: options['dry-run'], note: options.note },
        );
        printReport(report, out);
        return report.accepted ? 0 : 1;
      }
      if (sub === 'list') {
        for (const v of await mapping.listVersions()) {
          out.log(
            `${v.current ? '*' : ' '} v${v.seq}  ${v.importedAt}  ${v.importedBy}  ${v.itemCount} items (${v.mappedCount} mapped)  ${v.sourceName}  sha256 ${v.sourceSha256.slice(0, 12)}  ${v.note ?? ''}`,
          );
        }
        return 0;
      }
      const detail = await mapping.item(rest[0]);
      out.log(
        detail.current ? `current: ${itemLine(detail.current)}` : `${detail.hisCode} is not in the current version`,
      );
      out.log('history (newest first):');
      for (const h of detail.history) {
        out.log(`  ${itemLine(h)}`);
      }
      return 0;
    } catch (e) {
      if (e instanceof DomainError) {
        printRefusal(e, out);
        return 1;
      }
      throw e;
    }
  });
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function itemLine(i: CatalogueItemDto): string {
  const validity = i.validFrom || i.validTo ? `  valid ${i.validFrom ?? '…'} ~ ${i.validTo ?? '…'}` : '';
  return `v${i.versionSeq} (${i.versionImportedAt})  ${i.hisCode} ${i.hisName} [${i.kind}] → ${i.medListCode ?? 'UNMAPPED (未对码)'} ${i.insurerName ?? ''}${validity}`;
}

function printReport(r: CatalogueImportReportDto, out: CliOutput): void {
  const c = r.counts;
  out.log(
    `file ${r.file.name}: ${r.file.bytes} bytes, ${r.file.delimiter === 'sheet' ? 'Excel workbook (first sheet)' : `${r.file.encoding}, ${r.file.delimiter}-separated`}, sha256 ${r.file.sha256}`,
  );
  if (r.file.ignoredColumns.length > 0) {
    out.log(`ignored columns: ${r.file.ignoredColumns.join(', ')}`);
  }
  out.log(
    `rows read ${c.read}: mapped ${c.mapped}, unmapped ${c.unmapped}, duplicated ${c.duplicated}, malformed ${c.malformed} (${c.errors} errors, ${c.warnings} warnings)`,
  );
  const ch = r.changes;
  out.log(
    `changes against ${ch.previousSeq === null ? 'no version (first import)' : `version ${ch.previousSeq}`}: ` +
      `${ch.added.length} added, ${ch.removed.length} removed, ${ch.retargeted.length} retargeted, ${ch.unchanged} unchanged`,
  );
  listCodes('added', ch.added, out);
  listCodes('removed', ch.removed, out);
  listCodes(
    'retargeted',
    ch.retargeted.map((t) => `${t.hisCode}: ${t.from ?? 'unmapped'} → ${t.to ?? 'unmapped'}`),
    out,
  );
  for (const p of r.problems) {
    out.log(`  row ${p.row}  ${p.severity.toUpperCase().padEnd(7)} ${p.code}${p.hisCode ? `  ${p.hisCode}` : ''}`);
    out.log(`      ${p.message}`);
    out.log(`      ${p.messageEn}`);
  }
  if (r.problemsOmitted > 0) {
    out.log(`  … and ${r.problemsOmitted} more problems`);
  }
  out.log(outcomeLine(r));
}

function listCodes(label: string, codes: readonly string[], out: CliOutput): void {
  if (codes.length > 0) {
    const more = codes.length > LISTED ? `, … (${codes.length - LISTED} more)` : '';
    out.log(`  ${label}: ${codes.slice(0, LISTED).join(', ')}${more}`);
  }
}

function outcomeLine(r: CatalogueImportReportDto): string {
  switch (r.outcome) {
    case 'stored':
      return `Stored as version ${r.version?.seq} (${r.version?.id}); it is now current.`;
    case 'already-current':
      return `The current version ${r.version?.seq} is this same file (same SHA-256): nothing stored.`;
    case 'dry-run':
      return r.accepted
        ? 'Dry run: nothing stored. The file would be accepted.'
        : 'Dry run: nothing stored. The file would be REFUSED: correct the error rows above. 文件有错误行，将被拒绝导入。';
  }
}

function printRefusal(e: DomainError, out: CliOutput): void {
  out.error(`${e.code}: ${e.userMessage}`);
  for (const d of e.details ?? []) {
    out.error(`  ${d.field ?? ''}  ${d.code ?? ''}${d.context?.hisCode ? `  ${d.context.hisCode}` : ''}`);
    out.error(`      ${d.message}`);
    if (d.context?.en) {
      out.error(`      ${d.context.en}`);
    }
  }
  if (e.code === 'CATALOGUE_IMPORT_INVALID') {
    out.error(
      'The file was refused as a whole: nothing was stored or changed. Correct the rows above and import again.',
    );
  }
}
