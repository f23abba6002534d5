import { beijingDateTime } from '../upstream/protocol/msgid';
import { isFields } from './input-fields';
import type { SettlementRecord } from './ledger';
import { toCents } from './money';

/**
 * The insurer's audit of uploaded costs (费用审核, 办法 16: within 30 days of the upload). The sandbox
 * audits like an insurer: a settlement's result appears `delayMs` after it was settled (never at
 * once), found by two believable rules over the fund-paid lines —
 * - A01: a service or material priced over the sandbox's price ceiling for its catalogue code
 *   (协议 28): the excess, (pric − ceiling) × cnt;
 * - A02: a drug line without any traceability code (办法 9): the whole fund-paid amount —
 * or scripted by a test or a demo (`PUT /sandbox/audits/:setl_id`): a result with the given
 * deductions, released at once (an amendment, version + 1, when one was released before), or a hold
 * (the insurer has not audited: the result stays pending however long it takes — an overdue insurer).
 * Results are versions: an amendment adds one, nothing released is changed.
 */
export const AUDIT_REASONS = {
  A01: '超出医疗服务价格标准收费',
  A02: '药品未上传追溯码',
  A03: '目录匹配错误或串换项目',
  A04: '非工伤治疗费用',
  A05: '超量开药',
  A09: '其他不符合工伤保险规定的费用',
} as const;
export type AuditReasonCode = keyof typeof AUDIT_REASONS;

/** Catalogue code → highest price the sandbox's price list allows (cents per unit). */
export const PRICE_CEILINGS_CENTS: Readonly<Record<string, number>> = {
  '001201000010000': 4000, // 换药（中）
  '001203000010000': 4000, // 换药 / 清创缝合（sandbox mapping of the gateway's tests）
  '310100001': 1500, // 静脉采血
};

export const DEFAULT_AUDIT_DELAY_SECONDS = 60;

/** One fee line as settled: what the audit looks at. */
export interface AuditedLine {
  feedetl_sn: string;
  med_list_codg: string;
  item_name: string;
  list_type: 'drug' | 'service' | 'material';
  cnt: number;
  pric: number;
  amountCents: number;
  fundCents: number;
  traceCodeCount: number;
}

export interface Deduction {
  feedetl_sn: string;
  amountCents: number;
  reason_code: AuditReasonCode;
  reason: string;
}

export interface AuditVersion {
  version: number;
  at: Date;
  deductions: Deduction[];
  /** 'rules' (the sandbox's own audit) or 'script' (PUT /sandbox/audits/:setl_id). */
  source: 'rules' | 'script';
}

/** A settlement's audit: its released versions (oldest first) and whether the insurer holds it back. */
export interface AuditFile {
  versions: AuditVersion[];
  hold: boolean;
}

export class AuditOffice {
  constructor(readonly delayMs: number = DEFAULT_AUDIT_DELAY_SECONDS * 1000) {}

  /**
   * The versions released by `now`: the rules' result is released once `delayMs` passed since the
   * settlement, unless held or scripted before.
   */
  released(record: SettlementRecord, now: Date): AuditVersion[] {
    const file = record.audit;
    const dueAt = new Date(record.setl_time.getTime() + this.delayMs);
    if (file.versions.length === 0 && !file.hold && now.getTime() >= dueAt.getTime()) {
      file.versions.push({ version: 1, at: dueAt, deductions: ruleDeductions(record.lines), source: 'rules' });
    }
    return file.versions;
  }

  /** A scripted result, released now: version 1, or an amendment of what was released. */
  script(record: SettlementRecord, deductions: Deduction[], now: Date): AuditVersion {
    const versions = this.released(record, now);
    const version: AuditVersion = { version: versions.length + 1, at: now, deductions, source: 'script' };
    versions.push(version);
    record.audit.hold = false;
    return version;
  }
}

