/**
 * The insurer's 3501 answer (审核结果查询, docs/upstream-protocol.md), read into fen and checked the
 * way a settlement reply is: every amount a number in yuan with at most two decimals, the deductions
 * adding up to `dedu_sumamt` to the cent, the approved part = fund − deducted, no line deducted more
 * than the fund paid for it, the answer about the settlement asked for. Anything else is a `problem`:
 * nothing is recorded from such an answer.
 */
export interface AuditDeductionReading {
  lineId: string;
  itemCode: string;
  itemName: string;
  lineAmountFen: number;
  lineFundFen: number;
  amountFen: number;
  reasonCode: string;
  reason: string;
}

export type AuditReading =
  | { state: 'pending'; latestVersion: 0 }
  | {
      state: 'done';
      version: number;
      latestVersion: number;
      auditedAt: Date;
      fundFen: number;
      deductedFen: number;
      approvedFen: number;
      deductions: AuditDeductionReading[];
    };

export type AuditReplyCheck = { ok: true; reading: AuditReading } | { ok: false; problem: string };

export function readAuditReply(output: unknown, setlId: string): AuditReplyCheck {
  try {
    return { ok: true, reading: read(output, setlId) };
  } catch (e) {
    if (e instanceof ReplyProblem) {
      return { ok: false, problem: e.message };
    }
    throw e;
  }
}

class ReplyProblem extends Error {}

function read(output: unknown, setlId: string): AuditReading {
  const o = fields(output, 'output');
  if (o.setl_id !== setlId) {
    throw new ReplyProblem(`the answer is about setl_id ${String(o.setl_id)}, not ${setlId}`);
  }
  const state = o.audit_state;
  if (state === 'pending') {
    return { state: 'pending', latestVersion: 0 };
  }
  if (state !== 'done') {
    throw new ReplyProblem(`audit_state is ${JSON.stringify(state)}: expected pending or done`);
  }
  const version = positiveInteger(o.audit_ver, 'audit_ver');
  const latestVersion = positiveInteger(o.latest_audit_ver ?? version, 'latest_audit_ver');
  if (latestVersion < version) {
    throw new ReplyProblem(`latest_audit_ver ${latestVersion} is before audit_ver ${version}`);
  }
  const auditedAt = beijingInstant(o.audit_time, 'audit_time');
  const fundFen = fen(o.fund_pay_sumamt, 'fund_pay_sumamt');
  const deductedFen = fen(o.dedu_sumamt, 'dedu_sumamt');
  const approvedFen = fen(o.fund_aprv_amt, 'fund_aprv_amt');
  if (!Array.isArray(o.deductions)) {
    throw new ReplyProblem('deductions is not a list');
  }
  const deductions = o.deductions.map((raw, i): AuditDeductionReading => {
    const at = `deductions[${i}]`;
    const d = fields(raw, at);
    const lineFundFen = fen(d.fund_pay_amt, `${at}.fund_pay_amt`);
    const amountFen = fen(d.dedu_amt, `${at}.dedu_amt`);
    if (amountFen <= 0 || amountFen > lineFundFen) {
      throw new ReplyProblem(`${at}.dedu_amt is not within what the fund paid for the line`);
    }
    return {
      lineId: text(d.feedetl_sn, `${at}.feedetl_sn`, 64),
      itemCode: text(d.med_list_codg, `${at}.med_list_codg`, 50),
      itemName: text(d.item_name, `${at}.item_name`, 500),
      lineAmountFen: fen(d.det_item_fee_sumamt, `${at}.det_item_fee_sumamt`),
      lineFundFen,
      amountFen,
      reasonCode: text(d.dedu_rea_code, `${at}.dedu_rea_code`, 16),
      reason: text(d.dedu_rea, `${at}.dedu_rea`, 500),
    };
  });
  const sum = deductions.reduce((acc, d) => acc + d.amountFen, 0);
  if (sum !== deductedFen) {
    throw new ReplyProblem(`the deductions add up to ${sum} fen, dedu_sumamt says ${deductedFen}`);
  }
  if (fundFen - deductedFen !== approvedFen) {
    throw new ReplyProblem(`fund_aprv_amt ${approvedFen} fen is not fund_pay_sumamt − dedu_sumamt`);
  }
  return { state: 'done', version, latestVersion, auditedAt, fundFen, deductedFen, approvedFen, deductions };
}

function fields(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ReplyProblem(`${at} is not an object`);
  }
  return v as Record<string, unknown>;
}

/** Yuan with at most two decimals → fen; never negative. */
function fen(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ReplyProblem(`${at} is not an amount`);
  }
  const f = Math.round(v * 100);
  if (Math.abs(v * 100 - f) > 1e-6) {
    throw new ReplyProblem(`${at} has more than two decimals`);
  }
  return f;
}

function positiveInteger(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ReplyProblem(`${at} is not a version number`);
  }
  return v;
}

function text(v: unknown, at: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw new ReplyProblem(`${at} is not a text of 1–${max} characters`);
  }
  return v;
}

/** 'yyyy-MM-dd HH:mm:ss' in Beijing time. */
function beijingInstant(v: unknown, at: string): Date {
  const m = typeof v === 'string' ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(v) : null;
  const d = m ? new Date(`${m[1]}T${m[2]}+08:00`) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new ReplyProblem(`${at} is not a date-time (yyyy-MM-dd HH:mm:ss)`);
  }
  return d;
}
