import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ItemKind } from './rules/catalogue-values';

/**
 * Tables of the settlement capability (migration SettlementCatalogue). The catalogue mapping
 * (编码比对): versions and their items are written once and never changed (the database refuses
 * UPDATE and DELETE); the one row of settlement_catalogue_current names the version lookups use.
 * catalogue-version.repository.ts and catalogue-item.repository.ts hold their SQL.
 */

/** One import of the hospital's mapping file. */
@Entity({ name: 'settlement_catalogue_version' })
@Index('ux_settlement_catalogue_version_seq', ['seq'], { unique: true })
export class CatalogueVersion {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** 1, 2, 3 … in import order: what staff call the version. */
  @Column({ type: 'integer' })
  seq: number;

  @Column({ name: 'imported_at' })
  importedAt: Date;

  /** `<actor type>:<actor id>` (an API key id, `cli:<os user>`). */
  @Column({ name: 'imported_by', type: 'varchar', length: 100 })
  importedBy: string;

  @Column({ name: 'source_name', type: 'varchar', length: 255 })
  sourceName: string;

  /** SHA-256 of the file's bytes, hex. */
  @Column({ name: 'source_sha256', type: 'varchar', length: 64 })
  sourceSha256: string;

  @Column({ name: 'source_encoding', type: 'varchar', length: 16 })
  sourceEncoding: string;

  /** Data rows read from the file. */
  @Column({ name: 'row_count', type: 'integer' })
  rowCount: number;

  /** Items stored (each HIS code once). */
  @Column({ name: 'item_count', type: 'integer' })
  itemCount: number;

  /** Items stored with an insurer catalogue code. */
  @Column({ name: 'mapped_count', type: 'integer' })
  mappedCount: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;
}

/** One HIS item of a version and its insurer catalogue code. */
@Entity({ name: 'settlement_catalogue_item' })
@Index('ix_settlement_catalogue_item_his_code', ['hisCode'])
export class CatalogueItemRow {
  @PrimaryColumn({ name: 'version_id', type: 'varchar', length: 36 })
  versionId: string;

  @PrimaryColumn({ name: 'his_code', type: 'varchar', length: 50 })
  hisCode: string;

  @Column({ name: 'his_name', type: 'varchar', length: 500 })
  hisName: string;

  @Column({ type: 'varchar', length: 12 })
  kind: ItemKind;

  /** The insurer catalogue code (医保目录编码, med_list_codg); null: listed but not mapped. */
  @Column({ name: 'med_list_codg', type: 'varchar', length: 50, nullable: true })
  medListCode: string | null;

  @Column({ name: 'insurer_name', type: 'varchar', length: 500, nullable: true })
  insurerName: string | null;

  /** YYYY-MM-DD, inclusive; null: open. */
  @Column({ name: 'valid_from', type: 'varchar', length: 10, nullable: true })
  validFrom: string | null;

  @Column({ name: 'valid_to', type: 'varchar', length: 10, nullable: true })
  validTo: string | null;

  /** The row of the file it came from (the header is row 1). */
  @Column({ name: 'source_row', type: 'integer' })
  sourceRow: number;
}

/** The single row naming the current version (null before the first import). */
@Entity({ name: 'settlement_catalogue_current' })
export class CatalogueCurrent {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  slot: string;

  @Column({ name: 'version_id', type: 'varchar', length: 36, nullable: true })
  versionId: string | null;

  @Column({ name: 'set_at', type: Date, nullable: true })
  setAt: Date | null;

  @Column({ name: 'set_by', type: 'varchar', length: 100, nullable: true })
  setBy: string | null;
}

export const SETTLEMENT_ENTITIES = [CatalogueVersion, CatalogueItemRow, CatalogueCurrent];
