/** Types of pcsclite-patch.js (plain CommonJS, run at npm install before anything is compiled). */
export interface Replacement {
  file: string;
  find: string;
  replace: string;
}
export declare const PROJECT_ROOT: string;
export declare const PATCHED_DIR: string;
export declare const PATCH_ID: string;
export declare const MARK: string;
export declare const UPSTREAM_VERSION: string;
export declare const PATCHED_FILES: string[];
export declare function applyPatch(sources: Record<string, string>): Record<string, string>;
export declare function ensurePatchedPcsclite(
  root: string,
  options?: { force?: boolean; log?: (line: string) => void },
): { outcome: 'built' | 'current' | 'skipped' | 'failed'; reason: string };
