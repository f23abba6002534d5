/** Types of build-freshness.js (plain CommonJS, run before anything is compiled). */
export declare const PROJECT_ROOT: string;
export declare const STAMP: string;
export declare function buildInputs(root: string): string[];
export declare function buildState(root: string): { stale: boolean; reason: string };
export declare function markBuilt(root: string, startedAtMs: number): void;
export declare function ensureBuilt(root: string, options?: { force?: boolean }): number;
