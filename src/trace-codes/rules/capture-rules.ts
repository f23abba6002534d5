import type { CatalogueError, ErrorDetail } from '../../platform';
import type { CodeState } from '../trace-codes.entity';
import {
  alreadyDispensedDetail,
  MAX_DETAILS,
  splitOpenDetail,
  TRACE_CODE_ERRORS,
  TRACE_MESSAGES,
  type CodeUse,
} from '../trace-codes.errors';
import { completeCountProblem, maxCodes } from './line-rules';
import type { DrugCode } from './scan-judgement';

/**
 * What a capture may do with the boxes it names: pure decisions on what the repositories read under
 * the line's and the boxes' locks. Each answers the refusal to throw (or nothing); the service throws it.
 */

/** The line a capture goes onto, as these rules need it. */
export interface CaptureLine {
  id: string;
  lineNo: string;
  medListCode: string;
  drugName: string;
  quantity: number;
  splitPackage: boolean;
  codeCount: number;
}

/** A running dispensing of a box (on which line, of which drug, since when). */
export interface OpenUse {
  code: string;
  lineId: string;
  visitId: string;
  lineNo: string;
  medListCode: string;
  dispensedAt: Date;
}

/** How the capture was asked: one scan (its refusal names the box alone), or a batch (details name `codes[i]`). */
export interface CaptureRequest {
  single: boolean;
  indexOf?: ReadonlyMap<string, number>;
}

/** A single scan adding one code: refused when the line already holds its quantity. */
export function lineFullRefusal(line: CaptureLine, adding: number): CatalogueError | undefined {
  if (line.codeCount + adding <= maxCodes(line)) {
    return undefined;
  }
  return TRACE_CODE_ERRORS.raise('TRACE_LINE_FULL', {
    message: TRACE_MESSAGES.lineFull(line.lineNo, line.quantity, line.codeCount),
  });
}

/**
 * A scan of a box this line already holds — HIS retrying a scan whose answer it lost (a 503 while
 * PostgreSQL restarted, a timeout) — is "already on this line", also once that box filled the line:
 * the retry learns its scan went through, never "line full". `usesOf`: the open uses of the scanned codes.
 */
export function alreadyOnLineRefusal(
  line: CaptureLine,
  usesOf: ReadonlyMap<string, readonly OpenUse[]>,
  request: CaptureRequest,
): CatalogueError | undefined {
  const onLine = [...usesOf.values()].flat().filter((u) => u.lineId === line.id);
  return onLine.length > 0
    ? knownCodesRefusal(
        onLine.map((u) => alreadyDispensedDetail(codeUse(u), true)),
        true,
        request.single,
      )
    : undefined;
}

/**
 * A batch is "all the line's codes": the count must fit the line, and the line may hold no code
 * outside the batch (a retried batch finds its own codes there and adds nothing twice).
 */
export function completeBatchRefusal(
  line: CaptureLine,
  batch: readonly string[],
  held: readonly string[],
): CatalogueError | undefined {
  const problem = completeCountProblem(line, batch.length);
  if (problem !== undefined) {
    return TRACE_CODE_ERRORS.raise('TRACE_CODE_COUNT_MISMATCH', { message: problem });
  }
  const inBatch = new Set(batch);
  const others = held.filter((c) => !inBatch.has(c));
  if (others.length === 0) {
    return undefined;
  }
  return TRACE_CODE_ERRORS.raise('TRACE_LINE_HAS_OTHER_CODES', {
    message: TRACE_MESSAGES.lineHasOtherCodes(line.lineNo, others.length),
    details: others
      .slice(0, MAX_DETAILS)
      .map((code) => TRACE_CODE_ERRORS.detail('TRACE_CODE_ON_LINE', { context: { code } })),
  });
}

/** Mapped products must belong to the line's drug (an unmapped product is not checked). */
export function drugFitRefusal(
  line: CaptureLine,
  drugs: readonly DrugCode[],
  mappings: ReadonlyMap<string, ReadonlySet<string>>,
  request: CaptureRequest,
): CatalogueError | undefined {
  const misfits = drugs.filter((x) => {
    const fits = mappings.get(x.productCode);
    return fits !== undefined && !fits.has(line.medListCode);
  });
  if (misfits.length === 0) {
    return undefined;
  }
  const message = (x: DrugCode): string =>
    TRACE_MESSAGES.productMismatch(x.productCode, [...(mappings.get(x.productCode) ?? [])], line);
  if (request.single) {
    return TRACE_CODE_ERRORS.raise('TRACE_CODE_DRUG_MISMATCH', { message: message(misfits[0]) });
  }
  return TRACE_CODE_ERRORS.raise('TRACE_CODE_DRUG_MISMATCH', {
    message: TRACE_MESSAGES.batchDrugMismatch(misfits.length),
    details: misfits.slice(0, MAX_DETAILS).map((x) => {
      const index = request.indexOf?.get(x.code);
      return TRACE_CODE_ERRORS.detail('TRACE_CODE_DRUG_MISMATCH', {
        field: `codes[${index}]`,
        message: message(x),
        context: { index: String(index), code: x.code },
      });
    }),
  });
}

