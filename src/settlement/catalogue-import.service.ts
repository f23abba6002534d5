import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, type Principal, Transactions, uuidv7 } from '../platform';
import { CatalogueItemRepository } from './catalogue-item.repository';
import { CatalogueVersionRepository } from './catalogue-version.repository';
import { diffMappings } from './rules/catalogue-diff';
import { readCatalogueTable } from './catalogue-spreadsheet';
import { judgeCatalogueTable, type JudgedCatalogue } from './rules/catalogue-rows';
import type { CatalogueImportReportDto } from './catalogue.dto';
import type { CatalogueVersion } from './settlement.entity';
import { MAX_PROBLEMS_LISTED, SETTLEMENT_ERRORS, SETTLEMENT_MESSAGES } from './settlement.errors';
import { toImportReport, toProblemDetail, toVersionDto } from './settlement.mapper';

/** A mapping file as received: its name and its bytes. */
export interface CatalogueFile {
  name: string;
  bytes: Buffer;
}

export interface CatalogueImportOptions {
  dryRun?: boolean;
  note?: string;
}

/**
 * Use case: import the hospital's mapping file (编码比对, 协议 19) as a new mapping version.
 *
 * The file is judged whole before anything is stored: a file with any error row is refused as a
 * whole (CATALOGUE_IMPORT_INVALID, every error row in details), nothing stored or changed; warnings
 * (unmapped items, identical duplicates, a code that does not look like its kind) never refuse. An
 * accepted file becomes a new version, its items and the move of the current pointer in one
 * transaction with its audit entry. The same file as the current version (same SHA-256) stores nothing.
 */
@Injectable()
export class CatalogueImportService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly versions: CatalogueVersionRepository,
    private readonly items: CatalogueItemRepository,
  ) {}

  async import(
    principal: Principal,
    file: CatalogueFile,
    options: CatalogueImportOptions = {},
  ): Promise<CatalogueImportReportDto> {
    const judged = judgeCatalogueTable(await readCatalogueTable(file.bytes));
    const facts = { name: file.name, sha256: sha256(file.bytes), bytes: file.bytes.length };
    if (options.dryRun) {
      const reader = this.transactions.reader;
      return this.report(reader, 'dry-run', facts, judged, await this.versions.current(reader));
    }
    const errors = judged.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      throw SETTLEMENT_ERRORS.raise('CATALOGUE_IMPORT_INVALID', {
        message: SETTLEMENT_MESSAGES.importInvalid([...new Set(errors.map((p) => p.row))]),
        details: errors.slice(0, MAX_PROBLEMS_LISTED).map(toProblemDetail),
      });
    }
    return this.transactions.run(async (m) => {
      const previous = await this.versions.lockCurrent(m);
      if (previous?.sourceSha256 === facts.sha256) {
        return this.report(m, 'already-current', facts, judged, previous, toVersionDto(previous, previous.id));
      }
      const version = await this.store(m, principal, facts, judged, options.note);
      const report = await this.report(m, 'stored', facts, judged, previous, toVersionDto(version, version.id));
      await this.audit.record(
        {
          actor: principal,
          action: 'settlement.catalogue.import',
          outcome: 'success',
          details: {
            versionId: version.id,
            seq: version.seq,
            previousVersionId: previous?.id ?? null,
            sourceName: version.sourceName,
            sha256: version.sourceSha256,
            rows: judged.counts.read,
            mapped: judged.counts.mapped,
            unmapped: judged.counts.unmapped,
            warnings: report.counts.warnings,
            added: report.changes.added.length,
            removed: report.changes.removed.length,
            retargeted: report.changes.retargeted.length,
          },
        },
        m,
      );
      return report;
    });
  }

  /** The new version, its items, and the pointer moved to it. */
  private async store(
    m: EntityManager,
    principal: Principal,
    file: { name: string; sha256: string },
    judged: JudgedCatalogue,
    note: string | undefined,
  ): Promise<CatalogueVersion> {
    const now = this.clock.now();
    const importedBy = `${principal.type}:${principal.id}`.slice(0, 100);
    const version: CatalogueVersion = {
      id: uuidv7(),
      seq: await this.versions.nextSeq(m),
      importedAt: now,
      importedBy,
      sourceName: file.name.slice(0, 255),
      sourceSha256: file.sha256,
      sourceEncoding: judged.encoding,
      rowCount: judged.counts.read,
      itemCount: judged.items.length,
      mappedCount: judged.counts.mapped,
      note: note?.trim() ? note.trim().slice(0, 500) : null,
    };
    await this.versions.insert(m, version);
    await this.items.insertAll(m, version.id, judged.items);
    await this.versions.setCurrent(m, version.id, now, importedBy);
    return version;
  }

  /** The report: the file judged, compared with `previous` (the version current before this import). */
  private async report(
    m: EntityManager,
    outcome: CatalogueImportReportDto['outcome'],
    file: { name: string; sha256: string; bytes: number },
    judged: JudgedCatalogue,
    previous: CatalogueVersion | null,
    version: CatalogueImportReportDto['version'] = null,
  ): Promise<CatalogueImportReportDto> {
    const before = previous ? await this.items.targetsOf(m, previous.id) : new Map<string, string | null>();
    const after = new Map(judged.items.map((i) => [i.hisCode, i.medListCode]));
    const changes = diffMappings(before, after);
    return toImportReport({ outcome, file, judged, changes, previous, version });
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
