import type { ErrorDetail } from '../../platform';
import { MAX_DETAILS, TRACE_CODE_ERRORS, TRACE_MESSAGES } from '../trace-codes.errors';
import { judgeScan, type DrugCode, type TraceRefusal } from './scan-judgement';

/**
 * Judging the texts of a whole request (a batch, a receipt, a return, a scrap) before anything is
 * read or written. Pure: the time is passed in.
 */

export interface JudgedBatch {
  /** The boxes, in request order, each once. */
  drugs: DrugCode[];
  /** Where each box stands in the request (for `codes[i]` in details). */
  indexOf: Map<string, number>;
}

/**
 * A capture batch: every text must be a drug code and no box may appear twice. Throws
 * TRACE_BATCH_INVALID listing every bad text.
 */
export function judgeBatch(texts: readonly string[], now: Date): JudgedBatch {
  const details: ErrorDetail[] = [];
  const drugs: DrugCode[] = [];
  const indexOf = new Map<string, number>();
  texts.forEach((text, index) => {
    const judged = judgeScan(text, now);
    if (!judged.ok) {
      details.push(refusalDetail(index, text, judged.refusal));
      return;
    }
    const earlier = indexOf.get(judged.drug.code);
    if (earlier !== undefined) {
      details.push(
        TRACE_CODE_ERRORS.detail('TRACE_CODE_DUPLICATE_IN_REQUEST', {
          field: `codes[${index}]`,
          message: TRACE_MESSAGES.duplicateInRequest(earlier),
          context: { index: String(index), code: judged.drug.code },
        }),
      );
      return;
    }
    indexOf.set(judged.drug.code, index);
    drugs.push(judged.drug);
  });
  if (details.length > 0) {
    throw TRACE_CODE_ERRORS.raise('TRACE_BATCH_INVALID', {
      message: TRACE_MESSAGES.batchInvalid(details.length),
      details: details.slice(0, MAX_DETAILS),
    });
  }
  return { drugs, indexOf };
}

/**
 * A stock request (receipt, return, scrap): every text must be a drug code; the same box twice is
 * the same box. Returns and scraps concern boxes already in the building, so they accept expired packs.
 */
export function judgeStockCodes(texts: readonly string[], now: Date, acceptExpired: boolean): DrugCode[] {
  const details: ErrorDetail[] = [];
  const byCode = new Map<string, DrugCode>();
  texts.forEach((text, index) => {
    const judged = judgeScan(text, now, { acceptExpired });
    if (judged.ok) {
      byCode.set(judged.drug.code, judged.drug);
    } else {
      details.push(refusalDetail(index, text, judged.refusal));
    }
  });
  if (details.length > 0) {
    throw TRACE_CODE_ERRORS.raise('TRACE_BATCH_INVALID', {
      message: TRACE_MESSAGES.stockBatchInvalid(details.length),
      details: details.slice(0, MAX_DETAILS),
    });
  }
  return [...byCode.values()];
}

/** One refused text of a request. What was scanned is echoed so staff can find it, except when it may be an ID number (personal data). */
export function refusalDetail(index: number, text: string, refusal: TraceRefusal): ErrorDetail {
  const context: Record<string, string> = { index: String(index) };
  if (refusal.code !== 'TRACE_CODE_NOT_A_DRUG_CODE') {
    context.code = text.trim().slice(0, 64);
  }
  return TRACE_CODE_ERRORS.detail(refusal.code, { field: `codes[${index}]`, message: refusal.message, context });
}

/** Codes in ascending order: overlapping requests then lock rows in the same order (no deadlock). */
export function byCode<T extends { code: string }>(drugs: readonly T[]): T[] {
  return [...drugs].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
