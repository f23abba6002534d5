/**
 * The pharmacy page's words for a drug scan: a `trace-code` event of the desk's WebSocket (the
 * gateway's TraceCodeEventPayload, src/devices/device-event-wire.ts) turned into what the pharmacist
 * reads in large type — accepted with the line's count, refused with the gateway's Chinese reason and
 * what to do, or a duplicate with when and where the box went out. Also the few small parsers the
 * page's forms need. Framework-free, unit-tested without a browser.
 */
import type { Schemas } from '../api/openapi.generated';
import { beijingTime } from './emergency';

/** The desk's active line as the gateway reports it. */
export type LineProgress = Schemas['LineProgressDto'];

export type LineStatus = LineProgress['status'];

/** GET /api/v1/trace-codes/visits/{visitId}/completeness. */
export type Completeness = Schemas['CompletenessDto'];

/** The `trace-code` event as it arrives on the desk's WebSocket. */
export interface TraceCodeEvent {
  type: 'trace-code';
  deviceId: string;
  desk: string;
  at: string;
  outcome: 'accepted' | 'refused' | 'duplicate';
  code: string | null;
  form: 'trace20' | 'gs1' | null;
  productCode: string | null;
  refusal: { code: string; message: string } | null;
  context: Record<string, string> | null;
  line: { visitId: string; lineNo: string; held: number; needed: number; status: string } | null;
}

export type ScanTone = 'accepted' | 'refused';

/** The tag beside the headline. */
const OUTCOME_TEXT: Record<TraceCodeEvent['outcome'], string> = {
  accepted: '已采集',
  refused: '拒收',
  duplicate: '重复',
};

export interface ScanView {
  tone: ScanTone;
  /** 已采集 / 拒收 / 重复 */
  outcome: string;
  /** The large line: 已采集 / the reason. */
  headline: string;
  /** What to do next (from the refusal message), or the count for an accepted scan. */
  instruction: string | null;
  /** For a duplicate: when and on which visit and line the box went out. */
  where: string | null;
  /** The code as scanned (canonical), when the scan was one. */
  code: string | null;
  /** held/needed after an accepted scan. */
  count: string | null;
  refusalCode: string | null;
  at: string;
}

const STATUS_TEXT: Record<string, string> = {
  complete: '已齐全',
  'missing-codes': '缺追溯码',
  'split-package': '拆零（已采集）',
};

export function lineStatusText(status: string): string {
  return STATUS_TEXT[status] ?? status;
}

export function isTraceCodeEvent(value: unknown): value is TraceCodeEvent {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const event = value as Record<string, unknown>;
  return (
    event.type === 'trace-code' &&
    (event.outcome === 'accepted' || event.outcome === 'refused' || event.outcome === 'duplicate')
  );
}

/**
 * The gateway's refusal messages say what is wrong, then after the first full-width colon what to
 * do ("这是商品条码，不是药品追溯码：请扫描…"). Split there so the reason and the next step can be
 * shown apart; a message without a colon is all reason.
 */
export function splitMessage(message: string): { reason: string; instruction: string | null } {
  const at = message.indexOf('：');
  if (at <= 0 || at === message.length - 1) {
    return { reason: message, instruction: null };
  }
  return { reason: message.slice(0, at), instruction: message.slice(at + 1) };
}

export function scanView(event: TraceCodeEvent): ScanView {
  const at = beijingTime(event.at);
  if (event.outcome === 'accepted') {
    const count = event.line ? `${event.line.held}/${event.line.needed}` : null;
    return {
      tone: 'accepted',
      outcome: OUTCOME_TEXT.accepted,
      headline: '已采集',
      instruction: event.line ? `本行已采集 ${event.line.held} 个，需 ${event.line.needed} 个` : null,
      where: null,
      code: event.code,
      count,
      refusalCode: null,
      at,
    };
  }
  const message = beijingTimes(event.refusal?.message ?? (event.outcome === 'duplicate' ? '该追溯码已发药' : '拒收'));
  const { reason, instruction } = splitMessage(message);
  // A duplicate's when and where, unless the gateway's message already names the visit.
  const where =
    event.outcome === 'duplicate' && !(event.context?.visitId && message.includes(event.context.visitId))
      ? dispensedWhere(event.context)
      : null;
  return {
    tone: 'refused',
    outcome: OUTCOME_TEXT[event.outcome],
    headline: reason,
    instruction,
    where,
    code: event.code,
    count: null,
    refusalCode: event.refusal?.code ?? null,
    at,
  };
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

/** The gateway's messages name times as ISO (UTC); staff read Beijing time. */
export function beijingTimes(message: string): string {
  return message.replace(ISO_TIME, (iso) => beijingTime(iso));
}

/** "已于 2026-12-03 10:30 发药（就诊 MZ001，处方行 1）" from a duplicate's context (never the patient). */
export function dispensedWhere(context: Record<string, string> | null): string | null {
  if (!context || (!context.dispensedAt && !context.visitId)) {
    return null;
  }
  const when = context.dispensedAt ? `已于 ${beijingTime(context.dispensedAt)} 发药` : '已发药';
  if (!context.visitId) {
    return when;
  }
  return `${when}（就诊 ${context.visitId}${context.lineNo ? `，处方行 ${context.lineNo}` : ''}）`;
}

/** Codes typed or scanned into a text box: one per line (or separated by spaces/commas), no repeats, in order. */
export function parseCodes(text: string): string[] {
  const seen = new Set<string>();
  for (const piece of text.split(/[\s,，;；]+/)) {
    const code = piece.trim();
    if (code !== '') {
      seen.add(code);
    }
  }
  return [...seen];
}
