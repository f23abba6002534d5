/**
 * What the local pre-audit (pre-audit.ts) reads: the visit, what the insurer says about the worker,
 * the fee lines as HIS declares them, the catalogue mapping of each HIS item, the trace codes
 * captured per drug line, the signed self-pay consent forms, HIS's totals and the policy. Pure data.
 *
 * Money is integer fen (分) and counts are decimal strings: no floating point ever touches an amount.
 * Dates are 'yyyy-MM-dd' calendar days in Beijing time, compared as strings.
 */

/** An outpatient visit (2207) or an admission (2304). */
export type PreAuditVisit =
  | {
      readonly kind: 'outpatient';
      /** 'yyyy-MM-dd'. */
      readonly visitDate: string;
      /** The hospital's 12-character institution code (定点医药机构编号). */
      readonly hospitalCode: string;
    }
  | {
      readonly kind: 'inpatient';
      /** 'yyyy-MM-dd'. */
      readonly admissionDate: string;
      /**
       * The day the hospital notified a worker who meets the discharge (or transfer) criteria and
       * stays on (协议 13(4)); null when no such notice was given. Charging to the fund stops from
       * this day, the day itself included (see after-notice rule in scope-rules.ts).
       */
      readonly dischargeNoticeDate: string | null;
      readonly hospitalCode: string;
    };

/** A cross-province worker's filing (备案); dates inclusive. */
export interface CrossProvinceFiling {
  readonly filingNo: string;
  readonly validFrom: string;
  readonly validTo: string;
}

/** What the insurer (1101) says about the worker, as the pre-audit needs it (see worker-facts.ts). */
export interface WorkerFacts {
  /** 工伤认定: made, applied for and not decided, or none. */
  readonly injuryStatus: 'determined' | 'pending' | 'none';
  /** 'yyyy-MM-dd': the accident, or the diagnosis of an occupational disease; null when unknown. */
  readonly injuryDate: string | null;
  /** Institution codes of the worker's signed outpatient institutions (办法 18, at most 3). */
  readonly signedInstitutionCodes: readonly string[];
  /** null for a worker insured in Ningxia; else the filing, or null when not filed. */
  readonly crossProvince: { readonly filing: CrossProvinceFiling | null } | null;
}

export type FeeLineKind = 'drug' | 'service' | 'material';

/** One fee line as HIS declares it. */
export interface FeeLine {
  /** HIS line id (feedetl_sn): unique within the visit. */
  readonly lineId: string;
  readonly hisItemCode: string;
  readonly itemName: string;
  readonly kind: FeeLineKind;
  /**
   * Decimal count, at most 3 decimals, > 0 (e.g. '2', '0.5' for half a split package). Drugs count
   * packages (最小销售包装), so a split package (拆零) has a fractional count.
   */
  readonly count: string;
  /** Unit price, integer fen. */
  readonly unitPriceFen: number;
  /** Line amount, integer fen: must be count × unit price rounded half up to the fen. */
  readonly amountFen: number;
  /** 'yyyy-MM-dd'. */
  readonly serviceDate: string;
  /** Treats the work injury (false: non-work-injury treatment, 办法 15(3)). */
  readonly injuryRelated: boolean;
  /** Drug lines: days of supply prescribed; null when not a prescription with a supply. */
  readonly daysOfSupply: number | null;
  /** The worker's statement and proof for a long supply are kept (协议 15). */
  readonly supplyStatementPresent: boolean;
  /** The 自费项目告知确认书 (form 07) covering this line, if any. */
  readonly selfPayConsentFormId: string | null;
}

/** The catalogue mapping (编码比对) of a HIS item code. */
export type CatalogueMatch =
  | {
      readonly kind: 'mapped';
      readonly insurerCode: string;
      /**
       * The days the mapping is valid ('yyyy-MM-dd', inclusive; null or absent: open). A line dated
       * outside them is outside the catalogue on that day (ITEM_OUTSIDE_CATALOGUE).
       */
      readonly validFrom?: string | null;
      readonly validTo?: string | null;
    }
  | { readonly kind: 'unmapped' }
  | { readonly kind: 'outside' };

/** Trace codes of one drug line, as the trace-codes capability counts them. */
export interface TraceCodeTally {
  /** Codes the dispensing line expects (trace-codes `needed`: the quantity, 1 for a split package). */
  readonly boxesExpected: number;
  /** Codes captured on the line. */
  readonly codesCaptured: number;
}

/** The totals HIS declares for the visit, integer fen. The split is optional. */
export interface HisTotals {
  readonly totalFen: number;
  readonly fundFen?: number | null;
  readonly selfPayFen?: number | null;
}

/**
 * 自费转工伤 (R10, 办法 26): the facts a conversion adds, from the 1101 answer behind the MATCH and
 * the receipts HIS recorded with the self-paid visit (see conversion.ts).
 */
export interface ConversionFacts {
  /** 'yyyy-MM-dd': the day the determination was made; null when the insurer gives none. */
  readonly determinationDate: string | null;
  /** What the worker paid for the visit, by the receipts recorded with it, integer fen. */
  readonly receiptsTotalFen: number;
}

export interface PreAuditInput {
  readonly visit: PreAuditVisit;
  /**
   * What the insurer says about the worker (1101, behind a MATCH verification token); null when the
   * person was not verified: the person rules are then reported as not done (PERSON_NOT_VERIFIED).
   */
  readonly worker: WorkerFacts | null;
  readonly lines: readonly FeeLine[];
  /** By HIS item code; a code missing here counts as unmapped. */
  readonly catalogue: ReadonlyMap<string, CatalogueMatch>;
  /** By line id, for drug lines; a drug line missing here has no codes. */
  readonly traceCodes: ReadonlyMap<string, TraceCodeTally>;
  /** Ids of the signed self-pay consent forms (协议 18) of this worker. */
  readonly signedConsentFormIds: ReadonlySet<string>;
  readonly hisTotals: HisTotals;
  /** Set for a 自费转工伤: the conversion rules run as well (conversion.ts). Absent or null: a normal settlement. */
  readonly conversion?: ConversionFacts | null;
}

export interface PreAuditPolicy {
  /** Drug lines without all their trace codes: refuse the settlement (default) or only warn (办法 9). */
  readonly missingTraceCodes: 'refuse' | 'warn';
  /** The longest supply a prescription may give, even with the statement (协议 15: 3 months). */
  readonly maxDaysOfSupply: number;
  /**
   * A supply longer than this needs the worker's statement (协议 15, with 处方管理办法 19: a
   * prescription is generally at most 7 days).
   */
  readonly statementRequiredOverDays: number;
}

export const DEFAULT_PRE_AUDIT_POLICY: PreAuditPolicy = {
  missingTraceCodes: 'refuse',
  maxDaysOfSupply: 90,
  statementRequiredOverDays: 7,
};

/** The first day of the visit: the outpatient visit, or the admission. */
export function visitStartDate(visit: PreAuditVisit): string {
  return visit.kind === 'outpatient' ? visit.visitDate : visit.admissionDate;
}
