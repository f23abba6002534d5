import { classifyCode, type Classification } from '../../../drivers/protocols/code-classifier';

/**
 * Is a scanned text a drug traceability code we can record, and if so, which box is it?
 * Pure (no I/O; time passed in) so every rule here is property-tested.
 *
 * Two forms identify one box (the smallest sales unit):
 * - a 20-digit trace code (码上放心 and other platforms): the box is the code; its first 7 digits
 *   identify the drug product (药品标识码);
 * - a GS1 DataMatrix with (01) GTIN and (21) serial: the box is GTIN + serial. Batch (10) and
 *   expiry (17) are attributes of the box, not part of its identity, so the same pack scanned
 *   with or without them is the same code. Stored as the element string `01<gtin>21<serial>`.
 * Everything else is refused with a stable code and a message that says what to scan instead.
 */

export type TraceRefusalCode =
  | 'TRACE_CODE_EMPTY'
  | 'TRACE_CODE_LENGTH'
  | 'TRACE_CODE_COMMODITY_BARCODE'
  | 'TRACE_CODE_EXPIRED_PACK'
  | 'TRACE_CODE_GS1_INVALID'
  | 'TRACE_CODE_NOT_A_DRUG_CODE'
  | 'TRACE_CODE_UNREADABLE';

export interface TraceRefusal {
  code: TraceRefusalCode;
  /** Chinese, for pharmacy staff: what is wrong and what to scan instead. */
  message: string;
}

export interface DrugCode {
  /** The canonical form: 20 digits, or `01<gtin14>21<serial>`. Unique per box. */
  code: string;
  form: 'trace20' | 'gs1';
  /** What identifies the drug product: the first 7 digits, or the GTIN-14. */
  productCode: string;
  batch: string | null;
  /** 'YYYY-MM-DD' (GS1 only). */
  expiry: string | null;
}

export type ScanJudgement = { ok: true; drug: DrugCode } | { ok: false; refusal: TraceRefusal };

/** The longest canonical code: 01 + 14 + 21 + 20. */
export const MAX_CANONICAL_LENGTH = 38;

const SCAN_INSTEAD = '请扫描药品最小包装上的追溯码（20位数字，或药品二维码）';

function refuse(code: TraceRefusalCode, message: string): ScanJudgement {
  return { ok: false, refusal: { code, message } };
}

export interface JudgeOptions {
  /** Returns and scraps concern boxes already in the building: an expired pack is still that box. */
  acceptExpired?: boolean;
}

/** Judges raw scanner or HIS text. */
export function judgeScan(raw: string, now: Date, options: JudgeOptions = {}): ScanJudgement {
  return judgeClassification(classifyCode(raw, { now }), options);
}

/** Judges what the code classifier (shared with the device layer) made of a scan. */
export function judgeClassification(c: Classification, options: JudgeOptions = {}): ScanJudgement {
  switch (c.kind) {
    case 'trace-code':
      return {
        ok: true,
        drug: { code: c.code, form: 'trace20', productCode: c.productCode, batch: null, expiry: null },
      };
    case 'gs1': {
      if (c.expired && !options.acceptExpired) {
        return refuse(
          'TRACE_CODE_EXPIRED_PACK',
          `该药品已过有效期（${c.expiry ?? ''}），不能发药：请换一盒在有效期内的药品`,
        );
      }
      return {
        ok: true,
        drug: {
          code: `01${c.gtin}21${c.serial}`,
          form: 'gs1',
          productCode: c.gtin,
          batch: c.batch ?? null,
          expiry: c.expiry ?? null,
        },
      };
    }
    case 'commodity-barcode':
      return refuse('TRACE_CODE_COMMODITY_BARCODE', c.message);
    case 'id-number':
      return refuse('TRACE_CODE_NOT_A_DRUG_CODE', `这是身份证号码，不是药品追溯码：${SCAN_INSTEAD}`);
    case 'qr-token':
      return refuse(
        'TRACE_CODE_NOT_A_DRUG_CODE',
        `这不是药品追溯码（可能是患者的电子凭证二维码或其他条码）：${SCAN_INSTEAD}`,
      );
    case 'refused':
      switch (c.code) {
        case 'EMPTY':
          return refuse('TRACE_CODE_EMPTY', c.message);
        case 'TRACE_CODE_LENGTH':
          return refuse('TRACE_CODE_LENGTH', c.message);
        case 'GS1_CHECK_DIGIT':
        case 'GS1_MALFORMED':
        case 'GS1_NO_SERIAL':
          return refuse('TRACE_CODE_GS1_INVALID', c.message);
        case 'EAN_CHECK_DIGIT':
        case 'TOO_LONG':
        case 'NON_PRINTABLE':
        case 'UNRECOGNISED':
          return refuse('TRACE_CODE_UNREADABLE', c.message);
        case 'ID_CHECK_DIGIT':
        case 'ID_BIRTH_DATE':
        case 'ID_MALFORMED':
        case 'ID_LENGTH':
          return refuse('TRACE_CODE_NOT_A_DRUG_CODE', `这看起来是身份证号码，不是药品追溯码：${SCAN_INSTEAD}`);
      }
  }
}

/** True when a scan is meant for trace-code capture (a drug code or a failed attempt at one), not identity. */
export function isDrugScan(c: Classification): boolean {
  if (c.kind === 'trace-code' || c.kind === 'gs1' || c.kind === 'commodity-barcode') {
    return true;
  }
  return (
    c.kind === 'refused' &&
    ['TRACE_CODE_LENGTH', 'EAN_CHECK_DIGIT', 'GS1_CHECK_DIGIT', 'GS1_MALFORMED', 'GS1_NO_SERIAL'].includes(c.code)
  );
}
