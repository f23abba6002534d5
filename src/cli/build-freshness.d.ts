/** Types of build-freshness.js (plain CommonJS, run before anything is compiled). */
export interface BuildTarget {
  name: string;
  stamp: string;
  inputs(root: string): string[];
  command(root: string): string[];
}
export declare const PROJECT_ROOT: string;
export declare const STAMP: string;
export declare const CONSOLE_STAMP: string;
export declare const TARGETS: { gateway: BuildTarget; console: BuildTarget };
export declare function buildInputs(root: string): string[];
export declare function consoleInputs(root: string): string[];
export declare function buildState(root: string, target?: BuildTarget): { stale: boolean; reason: string };
export declare function markBuilt(root: string, startedAtMs: number, target?: BuildTarget): void;
export declare function ensureBuilt(root: string, options?: { force?: boolean }): number;
