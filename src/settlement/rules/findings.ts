/**
 * The pre-audit's findings: every code, what it does (severity), where it applies (a line or the
 * visit) and the requirement and article it enforces. Codes are stable English (HIS programs branch
 * on them); the messages (finding-messages.ts) are Chinese and tell the desk what to do.
 *
 * Severities:
 * - refuse: the settlement cannot be sent until it is fixed (a line finding makes the line refused);
 * - selfPay: the line is not charged to the fund;
 * - hospitalLoss: a self-pay line the hospital may not collect from the worker (no signed consent);
 * - warn: shown and kept for audit, changes nothing.
 */

export type FindingSeverity = 'refuse' | 'selfPay' | 'warn' | 'hospitalLoss';

export interface FindingRule {
  /** The severity; TRACE_CODES_MISSING becomes 'warn' when the policy says so. */
  readonly severity: FindingSeverity;
  readonly scope: 'visit' | 'line';
  /** DOMAIN.md requirement(s). */
  readonly requirement: string;
  /** Articles of the Measures (办法) / agreement (协议), or the upstream protocol. */
  readonly source: string;
}

export const FINDING_RULES = {
  // visit: input, eligibility and totals
  VISIT_DATA_INVALID: { severity: 'refuse', scope: 'visit', requirement: '—', source: '—' },
  PERSON_NOT_VERIFIED: { severity: 'refuse', scope: 'visit', requirement: 'R1, R2', source: '协议 9, 38(1)' },
  NO_FEE_LINES: { severity: 'refuse', scope: 'visit', requirement: 'R12', source: 'upstream 2207/2304' },
  NO_DETERMINATION: { severity: 'refuse', scope: 'visit', requirement: 'R9, R10', source: '办法 25, 26' },
  DETERMINATION_PENDING: { severity: 'refuse', scope: 'visit', requirement: 'R10', source: '办法 26; 协议 26' },
  VISIT_BEFORE_INJURY: { severity: 'refuse', scope: 'visit', requirement: 'R8, R20', source: '办法 30(1)' },
  NOT_SIGNED_HERE: { severity: 'refuse', scope: 'visit', requirement: 'R15', source: '办法 18, 19' },
  CROSS_PROVINCE_NO_FILING: { severity: 'refuse', scope: 'visit', requirement: 'R11', source: '办法 28; 协议 33' },
  CROSS_PROVINCE_FILING_NOT_VALID: {
    severity: 'refuse',
    scope: 'visit',
    requirement: 'R11',
    source: '办法 28; 协议 33',
  },
  HIS_TOTAL_MISMATCH: { severity: 'refuse', scope: 'visit', requirement: 'R12', source: '协议 23; upstream 2207/2304' },
  HIS_SPLIT_DIFFERS: { severity: 'warn', scope: 'visit', requirement: 'R8, R9', source: '协议 26, 27' },
  // visit: 自费转工伤 (a conversion only)
  CONVERSION_AFTER_DETERMINATION: { severity: 'refuse', scope: 'visit', requirement: 'R10', source: '办法 26' },
  CONVERSION_RECEIPTS_MISMATCH: { severity: 'refuse', scope: 'visit', requirement: 'R10, R12', source: '办法 26' },
  // line: data integrity
  LINE_DATA_INVALID: { severity: 'refuse', scope: 'line', requirement: 'R12', source: '协议 23' },
  DUPLICATE_LINE_ID: { severity: 'refuse', scope: 'line', requirement: 'R12', source: '协议 23; upstream 2207/2304' },
  AMOUNT_MISMATCH: { severity: 'refuse', scope: 'line', requirement: 'R12', source: '协议 23, 28; upstream 2207/2304' },
  LINE_BEFORE_VISIT: { severity: 'refuse', scope: 'line', requirement: 'R12', source: '协议 13(3), 23' },
  CONVERSION_LINE_BEFORE_INJURY: { severity: 'refuse', scope: 'line', requirement: 'R10', source: '办法 26, 30(1)' },
  // line: what the fund pays
  NOT_INJURY_RELATED: { severity: 'selfPay', scope: 'line', requirement: 'R8', source: '办法 15(3), 30(1); 协议 27' },
  AFTER_DISCHARGE_NOTICE: { severity: 'selfPay', scope: 'line', requirement: 'R20', source: '协议 13(4); 办法 30(2)' },
  ITEM_NOT_MAPPED: { severity: 'selfPay', scope: 'line', requirement: 'R17, R7', source: '协议 19' },
  ITEM_OUTSIDE_CATALOGUE: { severity: 'selfPay', scope: 'line', requirement: 'R7', source: '办法 12, 30(5); 协议 18' },
  SELF_PAY_NOT_CONSENTED: {
    severity: 'hospitalLoss',
    scope: 'line',
    requirement: 'R7',
    source: '办法 12, 15(2); 协议 18',
  },
  // line: drugs
  TRACE_CODES_MISSING: { severity: 'refuse', scope: 'line', requirement: 'R4', source: '办法 9' },
  TRACE_CODES_EXCESS: { severity: 'refuse', scope: 'line', requirement: 'R4', source: '办法 9; upstream 2207/2304' },
  SUPPLY_OVER_MAX: { severity: 'refuse', scope: 'line', requirement: 'R16', source: '协议 15' },
  SUPPLY_STATEMENT_MISSING: { severity: 'refuse', scope: 'line', requirement: 'R16', source: '协议 15' },
} as const satisfies Record<string, FindingRule>;

export type FindingCode = keyof typeof FINDING_RULES;
export const FINDING_CODES = Object.keys(FINDING_RULES) as FindingCode[];

export interface Finding {
  readonly code: FindingCode;
  readonly severity: FindingSeverity;
  /** The fee line it is about; null for a visit-level finding. */
  readonly lineId: string | null;
  /** Chinese, for desk staff: what is wrong and what to do. Never the worker's personal data. */
  readonly message: string;
}

/** A finding with its code's severity (or the policy's, for codes that allow one). */
export function finding(
  code: FindingCode,
  lineId: string | null,
  message: string,
  severity: FindingSeverity = FINDING_RULES[code].severity,
): Finding {
  return { code, severity, lineId, message };
}

/** Integer fen as yuan text for messages: 1234 → '12.34元'. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}元`;
}

/** How messages name a line: 第 7 行（阿莫西林胶囊）. */
export function lineLabel(line: { readonly lineId: string; readonly itemName: string }): string {
  return `第 ${line.lineId} 行（${line.itemName}）`;
}
