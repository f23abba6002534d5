import { DomainError, type ErrorDetail } from '../platform/errors/domain-error';

/**
 * Refusals of trace-code capture. Every one has a stable English code (HIS and the desk screen
 * branch on it) and a Chinese message that says what to do. Nothing stored changes when one is thrown.
 * A code's state forbidding the change (already dispensed, scrapped, not dispensed) is the platform's
 * ConflictError (409).
 */

/** The scan or request cannot be accepted as it is (wrong form, wrong drug, wrong count): 422. */
export class TraceCodeRefusedError extends DomainError {
  readonly status = 422;
  constructor(
    readonly code: string,
    message: string,
    details?: ErrorDetail[],
  ) {
    super(message, details);
  }
}

/** Where and when a dispensed code was used: what a 409 tells, never who the patient was. */
export interface CodeUse {
  code: string;
  dispensedAt: string;
  visitId: string;
  lineNo: string;
}

export function alreadyDispensedMessage(use: CodeUse, sameLine: boolean): string {
  return sameLine
    ? `该追溯码已在本处方行录入（${use.dispensedAt}），无需重复扫描`
    : `该追溯码已于 ${use.dispensedAt} 在就诊 ${use.visitId} 第 ${use.lineNo} 行发药，同一盒药品不能重复发药：请核对药盒；如为退药后再发，请先办理退药`;
}

export function alreadyDispensedDetail(use: CodeUse, sameLine: boolean, index?: number): ErrorDetail {
  return {
    ...(index === undefined ? {} : { field: `codes[${index}]` }),
    code: 'TRACE_CODE_ALREADY_DISPENSED',
    message: alreadyDispensedMessage(use, sameLine),
    context: { ...(index === undefined ? {} : { index: String(index), code: use.code }), dispensedAt: use.dispensedAt, visitId: use.visitId, lineNo: use.lineNo },
  };
}

/**
 * A box opened for split dispensing (拆零) cannot go out whole: part of it already went to patients.
 * The context names the first open split use (when, visit, line: never the patient) and how many are open.
 */
export function splitOpenDetail(first: CodeUse, openUses: number, index?: number): ErrorDetail {
  return {
    ...(index === undefined ? {} : { field: `codes[${index}]` }),
    code: 'TRACE_CODE_SPLIT_OPEN',
    message: splitOpenMessage(first, openUses),
    context: {
      ...(index === undefined ? {} : { index: String(index), code: first.code }),
      dispensedAt: first.dispensedAt,
      visitId: first.visitId,
      lineNo: first.lineNo,
      openUses: String(openUses),
    },
  };
}

export function splitOpenMessage(first: CodeUse, openUses: number): string {
  return `该药盒已于 ${first.dispensedAt} 在就诊 ${first.visitId} 第 ${first.lineNo} 行拆零发药（${openUses} 个拆零处方行在用），不能再整盒发药：请换一盒未拆封的药品；如本行也是拆零发药，请让 HIS 将该行标记为拆零（splitPackage）`;
}