/** What the rules deduct, line by line (fund-paid lines only: the fund paid nothing else). */
export function ruleDeductions(lines: readonly AuditedLine[]): Deduction[] {
  const out: Deduction[] = [];
  for (const line of lines) {
    if (line.fundCents <= 0) {
      continue;
    }
    if (line.list_type === 'drug' && line.traceCodeCount === 0) {
      out.push({
        feedetl_sn: line.feedetl_sn,
        amountCents: line.fundCents,
        reason_code: 'A02',
        reason: AUDIT_REASONS.A02,
      });
      continue;
    }
    const ceiling = PRICE_CEILINGS_CENTS[line.med_list_codg];
    const priceCents = toCents(line.pric);
    if (line.list_type !== 'drug' && ceiling !== undefined && priceCents !== undefined && priceCents > ceiling) {
      const excess = Math.min(line.fundCents, Math.round((priceCents - ceiling) * line.cnt));
      out.push({
        feedetl_sn: line.feedetl_sn,
        amountCents: excess,
        reason_code: 'A01',
        reason: `${AUDIT_REASONS.A01}（限价 ${(ceiling / 100).toFixed(2)} 元）`,
      });
    }
  }
  return out;
}

/** The body of `PUT /sandbox/audits/:setl_id`, read against the settlement; a string says what is wrong. */
export type AuditScript = { hold: true } | { deductions: Deduction[] };

export function parseAuditScript(body: unknown, record: SettlementRecord): AuditScript | string {
  if (!isFields(body)) {
    return 'body must be { deductions: [{ feedetl_sn, dedu_amt, dedu_rea_code?, dedu_rea? }] } or { hold: true }';
  }
  if (body.hold === true) {
    return body.deductions === undefined ? { hold: true } : 'give either hold or deductions, not both';
  }
  if (!Array.isArray(body.deductions)) {
    return 'deductions must be a list (empty: audited, nothing deducted) — or send { hold: true }';
  }
  const lines = new Map(record.lines.map((l) => [l.feedetl_sn, l]));
  const deducted = new Map<string, number>();
  const out: Deduction[] = [];
  for (const [i, raw] of body.deductions.entries()) {
    const at = `deductions[${i}]`;
    if (!isFields(raw) || typeof raw.feedetl_sn !== 'string') {
      return `${at}.feedetl_sn must be the serial number of one of the settlement's fee lines`;
    }
    const line = lines.get(raw.feedetl_sn);
    if (line === undefined) {
      return `${at}.feedetl_sn ${raw.feedetl_sn} is not a fee line of this settlement`;
    }
    const cents = typeof raw.dedu_amt === 'number' ? toCents(raw.dedu_amt) : undefined;
    if (cents === undefined || cents <= 0) {
      return `${at}.dedu_amt must be a positive amount in yuan with at most two decimals`;
    }
    const total = (deducted.get(line.feedetl_sn) ?? 0) + cents;
    if (total > line.fundCents) {
      return `${at}: deductions of line ${line.feedetl_sn} exceed what the fund paid for it (${(line.fundCents / 100).toFixed(2)})`;
    }
    deducted.set(line.feedetl_sn, total);
    const code = raw.dedu_rea_code ?? 'A09';
    if (typeof code !== 'string' || !(code in AUDIT_REASONS)) {
      return `${at}.dedu_rea_code must be one of ${Object.keys(AUDIT_REASONS).join(', ')}`;
    }
    const reasonCode = code as AuditReasonCode;
    if (raw.dedu_rea !== undefined && (typeof raw.dedu_rea !== 'string' || raw.dedu_rea.trim() === '')) {
      return `${at}.dedu_rea must be a non-empty text`;
    }
    const reason = typeof raw.dedu_rea === 'string' ? raw.dedu_rea.trim().slice(0, 200) : AUDIT_REASONS[reasonCode];
    out.push({ feedetl_sn: line.feedetl_sn, amountCents: cents, reason_code: reasonCode, reason });
  }
  return { deductions: out };
}

/** A version as the control API shows it. */
export function auditVersionView(v: AuditVersion): Record<string, unknown> {
  return {
    audit_ver: v.version,
    audit_time: beijingDateTime(v.at),
    source: v.source,
    deductions: v.deductions.map((d) => ({
      feedetl_sn: d.feedetl_sn,
      dedu_amt: d.amountCents / 100,
      dedu_rea_code: d.reason_code,
      dedu_rea: d.reason,
    })),
  };
}
