import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * The import rules of the house (docs/design.md), checked over the source text: no compiler, so a
 * rule cannot be dodged by a type-only import and the check runs in a second.
 */
export type RuleId =
  | 'platform-imports-no-capability'
  | 'capabilities-use-platform-barrel'
  | 'drivers-import-no-src-or-test'
  | 'devices-import-no-sandbox'
  | 'services-have-no-sql'
  | 'no-foreign-repositories';

export interface Violation {
  rule: RuleId;
  file: string;
  /** The imported path (repository-relative, no extension) or the offending text. */
  target: string;
}

/**
 * The platform's public API: the way into src/platform from outside — the barrel, and its
 * framework-free part for code the desk agent also runs (agent-safe.ts).
 */
const BARREL = new Set(['src/platform', 'src/platform/index', 'src/platform/agent-safe']);

/** Every module specifier in `source`: import/export … from, bare import, import(), require(). */
export function importSpecifiers(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      specs.push(match[1]);
    }
  }
  return specs;
}

/** The repository-relative path an import points to (no extension), or undefined for a package. */
export function resolveImport(file: string, spec: string): string | undefined {
  let target: string;
  if (spec.startsWith('.')) {
    target = posix.normalize(posix.join(posix.dirname(file), spec));
  } else if (/^(src|test|drivers)(\/|$)/.test(spec)) {
    target = posix.normalize(spec); // baseUrl imports
  } else {
    return undefined;
  }
  return target.replace(/\.(ts|js)$/, '').replace(/\/$/, '');
}

/** `src/identity/x.ts` → 'identity'; a root file such as `src/main.ts` → ''; outside src → undefined. */
function areaOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'src') {
    return undefined;
  }
  return parts.length === 2 ? '' : parts[1];
}

/** Everything `file` (repository-relative, `/`-separated) breaks, given its text. */
export function boundaryViolations(file: string, source: string): Violation[] {
  const violations: Violation[] = [];
  const area = areaOf(file);
  for (const spec of importSpecifiers(source)) {
    const target = resolveImport(file, spec);
    if (target === undefined) {
      continue;
    }
    const targetArea = areaOf(target);
    const push = (rule: RuleId): void => {
      violations.push({ rule, file, target });
    };
    if (area === 'platform' && targetArea !== undefined && targetArea !== 'platform') {
      push('platform-imports-no-capability');
    }
    if (area !== undefined && area !== 'platform' && targetArea === 'platform' && !BARREL.has(target)) {
      push('capabilities-use-platform-barrel');
    }
    if (file.startsWith('drivers/') && (target.startsWith('src/') || target.startsWith('test/'))) {
      push('drivers-import-no-src-or-test');
    }
    if (area === 'devices' && targetArea === 'sandbox') {
      push('devices-import-no-sandbox');
    }
    if (
      area !== undefined &&
      area !== 'platform' &&
      targetArea !== undefined &&
      targetArea !== area &&
      targetArea !== 'platform' &&
      /\.repository$/.test(target)
    ) {
      push('no-foreign-repositories');
    }
  }
  if (area !== undefined && file.endsWith('.service.ts')) {
    for (const word of ['DataSource', 'getRepository', 'query(']) {
      if (stripComments(source).includes(word)) {
        violations.push({ rule: 'services-have-no-sql', file, target: word });
      }
    }
  }
  return violations;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Every .ts file under the given folders of `root`, repository-relative. */
export function sourceFiles(root: string, folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        out.push(path);
      }
    }
  };
  folders.forEach(walk);
  return out.sort();
}

/** Every violation in the project at `root`. */
export function projectViolations(root: string): Violation[] {
  return sourceFiles(root, ['src', 'drivers']).flatMap((file) =>
    boundaryViolations(file, readFileSync(join(root, file), 'utf8')),
  );
}
