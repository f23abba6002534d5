import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceFiles } from './module-boundaries';

/** An error code the source answers with, and where. */
export interface ThrownCode {
  code: string;
  file: string;
  line: number;
}

/**
 * Files whose `code:` values are not codes the gateway answers with: the sandbox plays the insurer
 * (its codes are the insurer's), the annex parser reports import problems to the operator, the
 * desk agent's journal, enrolment, data-directory lock and installer report to the agent process on the
 * desk PC and its operator (never an HTTP answer; the agent's localhost server uses the agent-local catalogue).
 */
const NOT_GATEWAY_CODES = [
  /^src\/sandbox\//,
  /^src\/agents\/agent\/journal\//,
  /^src\/agents\/agent\/(agent-credentials|agent-lock|agent-cli|desk-agent)\.ts$/,
  /^src\/agents\/agent\/install\//,
  /^src\/reference\/annex-parser\.ts$/,
  /\.spec\.ts$/,
  /\.fixtures\.ts$/,
  /(^|\/)test-kit\.ts$/,
];

/**
 * Codes that name a result answered with HTTP 200, not a refusal, so no catalogue holds them (a
 * catalogue entry is an error status): NO_CARD, the agent's reader service found no card in the wait
 * (docs/agents.md, "The localhost reader service").
 */
const RESULT_CODES = new Set(['NO_CARD']);

const CODE = "'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})'";
/**
 * How the source names an error code today and after the catalogues:
 * `new XxxError('CODE', …)`, `readonly code = 'CODE'` (a DomainError subclass),
 * `code: 'CODE'` (an error body or a `details[]` entry; not a type `code: 'A' | 'B'`),
 * `X_ERRORS.raise('CODE')` / `.detail('CODE')`.
 */
const PATTERNS = [
  new RegExp(`\\bnew\\s+[A-Z]\\w*Error\\s*\\(\\s*${CODE}`, 'g'),
  new RegExp(`\\breadonly\\s+code\\s*=\\s*${CODE}`, 'g'),
  new RegExp(`\\bcode\\s*:\\s*${CODE}(?!\\s*\\|)`, 'g'),
  new RegExp(`\\.(?:raise|detail)\\s*\\(\\s*${CODE}`, 'g'),
];

/** Comments out, line breaks kept (so line numbers stay right). */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The error codes one file names. */
export function codesIn(file: string, source: string): ThrownCode[] {
  const text = withoutComments(source);
  const found: ThrownCode[] = [];
  for (const pattern of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const line = text.slice(0, match.index).split('\n').length;
      found.push({ code: match[1], file, line });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Every error code the gateway's source (src/, less the sandbox and the annex parser) names. */
export function thrownCodes(root: string): ThrownCode[] {
  return sourceFiles(root, ['src'])
    .filter((file) => !NOT_GATEWAY_CODES.some((re) => re.test(file)))
    .flatMap((file) => codesIn(file, readFileSync(join(root, file), 'utf8')))
    .filter((c) => !RESULT_CODES.has(c.code));
}
