import type { SettlementStatus, VisitKind } from '../../../settlement/settlement.entity';
import { wireToFen } from '../../../settlement/rules/wire-money';

/**
 * The figures reconciliation (3201 / 3202) and the monthly declaration (3401) compare: settlements
 * counted on the gateway's side and the insurer's, in integer fen. Pure: no database, no clock.
 *
 * A local settlement's day is the insurer's settlement time (`setl_time`, Beijing) when the insurer
 * gave one — the day it counts the settlement on — else the Beijing day the settlement was requested.
 */
export interface LocalSettlement {
  settlementId: string;
  setlId: string | null;
  mdtrtId: string;
  psnNo: string;
  kind: VisitKind;
  status: SettlementStatus;
  /** The settlement message's msgid (what 9201 asks about). */
  msgid: string;
  /** 'yyyy-MM-dd' Beijing. */
  day: string;
  /** The insurer's 'yyyy-MM-dd HH:mm:ss'; null when it has not settled it (as far as the gateway knows). */
  setlTime: string | null;
  totalFen: number;
  fundFen: number;
  selfPayFen: number;
  /** Made while the insurer was away (临时结算): its month is an outage month (R13, offline_flag). */
  provisional: boolean;
}

/** One settlement in force at the insurer (a 3202 row), in fen. */
export interface InsurerSettlement {
  setlId: string;
  mdtrtId: string;
  psnNo: string;
  infno: string;
  setlTime: string;
  totalFen: number;
  fundFen: number;
  selfPayFen: number;
}

export interface Figures {
  count: number;
  totalFen: number;
  fundFen: number;
  selfPayFen: number;
}

/**
 * In force on the gateway's side: settled, or settled with a cancel queued but not yet answered
 * (`cancelling`: the insurer still counts it until the cancel arrives). Cancelled, rejected, pending,
 * needs-review and provisional settlements count for nothing: their outcome at the insurer is either
 * "none" or not known; `unresolved` lists the latter.
 */
export function inForceLocally(s: LocalSettlement): boolean {
  return (s.status === 'settled' || s.status === 'cancelling') && s.setlId !== null;
}

/** Settlements whose outcome at the insurer the gateway does not know yet: to resolve before declaring. */
export function unresolved(s: LocalSettlement): boolean {
  return s.status === 'pending' || s.status === 'needs-review' || s.status === 'provisional';
}

export function figuresOf(rows: readonly LocalSettlement[] | readonly InsurerSettlement[]): Figures {
  const list = rows as readonly { totalFen: number; fundFen: number; selfPayFen: number }[];
  return {
    count: list.length,
    totalFen: list.reduce((a, s) => a + s.totalFen, 0),
    fundFen: list.reduce((a, s) => a + s.fundFen, 0),
    selfPayFen: list.reduce((a, s) => a + s.selfPayFen, 0),
  };
}

export function sameFigures(a: Figures, b: Figures): boolean {
  return a.count === b.count && a.totalFen === b.totalFen && a.fundFen === b.fundFen && a.selfPayFen === b.selfPayFen;
}

/** The Beijing day ('yyyy-MM-dd') of an insurer date-time 'yyyy-MM-dd HH:mm:ss'. */
export function dayOfSetlTime(setlTime: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2}$/.exec(setlTime);
  return m ? m[1] : undefined;
}

/** One page of a 3202 answer, checked; a malformed answer throws (the run fails, nothing compared). */
export interface DetailPage {
  total: number;
  pages: number;
  rows: InsurerSettlement[];
}

export function readDetailPage(output: unknown): DetailPage {
  const o = record(output, '3202 output');
  const total = o.total;
  const pages = o.pages;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
    throw new Error('3202 answered without a whole-number total');
  }
  if (typeof pages !== 'number' || !Number.isInteger(pages) || pages < 1) {
    throw new Error('3202 answered without a page count');
  }
  if (!Array.isArray(o.data)) {
    throw new Error('3202 answered without data');
  }
  const rows = o.data.map((item, i): InsurerSettlement => {
    const r = record(item, `3202 data[${i}]`);
    const text = (key: string): string => {
      const v = r[key];
      if (typeof v !== 'string' || v === '') {
        throw new Error(`3202 data[${i}].${key} is missing`);
      }
      return v;
    };
    const fen = (key: string): number => {
      const v = wireToFen(r[key]);
      if (v === undefined) {
        throw new Error(`3202 data[${i}].${key} is not an amount in yuan`);
      }
      return v;
    };
    const row = {
      setlId: text('setl_id'),
      mdtrtId: text('mdtrt_id'),
      psnNo: text('psn_no'),
      infno: text('infno'),
      setlTime: text('setl_time'),
      totalFen: fen('medfee_sumamt'),
      fundFen: fen('fund_pay_sumamt'),
      selfPayFen: fen('psn_pay_sumamt'),
    };
    if (dayOfSetlTime(row.setlTime) === undefined) {
      throw new Error(`3202 data[${i}].setl_time is not yyyy-MM-dd HH:mm:ss`);
    }
    return row;
  });
  return { total, pages, rows };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

/** 'yyyy-MM' → its first and last day. */
export function monthDays(month: string): { from: string; to: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) {
    throw new RangeError(`not a month (yyyy-MM): ${month}`);
  }
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** 'yyyy-MM' → the month before. */
export function previousMonth(month: string): string {
  const { from } = monthDays(month);
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

/** 'yyyy-MM' → the month after. */
export function nextMonth(month: string): string {
  const { from } = monthDays(month);
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 7);
}
