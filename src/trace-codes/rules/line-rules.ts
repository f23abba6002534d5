import type { CatalogueError } from '../../platform';
import { TRACE_CODE_ERRORS, TRACE_MESSAGES } from '../trace-codes.errors';

/**
 * How many codes a dispensing line needs. Pure.
 *
 * A line's quantity is in the smallest unit that carries its own code (a box, 最小销售包装): each
 * unit dispensed needs its box's code, so the count of codes must equal the quantity. A split
 * package line (拆零) sells part of a box — its quantity counts tablets or millilitres — and
 * records the code of every box it was taken from: at least one, never more than the quantity.
 */

export interface LineShape {
  quantity: number;
  splitPackage: boolean;
}

export type LineStatus = 'complete' | 'missing-codes' | 'split-package';

export interface LineCompleteness {
  status: LineStatus;
  /** Codes still to scan (0 when complete or a split package that has one). */
  missing: number;
}

export function lineCompleteness(line: LineShape, count: number): LineCompleteness {
  if (line.splitPackage) {
    return count >= 1 ? { status: 'split-package', missing: 0 } : { status: 'missing-codes', missing: 1 };
  }
  const missing = Math.max(0, line.quantity - count);
  return missing === 0 ? { status: 'complete', missing: 0 } : { status: 'missing-codes', missing };
}

/** The most codes a line may hold. */
export function maxCodes(line: LineShape): number {
  return line.quantity;
}

/**
 * A request that says "these are all the line's codes" (a batch from HIS) must bring exactly
 * the quantity, unless the line is a split package. Returns the Chinese problem, or undefined.
 */
export function completeCountProblem(line: LineShape, count: number): string | undefined {
  if (line.splitPackage) {
    return count < 1
      ? '拆零药品至少要采集所拆药盒的1个追溯码'
      : count > line.quantity
        ? `拆零药品的追溯码（${count}个）不能多于发药数量 ${line.quantity}`
        : undefined;
  }
  if (count !== line.quantity) {
    return `追溯码数量（${count}个）与发药数量（${line.quantity}）不符：每个最小包装一个追溯码；如为拆零发药，请将该行标记为拆零（splitPackage）`;
  }
  return undefined;
}

/** A line as stored, and as HIS now declares it. */
export interface DeclaredLine extends LineShape {
  lineNo: string;
  medListCode: string;
  drugName: string;
}

/**
 * Whether HIS may change a stored line to `next`: 'unchanged', 'change', or the refusal. A line
 * holding codes keeps its drug and its split flag (its boxes are dispensed whole or split-open by
 * it), and its quantity cannot drop below the codes it holds.
 */
export function lineChange(
  stored: DeclaredLine & { codeCount: number },
  next: DeclaredLine,
): 'unchanged' | 'change' | CatalogueError {
  if (
    stored.quantity === next.quantity &&
    stored.medListCode === next.medListCode &&
    stored.drugName === next.drugName &&
    stored.splitPackage === next.splitPackage
  ) {
    return 'unchanged';
  }
  const held = stored.codeCount;
  if (held > 0 && stored.splitPackage !== next.splitPackage) {
    return TRACE_CODE_ERRORS.raise('TRACE_LINE_HAS_CODES', {
      message: TRACE_MESSAGES.lineSplitFlagLocked(next.lineNo, held),
    });
  }
  if (held > 0 && stored.medListCode !== next.medListCode) {
    return TRACE_CODE_ERRORS.raise('TRACE_LINE_HAS_CODES', {
      message: TRACE_MESSAGES.lineDrugLocked(next.lineNo, held),
    });
  }
  if (next.quantity < held) {
    return TRACE_CODE_ERRORS.raise('TRACE_LINE_QUANTITY_BELOW_CODES', {
      message: TRACE_MESSAGES.quantityBelowCodes(next.lineNo, held, next.quantity),
    });
  }
  return 'change';
}

/** Each line once per request (TRACE_LINE_DUPLICATE otherwise). */
export function duplicateLineRefusal(lines: readonly { lineNo: string }[]): CatalogueError | undefined {
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l.lineNo)) {
      return TRACE_CODE_ERRORS.raise('TRACE_LINE_DUPLICATE', { message: TRACE_MESSAGES.lineDuplicate(l.lineNo) });
    }
    seen.add(l.lineNo);
  }
  return undefined;
}
