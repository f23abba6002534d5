import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sqlChunks, SqlDialect } from '../platform';
import type { CatalogueItem } from './rules/catalogue-rows';
import type { ItemKind } from './rules/catalogue-values';
import type { CatalogueItemRow } from './settlement.entity';

/** Rows per multi-row VALUES statement or IN list: 500 × 9 columns stays far below either driver's parameter limit. */
const CHUNK = 500;

const COLUMN_ALIASES: ReadonlyArray<[string, string]> = [
  ['version_id', 'versionId'],
  ['his_code', 'hisCode'],
  ['his_name', 'hisName'],
  ['kind', 'kind'],
  ['med_list_codg', 'medListCode'],
  ['insurer_name', 'insurerName'],
  ['valid_from', 'validFrom'],
  ['valid_to', 'validTo'],
  ['source_row', 'sourceRow'],
];

/** The item columns under their property names, optionally of a table alias (`i.`). */
function itemColumns(table = ''): string {
  return COLUMN_ALIASES.map(([column, alias]) => `${table}${column} AS "${alias}"`).join(', ');
}

/** An item with the version it belongs to, for a code's history. */
export interface ItemInVersion {
  item: CatalogueItemRow;
  seq: number;
  importedAt: Date;
}

/** settlement_catalogue_item: the items of each version, written once with their version. */
@Injectable()
export class CatalogueItemRepository {
  /** Writes a new version's items (each HIS code once), 500 a statement. */
  async insertAll(m: EntityManager, versionId: string, items: readonly CatalogueItem[]): Promise<void> {
    const d = SqlDialect.of(m);
    for (const chunk of sqlChunks(items, CHUNK)) {
      await d.run(
        m,
        `INSERT INTO settlement_catalogue_item (version_id, his_code, his_name, kind, med_list_codg, insurer_name, valid_from, valid_to, source_row) VALUES ${d.values(chunk.length, 9)}`,
        chunk.flatMap((i) => [
          versionId,
          i.hisCode,
          i.hisName,
          i.kind,
          i.medListCode,
          i.insurerName,
          i.validFrom,
          i.validTo,
          i.row,
        ]),
      );
    }
  }

  /** HIS code → insurer code (null: unmapped) of every item of a version: what an import is compared with. */
  async targetsOf(m: EntityManager, versionId: string): Promise<Map<string, string | null>> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT his_code AS "hisCode", med_list_codg AS "medListCode" FROM settlement_catalogue_item WHERE version_id = ${d.p(1)}`,
      [versionId],
    );
    return new Map(rows.map((r) => [String(r.hisCode), textOrNull(r.medListCode)]));
  }

  /** The items of a version with these HIS codes (codes it does not list are absent). */
  async ofCodes(m: EntityManager, versionId: string, hisCodes: readonly string[]): Promise<CatalogueItemRow[]> {
    const d = SqlDialect.of(m);
    const out: CatalogueItemRow[] = [];
    for (const chunk of sqlChunks([...new Set(hisCodes)], CHUNK)) {
      const { rows } = await d.run(
        m,
        `SELECT ${itemColumns()} FROM settlement_catalogue_item WHERE version_id = ${d.p(1)} AND his_code IN (${d.list(chunk.length, 2)})`,
        [versionId, ...chunk],
      );
      out.push(...rows.map(toItem));
    }
    return out;
  }

  /** Every version that lists this HIS code, newest first. */
  async historyOf(m: EntityManager, hisCode: string): Promise<ItemInVersion[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${itemColumns('i.')}, v.seq AS "seq", v.imported_at AS "importedAt"
         FROM settlement_catalogue_item i JOIN settlement_catalogue_version v ON v.id = i.version_id
        WHERE i.his_code = ${d.p(1)} ORDER BY v.seq DESC`,
      [hisCode],
    );
    return rows.map((r) => ({ item: toItem(r), seq: Number(r.seq), importedAt: d.readTime(r.importedAt) }));
  }
}

function toItem(r: Record<string, unknown>): CatalogueItemRow {
  const text = textOrNull;
  return {
    versionId: String(r.versionId),
    hisCode: String(r.hisCode),
    hisName: String(r.hisName),
    kind: String(r.kind) as ItemKind,
    medListCode: text(r.medListCode),
    insurerName: text(r.insurerName),
    validFrom: text(r.validFrom),
    validTo: text(r.validTo),
    sourceRow: Number(r.sourceRow),
  };
}

function textOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
