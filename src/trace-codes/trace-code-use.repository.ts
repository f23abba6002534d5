import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sqlChunks, SqlDialect } from '../platform';
import type { UploadState } from './trace-codes.entity';
import { ARRAY_CHUNK, CHUNK } from './trace-code.repository';

/** A running dispensing of a box, with the line it is on. */
export interface ActiveUse {
  useId: string;
  code: string;
  lineId: string;
  visitId: string;
  lineNo: string;
  medListCode: string;
  dispensedAt: Date;
  upload: UploadState;
  uploadRef: string | null;
}

/** One operation's uses of one line: they share line, visit, split flag, operation and source. */
export interface NewUses {
  ids: readonly string[];
  codes: readonly string[];
  lineId: string;
  visitId: string;
  split: boolean;
  operationId: string;
  source: string;
}

/**
 * trace_code_use: each dispensing of a box on a line, never deleted (a return ends it), with the
 * state of its upload to the insurer. Uses of a box are only added under the box's row lock
 * (TraceCodeRepository.lockStates), so what a transaction reads here after that lock holds.
 */
@Injectable()
export class TraceCodeUseRepository {
  /**
   * The running dispensings of these codes, with where and when, oldest first: one for a box dispensed
   * whole, one or more for a box opened for split dispensing (split-open).
   */
  async active(m: EntityManager, codes: readonly string[]): Promise<ActiveUse[]> {
    const d = SqlDialect.of(m);
    const out: ActiveUse[] = [];
    for (const chunk of sqlChunks(codes, CHUNK)) {
      const { rows } = await d.run(
        m,
        `SELECT u.id AS "useId", u.code, u.line_id AS "lineId", u.visit_id AS "visitId", l.line_no AS "lineNo", l.med_list_code AS "medListCode", u.dispensed_at AS "dispensedAt", u.upload, u.upload_ref AS "uploadRef"
         FROM trace_code_use u JOIN trace_dispensing_line l ON l.id = u.line_id
         WHERE u.code IN (${d.list(chunk.length)}) AND u.state = 'dispensed' ORDER BY u.dispensed_at, u.id`,
        chunk,
      );
      out.push(...rows.map((r) => toActiveUse(d, r)));
    }
    return out;
  }

  /** As `active`, grouped by code. */
  async activeByCode(m: EntityManager, codes: readonly string[]): Promise<Map<string, ActiveUse[]>> {
    const out = new Map<string, ActiveUse[]>();
    for (const u of codes.length > 0 ? await this.active(m, codes) : []) {
      out.set(u.code, [...(out.get(u.code) ?? []), u]);
    }
    return out;
  }

  /** The codes each line holds now, in the order they were dispensed. */
  async codesOfLines(m: EntityManager, lineIds: readonly string[]): Promise<Map<string, string[]>> {
    const d = SqlDialect.of(m);
    const out = new Map<string, string[]>();
    for (const chunk of sqlChunks(lineIds, CHUNK)) {
      const { rows } = await d.run(
        m,
        `SELECT line_id AS "lineId", code FROM trace_code_use WHERE line_id IN (${d.list(chunk.length)}) AND state = 'dispensed' ORDER BY dispensed_at, id`,
        chunk,
      );
      for (const r of rows) {
        const list = out.get(String(r.lineId)) ?? [];
        list.push(String(r.code));
        out.set(String(r.lineId), list);
      }
    }
    return out;
  }

  /** Records the uses, dispensed and pending upload. PostgreSQL: only the two per-row columns travel as arrays. */
  async insert(m: EntityManager, uses: NewUses, now: Date): Promise<void> {
    const d = SqlDialect.of(m);
    const at = d.time(now);
    const { lineId, visitId, split, operationId, source } = uses;
    const size = d.arrays ? ARRAY_CHUNK : CHUNK;
    for (let i = 0; i < uses.ids.length; i += size) {
      const ids = uses.ids.slice(i, i + size);
      const codes = uses.codes.slice(i, i + size);
      if (d.arrays) {
        await d.run(
          m,
          `INSERT INTO trace_code_use (id, code, line_id, visit_id, split, state, upload, operation_id, source, dispensed_at)
           SELECT id, code, $3, $4, $5, 'dispensed', 'pending', $6, $7, $8 FROM unnest($1::text[], $2::text[]) AS t(id, code)`,
          [ids, codes, lineId, visitId, d.bool(split), operationId, source, at],
        );
        continue;
      }
      const params = ids.flatMap((id, k) => [
        id,
        codes[k],
        lineId,
        visitId,
        d.bool(split),
        'dispensed',
        'pending',
        operationId,
        source,
        at,
      ]);
      await d.run(
        m,
        `INSERT INTO trace_code_use (id, code, line_id, visit_id, split, state, upload, operation_id, source, dispensed_at) VALUES ${d.values(ids.length, 10)}`,
        params,
      );
    }
  }

  /** Ends running dispensings (a return): a pending upload is cancelled, an upload already made stays as it was. */
  async end(m: EntityManager, useIds: readonly string[], reason: string, now: Date): Promise<number> {
    const d = SqlDialect.of(m);
    let ended = 0;
    for (const chunk of sqlChunks(useIds, CHUNK)) {
      const { affected } = await d.run(
        m,
        `UPDATE trace_code_use SET state = 'returned', ended_at = ${d.p(1)}, end_reason = ${d.p(2)},
           upload = CASE WHEN upload = 'pending' THEN 'cancelled' ELSE upload END
         WHERE id IN (${d.list(chunk.length, 3)}) AND state = 'dispensed'`,
        [d.time(now), reason, ...chunk],
      );
      ended += affected;
    }
    return ended;
  }

  /** Marks a visit's pending codes as carried by settlement `setlId`. */
  async markVisitUploaded(m: EntityManager, visitId: string, setlId: string): Promise<number> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE trace_code_use SET upload = 'uploaded', upload_ref = ${d.p(1)} WHERE visit_id = ${d.p(2)} AND state = 'dispensed' AND upload = 'pending'`,
      [setlId, visitId],
    );
    return affected;
  }

  /**
   * Undoes `markVisitUploaded` for settlement `setlId` (cancelled by the insurer): its running uses
   * are pending again (the next settlement carries them), its returned ones cancelled (nothing left
   * to upload). Counts per new state; a second call finds nothing.
   */
  async releaseVisitUploaded(
    m: EntityManager,
    visitId: string,
    setlId: string,
  ): Promise<{ pending: number; cancelled: number }> {
    const d = SqlDialect.of(m);
    const release = async (state: string, to: UploadState): Promise<number> =>
      (
        await d.run(
          m,
          `UPDATE trace_code_use SET upload = ${d.p(1)}, upload_ref = NULL
           WHERE visit_id = ${d.p(2)} AND upload_ref = ${d.p(3)} AND upload = 'uploaded' AND state ${state}`,
          [to, visitId, setlId],
        )
      ).affected;
    return {
      pending: await release(`= 'dispensed'`, 'pending'),
      cancelled: await release(`<> 'dispensed'`, 'cancelled'),
    };
  }
}

function toActiveUse(d: SqlDialect, r: Record<string, unknown>): ActiveUse {
  return {
    useId: String(r.useId),
    code: String(r.code),
    lineId: String(r.lineId),
    visitId: String(r.visitId),
    lineNo: String(r.lineNo),
    medListCode: String(r.medListCode),
    dispensedAt: d.readTime(r.dispensedAt),
    upload: r.upload as UploadState,
    uploadRef: (r.uploadRef as string | null) ?? null,
  };
}