export interface KnownCodesDecision {
  /** Received or returned boxes: taken now (dispensed whole, or opened on a split line). */
  free: string[];
  refusal?: CatalogueError;
}

/**
 * Boxes already known. Received or returned ones are free. A split-open box may also feed this line
 * when the line is split too, is not already holding it, and is of the same drug as the lines already
 * sharing it. Anything else (dispensed whole, split-open on a whole-box line, scrapped) refuses the
 * whole request. `usesOf` holds the open uses of the boxes that are not free.
 */
export function judgeKnownCodes(
  line: CaptureLine,
  known: readonly string[],
  states: ReadonlyMap<string, CodeState>,
  usesOf: ReadonlyMap<string, readonly OpenUse[]>,
  request: CaptureRequest,
): KnownCodesDecision {
  const free = known.filter((c) => isFree(states.get(c)));
  const details: ErrorDetail[] = [];
  let conflict = false;
  for (const code of known.filter((c) => !isFree(states.get(c)))) {
    const index = request.single ? undefined : request.indexOf?.get(code);
    const detail = knownCodeProblem(line, code, states.get(code), usesOf.get(code) ?? [], index);
    if (detail !== undefined) {
      conflict ||= detail.code !== 'TRACE_CODE_DRUG_MISMATCH';
      details.push(detail);
    }
  }
  return { free, refusal: details.length > 0 ? knownCodesRefusal(details, conflict, request.single) : undefined };
}

/** Split-open boxes shared by a split line are fine; `index` present for a batch. */
export function knownCodeProblem(
  line: CaptureLine,
  code: string,
  state: CodeState | undefined,
  uses: readonly OpenUse[],
  index?: number,
): ErrorDetail | undefined {
  const at = index === undefined ? {} : { field: `codes[${index}]` };
  const where: Record<string, string> = index === undefined ? {} : { index: String(index) };
  const onThisLine = uses.find((u) => u.lineId === line.id);
  if (state === 'split-open' && line.splitPackage && onThisLine === undefined && uses.length > 0) {
    // One box holds one drug: the lines already sharing it name it, mapping or not.
    const otherDrug = uses.find((u) => u.medListCode !== line.medListCode);
    return otherDrug === undefined
      ? undefined
      : TRACE_CODE_ERRORS.detail('TRACE_CODE_DRUG_MISMATCH', {
          ...at,
          message: TRACE_MESSAGES.sharedBoxMismatch(otherDrug.medListCode, line),
          context: { ...where, code },
        });
  }
  if (state === 'split-open' && uses.length > 0 && onThisLine === undefined) {
    return splitOpenDetail(codeUse(uses[0]), uses.length, index);
  }
  if ((state === 'dispensed' || state === 'split-open') && uses.length > 0) {
    const use = onThisLine ?? uses[0];
    return alreadyDispensedDetail(codeUse(use), use.lineId === line.id, index);
  }
  return TRACE_CODE_ERRORS.detail('TRACE_CODE_SCRAPPED', { ...at, context: { ...where, code } });
}

function knownCodesRefusal(details: ErrorDetail[], conflict: boolean, single: boolean): CatalogueError {
  if (single) {
    const [detail] = details;
    const code = detail.code ?? '';
    if (!TRACE_CODE_ERRORS.has(code)) {
      throw new Error(`trace codes: a known-code refusal without a catalogued code (${code})`);
    }
    return TRACE_CODE_ERRORS.raise(code, { message: detail.message, details: conflict ? [detail] : undefined });
  }
  if (!conflict) {
    return TRACE_CODE_ERRORS.raise('TRACE_CODE_DRUG_MISMATCH', {
      message: TRACE_MESSAGES.batchDrugMismatch(details.length),
      details: details.slice(0, MAX_DETAILS),
    });
  }
  return TRACE_CODE_ERRORS.raise('TRACE_BATCH_CONFLICT', {
    message: TRACE_MESSAGES.batchConflict(details.filter((x) => x.code !== 'TRACE_CODE_DRUG_MISMATCH').length),
    details: details.slice(0, MAX_DETAILS),
  });
}

function isFree(state: CodeState | undefined): boolean {
  return state === 'received' || state === 'returned';
}

/** Where and when a box was dispensed, as a refusal tells it. */
export function codeUse(u: OpenUse): CodeUse {
  return { code: u.code, dispensedAt: u.dispensedAt.toISOString(), visitId: u.visitId, lineNo: u.lineNo };
}
