import type { DispensingLine, ProductMapping } from './trace-codes.entity';
import { lineCompleteness } from './rules/line-rules';
import type { DrugCode } from './rules/scan-judgement';
import type {
  CompletenessDto,
  FeeLineCodesDto,
  LineProgressDto,
  MappingViewDto,
  ScanResultDto,
} from './trace-codes.dto';

/**
 * Entities → the response DTOs, once for the capability: the DTO classes are the response types of
 * the services and the controller.
 */

type LineFacts = Pick<
  DispensingLine,
  'visitId' | 'lineNo' | 'medListCode' | 'drugName' | 'quantity' | 'splitPackage' | 'codeCount'
>;

/** A line: codes held and needed, and its status. */
export function toLineProgress(line: LineFacts): LineProgressDto {
  return {
    visitId: line.visitId,
    lineNo: line.lineNo,
    medListCode: line.medListCode,
    drugName: line.drugName,
    quantity: line.quantity,
    splitPackage: line.splitPackage,
    held: line.codeCount,
    needed: line.splitPackage ? 1 : line.quantity,
    status: lineCompleteness(line, line.codeCount).status,
  };
}

/** A visit's lines, and those still missing codes (what settlement refuses or warns on). */
export function toCompleteness(visitId: string, lines: readonly LineFacts[]): CompletenessDto {
  const progress = lines.map(toLineProgress);
  const missing = progress.filter((l) => l.status === 'missing-codes');
  return { visitId, complete: missing.length === 0, lines: progress, missing };
}

/** A line with its codes, in the settlement's fee-line shape. */
export function toFeeLineCodes(
  line: Pick<DispensingLine, 'lineNo' | 'medListCode' | 'splitPackage'>,
  codes: readonly string[],
): FeeLineCodesDto {
  return {
    feedetl_sn: line.lineNo,
    med_list_codg: line.medListCode,
    drug_trac_codg: [...codes],
    trdn_flag: line.splitPackage ? '1' : '0',
  };
}

export function toScanResult(drug: DrugCode, line: LineProgressDto): ScanResultDto {
  const { code, form, productCode, batch, expiry } = drug;
  return { code, form, productCode, batch, expiry, line };
}

export function toMappingView(m: ProductMapping): MappingViewDto {
  return {
    productCode: m.productCode,
    medListCode: m.medListCode,
    drugName: m.drugName,
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}
