import type { CatalogueError } from '../../platform';
import type { CodeState } from '../trace-codes.entity';
import { MAX_DETAILS, TRACE_CODE_ERRORS, TRACE_MESSAGES } from '../trace-codes.errors';

/**
 * Returns (退药) and scraps (报损) of boxes: pure decisions on the states and open uses read under
 * the boxes' locks. Each answers what to change, or the refusal to throw.
 */

/** An open use as a return needs it. */
export interface ReturnableUse {
  useId: string;
  code: string;
  lineId: string;
  upload: 'pending' | 'uploaded' | 'cancelled';
  uploadRef: string | null;
}

export interface ReturnPlan<U extends ReturnableUse> {
  /** The one use of each code that ends. */
  ending: U[];
  /** Boxes back in stock: no use of them is left open. */
  freed: string[];
  /** Boxes still split-open on other lines after this return. */
  stillOpen: number;
  /** Codes already uploaded with a settlement: that settlement must be reversed (2601) by its owner. */
  alreadyUploaded: { code: string; setlId: string }[];
  /** Codes whose pending upload is cancelled. */
  uploadsCancelled: number;
  /** Uses ending per line (the lines' code counts go down by these). */
  perLine: Map<string, number>;
}

/**
 * Ends one open use of each code: the use on `line` when named, else the only open use. A code with
 * no such use, or (no line named) with several, refuses the whole return.
 */
export function planReturn<U extends ReturnableUse>(
  codes: readonly string[],
  states: ReadonlyMap<string, CodeState>,
  usesOf: ReadonlyMap<string, readonly U[]>,
  line?: { id: string; visitId: string; lineNo: string },
): { plan: ReturnPlan<U>; refusal?: undefined } | { plan?: undefined; refusal: CatalogueError } {
  const ending: U[] = [];
  const notDispensed: string[] = [];
  const ambiguous: string[] = [];
  for (const c of codes) {
    const open = (usesOf.get(c) ?? []).filter((u) => line === undefined || u.lineId === line.id);
    if (open.length === 1) {
      ending.push(open[0]);
    } else {
      (open.length === 0 ? notDispensed : ambiguous).push(c);
    }
  }
  if (notDispensed.length > 0) {
    const details = notDispensed.slice(0, MAX_DETAILS).map((code) =>
      TRACE_CODE_ERRORS.detail('TRACE_CODE_NOT_DISPENSED', {
        message: TRACE_MESSAGES.stateIs(states.get(code)),
        context: { code, state: states.get(code) ?? 'unknown' },
      }),
    );
    return {
      refusal: TRACE_CODE_ERRORS.raise('TRACE_CODE_NOT_DISPENSED', {
        message: TRACE_MESSAGES.notDispensed(notDispensed.length, line),
        details,
      }),
    };
  }
  if (ambiguous.length > 0) {
    const openUses = (code: string): number => (usesOf.get(code) ?? []).length;
    const details = ambiguous.slice(0, MAX_DETAILS).map((code) =>
      TRACE_CODE_ERRORS.detail('TRACE_RETURN_LINE_REQUIRED', {
        message: TRACE_MESSAGES.openOnLines(openUses(code)),
        context: { code, openUses: String(openUses(code)) },
      }),
    );
    return {
      refusal: TRACE_CODE_ERRORS.raise('TRACE_RETURN_LINE_REQUIRED', {
        message: TRACE_MESSAGES.returnNeedsLine(ambiguous.length),
        details,
      }),
    };
  }
  // Back in stock only when no use is left open (a split-open box shared by other lines stays open).
  const openCount = (c: string): number => (usesOf.get(c) ?? []).length;
  const perLine = new Map<string, number>();
  for (const u of ending) {
    perLine.set(u.lineId, (perLine.get(u.lineId) ?? 0) + 1);
  }
  return {
    plan: {
      ending,
      freed: codes.filter(
        (c) => openCount(c) === 1 && (states.get(c) === 'dispensed' || states.get(c) === 'split-open'),
      ),
      stillOpen: codes.filter((c) => openCount(c) > 1).length,
      alreadyUploaded: ending
        .filter((u) => u.upload === 'uploaded')
        .map((u) => ({ code: u.code, setlId: u.uploadRef ?? '' })),
      uploadsCancelled: ending.filter((u) => u.upload === 'pending').length,
      perLine,
    },
  };
}

/**
 * A scrap is final. A box dispensed whole must be returned first (refused); a received, returned or
 * split-open box is scrapped (a split-open box's portions already dispensed keep their uses).
 */
export function planScrap(
  known: readonly string[],
  states: ReadonlyMap<string, CodeState>,
): { movable: string[]; refusal?: CatalogueError } {
  const dispensed = known.filter((c) => states.get(c) === 'dispensed');
  if (dispensed.length > 0) {
    const details = dispensed
      .slice(0, MAX_DETAILS)
      .map((code) => TRACE_CODE_ERRORS.detail('TRACE_CODE_DISPENSED', { context: { code } }));
    return {
      movable: [],
      refusal: TRACE_CODE_ERRORS.raise('TRACE_CODE_DISPENSED', {
        message: TRACE_MESSAGES.dispensedNoScrap(dispensed.length),
        details,
      }),
    };
  }
  const movable = known.filter((c) => SCRAPPABLE.includes(states.get(c) as CodeState));
  return { movable };
}

/** The states a box may be scrapped from. */
export const SCRAPPABLE: readonly CodeState[] = ['received', 'returned', 'split-open'];
