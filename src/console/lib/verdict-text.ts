/**
 * A verification session in the words desk staff read: the verdict (the API's own code, large,
 * with its colour and a Chinese line under it), the evidence sources, the coverage, the token's
 * state. The codes are the gateway's (docs/identity.md, src/identity/rules/).
 */
import type { IdentitySession } from '../api/identity';
import { beijingTime } from './emergency';

export type Tone = 'success' | 'warning' | 'danger' | 'info';

export interface VerdictView {
  code: string;
  text: string;
  tone: Tone;
}

const VERDICTS: Record<string, { text: string; tone: Tone }> = {
  MATCH: { text: '人、卡、码相符，可以记账', tone: 'success' },
  MISMATCH: { text: '人、卡、码不符：拒绝记账', tone: 'danger' },
  NOT_COVERED: { text: '不在工伤保险待遇范围：不能记账', tone: 'danger' },
  INCOMPLETE: { text: '核验未完成：请补齐下列信息', tone: 'warning' },
};

export function verdictView(verdict: string): VerdictView {
  const known = VERDICTS[verdict];
  return known ? { code: verdict, ...known } : { code: verdict, text: '未知的核验结果', tone: 'info' };
}

/** The gateway's EVIDENCE_LABELS (src/identity/rules/evidence.ts): how staff name each source. */
const SOURCES: Record<string, string> = {
  card: '社保卡',
  qr: '二维码',
  idCard: '身份证',
  his: 'HIS登记信息',
  staff: '人工核验',
  insurer: '经办机构信息',
  coverageCache: '参保信息缓存',
};

export function sourceText(source: string): string {
  return SOURCES[source] ?? source;
}

const COVERAGE: Record<string, string> = {
  confirmed: '经办机构已确认',
  cached: '使用参保信息缓存（经办机构暂不可达）',
  pending: '待经办机构确认',
};

export function coverageText(coverage: string): string {
  return COVERAGE[coverage] ?? coverage;
}

export interface TokenView {
  text: string;
  tone: Tone;
}

/** The token as the desk sees it: issued until when (Beijing time), run out, or none (only MATCH has one). */
export function tokenView(session: Pick<IdentitySession, 'token' | 'tokenExpiresAt'>, now: Date): TokenView {
  if (session.token === null || session.tokenExpiresAt === null) {
    return { text: '未签发（核验相符后签发）', tone: 'info' };
  }
  if (new Date(session.tokenExpiresAt).getTime() <= now.getTime()) {
    return { text: `已过期（${beijingTime(session.tokenExpiresAt)}），请重新核验`, tone: 'danger' };
  }
  return { text: `已签发，有效至 ${beijingTime(session.tokenExpiresAt)}（北京时间）`, tone: 'success' };
}

/** The messages that refuse the patient (a MISMATCH or NOT_COVERED): the failed checks that decide it. */
export function refusals(session: Pick<IdentitySession, 'verdict' | 'checks'>): string[] {
  const effect = session.verdict === 'MISMATCH' ? 'mismatch' : session.verdict === 'NOT_COVERED' ? 'not-covered' : null;
  if (effect === null) {
    return [];
  }
  return session.checks.filter((c) => !c.passed && c.effect === effect).map((c) => c.message);
}
