import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { DOC_NAMES } from './doc-types';
import { InpatientDocumentRepository, settlementSubject, visitSubject } from './inpatient-document.repository';

/** One file of the export, as manifest.json lists it. */
export interface ExportedDocument {
  /** Path inside the export folder: `<setl_id>/<doc_type>-v<version>.pdf`. */
  file: string;
  doc_type: string;
  name: string;
  settlement: string;
  setl_id: string;
  visit: string;
  version: number;
  /** The version in force (older ones are kept and exported too). */
  current: boolean;
  sha256: string;
  size: number;
  /** The insurer's file_id, when it acknowledged this version. */
  file_id: string | null;
  upload_status: string;
  /** The bytes written hash to `sha256` (as stored, and as read back from the disk). */
  verified: boolean;
}

export interface DocumentsExport {
  month: string;
  dir: string;
  settlements: number;
  files: ExportedDocument[];
  /** Files whose stored or written bytes do not hash to the stored SHA-256. */
  failed: ExportedDocument[];
}

/**
 * Backup of R12 (协议 23 "做好数据备份"): every kept version of the four documents of each inpatient
 * settlement settled in `month` (Beijing), written to `<outDir>/documents-<month>/<setl_id>/` with
 * manifest.json, each file's SHA-256 checked against the stored one as it is written and again as
 * read back. Reads the database only (works while the gateway is stopped). Writing again overwrites
 * the same files.
 */
export async function exportDocuments(dataSource: DataSource, month: string, outDir: string): Promise<DocumentsExport> {
  const repository = new InpatientDocumentRepository(dataSource);
  const sets = await repository.setsSettledBetween(`${month}-01`, `${month}-31`);
  const dir = join(outDir, `documents-${month}`);
  mkdirSync(dir, { recursive: true });
  const files: ExportedDocument[] = [];
  for (const set of sets) {
    const folder = safeName(set.setlId);
    mkdirSync(join(dir, folder), { recursive: true });
    const rows = await repository.allOf([visitSubject(set.mdtrtId), settlementSubject(set.settlementId)]);
    const newest = new Map<string, number>();
    rows.forEach((r) => newest.set(r.docType, Math.max(newest.get(r.docType) ?? 0, r.version)));
    for (const row of rows) {
      const bytes = Buffer.from(row.pdfBase64, 'base64');
      const file = `${folder}/${row.docType}-v${row.version}.pdf`;
      const path = join(dir, file);
      writeFileSync(path, bytes);
      const verified = sha256(bytes) === row.sha256 && sha256(readFileSync(path)) === row.sha256;
      files.push({
        file,
        doc_type: row.docType,
        name: DOC_NAMES[row.docType],
        settlement: set.settlementId,
        setl_id: set.setlId,
        visit: set.mdtrtId,
        version: row.version,
        current: newest.get(row.docType) === row.version,
        sha256: row.sha256,
        size: row.size,
        file_id: row.fileId,
        upload_status: row.status,
        verified,
      });
    }
  }
  const manifest = { month, settlements: sets.length, files };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { month, dir, settlements: sets.length, files, failed: files.filter((f) => !f.verified) };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A setl_id as a folder name (the insurer's ids are letters and digits; anything else becomes _). */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
