import { fenToWire } from '../../../settlement/rules/wire-money';

/**
 * The 3301 cross-province upload (R11, 协议 31–33; rehab 协议 24) of one settlement, built from what
 * the gateway kept when it settled: the 2207 / 2304 input it sent (diagnosis, dates, fee lines), the
 * insurer's split and the worker's insured place and filing from the 1101 answer behind the MATCH.
 * Pure. Amounts are integer fen here and yuan with two decimals on the wire. An assistive-device
 * settlement (device 协议 25) adds the invoice number (from HIS) and the fee list (the lines sent).
 */

/** What the settlement sent (2207: begntime; 2304: adm_date, dscg_date). */
export interface SentSettlement {
  readonly dise_codg?: unknown;
  readonly dise_name?: unknown;
  readonly begntime?: unknown;
  readonly adm_date?: unknown;
  readonly dscg_date?: unknown;
  readonly feedetail?: unknown;
}

/** The agreement the settlement is under (3301 `setl_type`): device adds the invoice and the fee list. */
export type UploadCareType = 'medical' | 'rehab' | 'device';

export interface UploadSource {
  readonly careType: UploadCareType;
  /** Device settlements: the invoice number HIS gave (null: not yet). */
  readonly invoiceNo: string | null;
  readonly psnNo: string;
  readonly setlId: string;
  /** The worker's insured place and filing as the insurer answered at settlement; null: insured in Ningxia. */
  readonly crossProvince: { readonly insuplcAdmdvs: string; readonly filingNo: string | null } | null;
  readonly sent: SentSettlement;
  readonly split: { readonly totalFen: number; readonly fundFen: number; readonly selfPayFen: number };
}

/** What the upload still needs from HIS or the insurer, named for staff (the obligation's detail). */
export type UploadNeed = 'diagnosis' | 'dates' | 'filing' | 'invoice';

export type UploadReadiness =
  | { readonly ready: true; readonly input: Record<string, unknown> }
  | {
      readonly ready: false;
      readonly waitingFor: readonly UploadNeed[];
      /** The input as far as it is known (without what is waited for), when only the invoice is missing. */
      readonly partial?: Record<string, unknown>;
    };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

/** The 3301 input, or what it is waiting for. Only for a cross-province worker (else a programming error). */
export function crossProvinceUploadInput(src: UploadSource): UploadReadiness {
  if (src.crossProvince === null) {
    throw new Error(`settlement ${src.setlId}: not a cross-province worker, nothing to upload`);
  }
  const waiting: UploadNeed[] = [];
  const diseCodg = text(src.sent.dise_codg);
  const diseName = text(src.sent.dise_name);
  if (diseCodg === null || diseName === null) {
    waiting.push('diagnosis');
  }
  const dates = datesOf(src.sent);
  if (dates === null) {
    waiting.push('dates');
  }
  const filingNo = src.crossProvince.filingNo;
  if (filingNo === null) {
    waiting.push('filing');
  }
  if (waiting.length > 0 || dates === null) {
    if (src.careType === 'device' && (src.invoiceNo?.trim() ?? '') === '') {
      waiting.push('invoice');
    }
    return { ready: false, waitingFor: waiting };
  }
  const input: Record<string, unknown> = {
    psn_no: src.psnNo,
    setl_id: src.setlId,
    insuplc_admdvs: src.crossProvince.insuplcAdmdvs,
    filing_no: filingNo,
    dise_codg: diseCodg,
    dise_name: diseName,
    begndate: dates.begndate,
    enddate: dates.enddate,
    medfee_sumamt: fenToWire(src.split.totalFen),
    fund_pay_sumamt: fenToWire(src.split.fundFen),
    psn_pay_sumamt: fenToWire(src.split.selfPayFen),
    feedetail_cnt: Array.isArray(src.sent.feedetail) ? src.sent.feedetail.length : 0,
    setl_type: src.careType,
  };
  if (src.careType !== 'device') {
    return { ready: true, input };
  }
  input.fee_list = feeList(src.sent.feedetail);
  const invoiceNo = src.invoiceNo?.trim() ?? '';
  return invoiceNo === ''
    ? { ready: false, waitingFor: ['invoice'], partial: input }
    : { ready: true, input: withInvoice(input, invoiceNo) };
}

/** The partial input of a device settlement completed with HIS's invoice number. */
export function withInvoice(partial: Record<string, unknown>, invoiceNo: string): Record<string, unknown> {
  return { ...partial, invoice_no: invoiceNo.trim() };
}

/** Device 协议 25's 费用清单: each line sent in the settlement, as the insurer settled it. */
function feeList(feedetail: unknown): Record<string, unknown>[] {
  return (Array.isArray(feedetail) ? feedetail : []).map((l) => {
    const line = (l ?? {}) as Record<string, unknown>;
    return {
      feedetl_sn: line.feedetl_sn,
      item_name: line.item_name,
      cnt: line.cnt,
      pric: line.pric,
      det_item_fee_sumamt: line.det_item_fee_sumamt,
    };
  });
}

/** Outpatient: the visit day twice; inpatient: admission and discharge days. */
function datesOf(sent: SentSettlement): { begndate: string; enddate: string } | null {
  const begntime = text(sent.begntime);
  if (begntime !== null && DAY.test(begntime.slice(0, 10))) {
    return { begndate: begntime.slice(0, 10), enddate: begntime.slice(0, 10) };
  }
  const adm = text(sent.adm_date);
  const dscg = text(sent.dscg_date);
  return adm !== null && dscg !== null && DAY.test(adm) && DAY.test(dscg) ? { begndate: adm, enddate: dscg } : null;
}

/** 'yyyy-MM-dd HH:mm:ss' Beijing (the insurer's setl_time) → the instant; undefined when malformed. */
export function beijingDateTimeToInstant(value: string | null | undefined): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value ?? '');
  if (!m) {
    return undefined;
  }
  const at = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +m[6]));
  return Number.isNaN(at.getTime()) ? undefined : at;
}
