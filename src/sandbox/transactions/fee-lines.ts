import { isValidGtin } from '../../../drivers/protocols/gs1';
import {
  Fields,
  requireAmount,
  requireArray,
  requireBoolean,
  requireFields,
  requireNumber,
  requireString,
} from '../input-fields';
import { Ledger } from '../ledger';
import { lineCents } from '../money';
import { Rejection } from '../rejection';

/**
 * Fee lines (费用明细) of a settlement: parsed, checked to the cent, trace codes checked, and
 * split between the fund and the worker.
 *
 * The split rule (sandbox, documented in docs/upstream-protocol.md): work-injury insurance pays
 * catalogue items in full, with no deductible or co-payment. A line is the worker's own
 * (self pay) when it treats something other than the work injury (`injury_related: false`,
 * 办法 15(3)) or when its item is outside the catalogue — in the sandbox, a `med_list_codg`
 * starting with `ZF`.
 */
export type ListType = 'drug' | 'service' | 'material';

export interface FeeLine {
  feedetl_sn: string;
  med_list_codg: string;
  item_name: string;
  list_type: ListType;
  cnt: number;
  pric: number;
  amountCents: number;
  injury_related: boolean;
  drug_trac_codg: string[];
}

export interface LineSplit {
  feedetl_sn: string;
  det_item_fee_sumamt: number;
  fund_pay_amt: number;
  psn_pay_amt: number;
  selfpay_reason: string | null;
}

const MAX_LINES = 1000;
const OUT_OF_CATALOGUE_PREFIX = 'ZF';

export function parseFeeLines(input: Fields): FeeLine[] {
  const raw = requireArray(input, 'feedetail');
  if (raw.length === 0) {
    throw new Rejection('费用明细 feedetail 不能为空');
  }
  if (raw.length > MAX_LINES) {
    throw new Rejection(`费用明细超过 ${MAX_LINES} 条，请分次结算`);
  }
  const seen = new Set<string>();
  return raw.map((value, i) => {
    const path = `feedetail[${i}]`;
    const line = requireFields(value, path);
    const sn = requireString(line, 'feedetl_sn', path, { maxLength: 30 });
    if (seen.has(sn)) {
      throw new Rejection(`费用明细流水号 ${sn} 重复`);
    }
    seen.add(sn);
    const listType = requireString(line, 'list_type', path);
    if (listType !== 'drug' && listType !== 'service' && listType !== 'material') {
      throw new Rejection(`字段 ${path}.list_type 应为 drug、service 或 material`);
    }
    const cnt = requireNumber(line, 'cnt', path);
    if (cnt === 0) {
      throw new Rejection(`字段 ${path}.cnt 必须大于 0`);
    }
    const pric = requireNumber(line, 'pric', path);
    const amountCents = requireAmount(line, 'det_item_fee_sumamt', path);
    if (amountCents !== lineCents(cnt, pric)) {
      throw new Rejection(`${path} 金额不等于数量×单价（精确到分）`);
    }
    return {
      feedetl_sn: sn,
      med_list_codg: requireString(line, 'med_list_codg', path, { maxLength: 50 }),
      item_name: requireString(line, 'item_name', path, { maxLength: 200 }),
      list_type: listType,
      cnt,
      pric,
      amountCents,
      injury_related: requireBoolean(line, 'injury_related', path),
      drug_trac_codg: parseTraceCodes(line, path, listType, cnt),
    };
  });
}

function parseTraceCodes(line: Fields, path: string, listType: ListType, cnt: number): string[] {
  if (listType !== 'drug') {
    if (
      line.drug_trac_codg !== undefined &&
      !(Array.isArray(line.drug_trac_codg) && line.drug_trac_codg.length === 0)
    ) {
      throw new Rejection(`${path} 不是药品，不应填写药品追溯码`);
    }
    return [];
  }
  const codes = requireArray(line, 'drug_trac_codg', path).map((code, j) => {
    if (typeof code !== 'string') {
      throw new Rejection(`${path}.drug_trac_codg[${j}] 应为字符串`);
    }
    if (/^69\d{11}$/.test(code)) {
      throw new Rejection(`${path}.drug_trac_codg[${j}] 是商品条码（69开头13位），不是药品追溯码`);
    }
    if (!isTraceCode(code)) {
      throw new Rejection(
        `${path}.drug_trac_codg[${j}] 格式错误，药品追溯码应为20位数字，或药品二维码的 01<GTIN-14>21<序列号>`,
      );
    }
    return code;
  });
  // One code per box sold; a split package (拆零) sells less than a box under one code.
  if (codes.length > Math.ceil(cnt)) {
    throw new Rejection(`${path} 追溯码数量多于销售数量`);
  }
  return codes;
}

/**
 * A trace code as the national interface carries it: 20 digits, or a GS1 pack's identity as
 * the element string `01<GTIN-14>21<serial>` (serial: 1–20 characters of GS1 set 82, no separator).
 */
export function isTraceCode(code: string): boolean {
  if (/^\d{20}$/.test(code)) {
    return true;
  }
  const gs1 = /^01(\d{14})21([!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20})$/.exec(code);
  return gs1 !== null && isValidGtin(gs1[1]);
}

/**
 * Refuses a code given twice, or already dispensed by a settlement in force (not reversed or
 * cancelled). `scope` names the message in the err_msg (本次结算, 本次上传).
 */
export function checkTraceCodesUnused(lines: FeeLine[], ledger: Ledger, scope = '本次结算'): void {
  const seen = new Set<string>();
  for (const line of lines) {
    for (const code of line.drug_trac_codg) {
      if (seen.has(code)) {
        throw new Rejection(`追溯码 ${code} 在${scope}中重复出现`);
      }
      seen.add(code);
      if (ledger.traceCodesInUse.has(code)) {
        throw new Rejection(`追溯码 ${code} 已被其他结算使用，同一盒药品不能重复销售`);
      }
    }
  }
}

/** The "missing trace code" warning: settled anyway, but the auditor will see it (办法 9). */
export function missingTraceCodeWarning(lines: FeeLine[]): string | undefined {
  const missing = lines.filter((l) => l.list_type === 'drug' && l.drug_trac_codg.length === 0).map((l) => l.feedetl_sn);
  return missing.length > 0 ? `以下药品明细未采集药品追溯码：${missing.join('、')}` : undefined;
}

export function splitLine(line: FeeLine): { fundCents: number; psnCents: number; reason: string | null } {
  if (!line.injury_related) {
    return { fundCents: 0, psnCents: line.amountCents, reason: '非工伤治疗费用' };
  }
  if (line.med_list_codg.startsWith(OUT_OF_CATALOGUE_PREFIX)) {
    return { fundCents: 0, psnCents: line.amountCents, reason: '工伤保险目录外项目' };
  }
  return { fundCents: line.amountCents, psnCents: 0, reason: null };
}
