/**
 * What an import changes against the current mapping version, HIS code by HIS code. Pure.
 * A target is the insurer catalogue code, or null for an item listed without one (unmapped).
 */

export interface Retarget {
  hisCode: string;
  from: string | null;
  to: string | null;
}

export interface CatalogueChanges {
  /** HIS codes the current version does not have. */
  added: string[];
  /** HIS codes of the current version the new file leaves out. */
  removed: string[];
  /** HIS codes whose insurer code changes (including mapped ↔ unmapped). */
  retargeted: Retarget[];
  /** HIS codes with the same target in both. */
  unchanged: number;
}

/** `previous` and `next`: HIS code → target. Lists are sorted by HIS code. */
export function diffMappings(
  previous: ReadonlyMap<string, string | null>,
  next: ReadonlyMap<string, string | null>,
): CatalogueChanges {
  const added: string[] = [];
  const retargeted: Retarget[] = [];
  let unchanged = 0;
  for (const [hisCode, to] of next) {
    if (!previous.has(hisCode)) {
      added.push(hisCode);
      continue;
    }
    const from = previous.get(hisCode) ?? null;
    if (from === to) {
      unchanged += 1;
    } else {
      retargeted.push({ hisCode, from, to });
    }
  }
  const removed = [...previous.keys()].filter((hisCode) => !next.has(hisCode));
  const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    added: added.sort(byCode),
    removed: removed.sort(byCode),
    retargeted: retargeted.sort((a, b) => byCode(a.hisCode, b.hisCode)),
    unchanged,
  };
}
