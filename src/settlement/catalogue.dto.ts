import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsBoolean, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ITEM_KINDS } from './rules/catalogue-values';

/** Request and response DTOs of the catalogue mapping (编码比对): imports, versions, items. */
export class CatalogueImportDto {
  @ApiProperty({ description: 'The file name as exported (kept with the version)', example: '医保对码2026-11.csv' })
  @IsString()
  @Length(1, 255)
  fileName: string;

  @ApiProperty({
    description:
      'The CSV file, Base64, byte for byte as exported: UTF-8 (with or without BOM), GBK/GB18030, or UTF-16 with BOM; comma or tab separated. Headers: see docs/settlement.md',
  })
  @IsBase64(undefined, { message: '必须是 Base64 编码的文件内容' })
  contentBase64: string;

  @ApiPropertyOptional({ description: 'Why this import (kept with the version)', example: '2026年11月目录调整' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @ApiPropertyOptional({
    description: 'Only answer the report (counts, problems, changes against the current version); store nothing',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class CatalogueVersionDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: '1, 2, 3 … in import order' }) seq: number;
  @ApiProperty({ type: String, format: 'date-time' }) importedAt: string;
  @ApiProperty({ description: 'Who imported it: `<actor type>:<actor id>`' }) importedBy: string;
  @ApiProperty() sourceName: string;
  @ApiProperty({ description: 'SHA-256 of the file, hex' }) sourceSha256: string;
  @ApiProperty({ enum: ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'gb18030', 'xlsx'] }) sourceEncoding: string;
  @ApiProperty({ description: 'Data rows read from the file' }) rowCount: number;
  @ApiProperty({ description: 'Items stored (each HIS code once)' }) itemCount: number;
  @ApiProperty({ description: 'Items stored with an insurer catalogue code' }) mappedCount: number;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ description: 'The version lookups use now' }) current: boolean;
}

export class CatalogueProblemDto {
  @ApiProperty({ description: 'The row as Excel numbers it (the header is row 1)' }) row: number;
  @ApiProperty({ example: 'CATALOGUE_ROW_KIND_UNKNOWN' }) code: string;
  @ApiProperty({ enum: ['error', 'warning'], description: 'An error refuses the whole file; warnings do not' })
  severity: 'error' | 'warning';
  @ApiProperty({ type: String, nullable: true }) hisCode: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The offending cell as read' }) value: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'A duplicate: the row the HIS code first appeared on' })
  firstRow: number | null;
  @ApiProperty({ description: 'Chinese, for desk and IT staff' }) message: string;
  @ApiProperty({ description: 'English' }) messageEn: string;
}

export class CatalogueCountsDto {
  @ApiProperty({ description: 'Data rows read (blank rows not counted)' }) read: number;
  @ApiProperty({ description: 'Items with an insurer catalogue code' }) mapped: number;
  @ApiProperty({ description: 'Items without one (stored; a warning each)' }) unmapped: number;
  @ApiProperty({ description: 'Rows repeating an earlier HIS code' }) duplicated: number;
  @ApiProperty({ description: 'Rows with a format error' }) malformed: number;
  @ApiProperty() errors: number;
  @ApiProperty() warnings: number;
}

export class RetargetDto {
  @ApiProperty() hisCode: string;
  @ApiProperty({ type: String, nullable: true, description: 'Insurer code in the current version (null: unmapped)' })
  from: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Insurer code in the file (null: unmapped)' })
  to: string | null;
}

export class CatalogueChangesDto {
  @ApiProperty({ type: String, nullable: true, description: 'The version compared with (null: none yet)' })
  previousVersionId: string | null;
  @ApiProperty({ type: Number, nullable: true }) previousSeq: number | null;
  @ApiProperty({ type: [String], description: 'HIS codes new in the file' }) added: string[];
  @ApiProperty({ type: [String], description: 'HIS codes of the current version the file leaves out' })
  removed: string[];
  @ApiProperty({ type: [RetargetDto], description: 'HIS codes whose insurer code changes' }) retargeted: RetargetDto[];
  @ApiProperty({ description: 'HIS codes with the same insurer code as before' }) unchanged: number;
}

export class CatalogueFileDto {
  @ApiProperty() name: string;
  @ApiProperty() sha256: string;
  @ApiProperty() bytes: number;
  @ApiProperty({ enum: ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'gb18030', 'xlsx'] }) encoding: string;
  @ApiProperty({ enum: ['comma', 'tab', 'sheet'], description: "'sheet': an .xlsx workbook's first sheet" })
  delimiter: 'comma' | 'tab' | 'sheet';
  @ApiProperty({ type: [String], description: 'Header cells that name no field (their columns are not read)' })
  ignoredColumns: string[];
}

export class CatalogueImportReportDto {
  @ApiProperty({
    enum: ['stored', 'already-current', 'dry-run'],
    description:
      'stored: a new version, now current; already-current: the same file (SHA-256) is the current version, nothing stored; dry-run: nothing stored',
  })
  outcome: 'stored' | 'already-current' | 'dry-run';
  @ApiProperty({ description: 'No errors: the file is (or would be) imported' }) accepted: boolean;
  @ApiProperty({ type: CatalogueFileDto }) file: CatalogueFileDto;
  @ApiProperty({ type: CatalogueCountsDto }) counts: CatalogueCountsDto;
  @ApiProperty({ type: [CatalogueProblemDto], description: 'In row order, the first 1000' })
  problems: CatalogueProblemDto[];
  @ApiProperty({ description: 'Problems not listed (beyond the first 1000)' }) problemsOmitted: number;
  @ApiProperty({ type: CatalogueChangesDto }) changes: CatalogueChangesDto;
  @ApiProperty({
    type: CatalogueVersionDto,
    nullable: true,
    description: 'The version stored (or the current one, already-current); null on a dry run',
  })
  version: CatalogueVersionDto | null;
}

export class CatalogueItemDto {
  @ApiProperty({ example: 'YP000123' }) hisCode: string;
  @ApiProperty({ example: '阿莫西林胶囊' }) hisName: string;
  @ApiProperty({ enum: ITEM_KINDS }) kind: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Insurer catalogue code (医保目录编码, med_list_codg); null: listed but not mapped (not paid)',
    example: 'XJ01CAA040A001010100001',
  })
  medListCode: string | null;
  @ApiProperty({ type: String, nullable: true }) insurerName: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'YYYY-MM-DD, inclusive' }) validFrom: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'YYYY-MM-DD, inclusive' }) validTo: string | null;
  @ApiProperty({ description: 'The version this mapping belongs to' }) versionId: string;
  @ApiProperty() versionSeq: number;
  @ApiProperty({ type: String, format: 'date-time' }) versionImportedAt: string;
}

export class CatalogueItemDetailDto {
  @ApiProperty() hisCode: string;
  @ApiProperty({
    type: CatalogueItemDto,
    nullable: true,
    description: 'In the current version; null: not listed there',
  })
  current: CatalogueItemDto | null;
  @ApiProperty({ type: [CatalogueItemDto], description: 'Every version that lists the code, newest first' })
  history: CatalogueItemDto[];
}
