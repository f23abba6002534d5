import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AuditRecord, AuditService, Clock, DomainError, type Principal, Transactions, uuidv7 } from '../platform';
import {
  alreadyOnLineRefusal,
  completeBatchRefusal,
  drugFitRefusal,
  judgeKnownCodes,
  lineFullRefusal,
  type CaptureRequest,
} from './rules/capture-rules';
import { byCode, judgeBatch } from './rules/request-judgement';
import { judgeScan, type DrugCode } from './rules/scan-judgement';
import { DispensingLineRepository, type LineRow } from './dispensing-line.repository';
import { ProductMappingRepository } from './product-mapping.repository';
import { SingleScanRepository } from './single-scan.repository';
import { TraceCodeRepository } from './trace-code.repository';
import { TraceCodeUseRepository } from './trace-code-use.repository';
import type { BatchResultDto, LineProgressDto, ScanResultDto } from './trace-codes.dto';
import { TRACE_CODE_ERRORS, TRACE_MESSAGES } from './trace-codes.errors';
import { toLineProgress, toScanResult } from './trace-codes.mapper';
import { TraceCodesMetrics } from './trace-codes.metrics';

/** How a capture names its codes: one more code ('add'), or all the line's codes at once ('complete'). */
export type CaptureMode = 'add' | 'complete';

/**
 * Capturing boxes onto a dispensing line (药品追溯码, 办法 9): one scan from HIS or a desk scanner,
 * or a batch with all the line's codes, all or nothing. The checks: the form of the code (rules),
 * the drug fit (product mappings), the count, and the box's state hospital-wide — a box goes out
 * once, except a box opened for split dispensing (拆零), which split lines of the same drug share.
 *
 * No retry loop: a concurrent first insert of the same code makes ours wait on the key, then see it
 * (ON CONFLICT DO NOTHING); a box already known changes state only under its row lock.
 */
@Injectable()
export class CodeCaptureService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: TraceCodesMetrics,
    private readonly lines: DispensingLineRepository,
    private readonly codes: TraceCodeRepository,
    private readonly uses: TraceCodeUseRepository,
    private readonly mappings: ProductMappingRepository,
    private readonly singles: SingleScanRepository,
  ) {}

  /** One scan from HIS: the code is added to the line. */
  async scan(principal: Principal, visitId: string, lineNo: string, text: string): Promise<ScanResultDto> {
    try {
      const judged = judgeScan(text, this.clock.now());
      if (!judged.ok) {
        throw TRACE_CODE_ERRORS.raise(judged.refusal.code, { message: judged.refusal.message });
      }
      const { line } = await this.capture(principal, visitId, lineNo, [judged.drug], 'add', uuidv7());
      this.metrics.scan('api', 'accepted');
      return toScanResult(judged.drug, line);
    } catch (e) {
      if (e instanceof DomainError) {
        this.metrics.scan('api', scanOutcome(e), e.code);
      }
      throw e;
    }
  }

  /** All the line's codes at once, all or nothing, in one transaction. A retried batch adds nothing twice. */
  async batch(
    principal: Principal,
    visitId: string,
    lineNo: string,
    texts: readonly string[],
  ): Promise<BatchResultDto> {
    try {
      const { drugs, indexOf } = judgeBatch(texts, this.clock.now());
      const operationId = uuidv7();
      const { line, added } = await this.capture(principal, visitId, lineNo, drugs, 'complete', operationId, indexOf);
      this.metrics.batch('accepted', texts.length);
      return { operationId, added, line };
    } catch (e) {
      this.metrics.batch('refused', texts.length);
      throw e;
    }
  }

  /** Records `drugs` on the line in one transaction (the desk scanners' path too); refuses them all or takes them all. */
  async capture(
    principal: Principal,
    visitId: string,
    lineNo: string,
    drugs: readonly DrugCode[],
    mode: CaptureMode,
    operationId: string,
    indexOf?: ReadonlyMap<string, number>,
  ): Promise<{ line: LineProgressDto; added: number }> {
    const now = this.clock.now();
    const request: CaptureRequest = { single: mode === 'add' && drugs.length === 1, indexOf };
    if (request.single) {
      const taken = await this.takeNewBox(principal, visitId, lineNo, drugs[0], operationId, now);
      if (taken !== undefined) {
        return taken;
      }
    }
    return this.transactions.run(async (m) => {
      const line = await this.lines.lockDeclared(m, visitId, lineNo);
      throwIf(
        drugFitRefusal(
          line,
          drugs,
          await this.mappings.catalogueCodesOf(m, [...new Set(drugs.map((x) => x.productCode))]),
          request,
        ),
      );
      const toAdd = byCode(mode === 'complete' ? await this.notYetOnLine(m, line, drugs) : drugs);
      if (mode === 'add') {
        const full = lineFullRefusal(line, drugs.length);
        if (full) {
          // Only on a full line (no cost on the way in): a retried scan of the box that filled it is told so.
          const codes = drugs.map((x) => x.code);
          throwIf(alreadyOnLineRefusal(line, await this.uses.activeByCode(m, codes), request));
          throw full;
        }
      }
      // A box first dispensed on a split line is opened (split-open): later split lines may share it.
      const known = [...(await this.codes.insertNew(m, toAdd, line.splitPackage ? 'split-open' : 'dispensed', now))];
      if (known.length > 0) {
        await this.takeKnownCodes(m, line, known, request, now);
      }
      const codes = toAdd.map((x) => x.code);
      await this.uses.insert(
        m,
        {
          ids: codes.map(() => uuidv7()),
          codes,
          lineId: line.id,
          visitId,
          split: line.splitPackage,
          operationId,
          source: `${principal.type}:${principal.id}`,
        },
        now,
      );
      await this.lines.addToCount(m, line.id, codes.length, now);
      await this.audit.record(dispenseEntry(principal, operationId, visitId, lineNo, mode, codes), m);
      return { line: toLineProgress({ ...line, codeCount: line.codeCount + codes.length }), added: codes.length };
    });
  }

  /**
   * The common single scan, a box never seen before onto a line with room, in one read and one write
   * (SingleScanRepository; PostgreSQL). Answers undefined when the locked path must decide: on SQLite,
   * for a line not declared, a box already known, a scan the rules would refuse on the line as read (the
   * locked path refuses it, or not, on the line as it is then, with the same rules), or when the line
   * changed or the box appeared meanwhile.
   */
  private async takeNewBox(
    principal: Principal,
    visitId: string,
    lineNo: string,
    drug: DrugCode,
    operationId: string,
    now: Date,
  ): Promise<{ line: LineProgressDto; added: number } | undefined> {
    const m = this.transactions.reader;
    const look = await this.singles.look(m, visitId, lineNo, drug);
    if (look?.line === undefined || look.known) {
      return undefined;
    }
    const line = look.line;
    if (drugFitRefusal(line, [drug], look.mappings, { single: true }) || lineFullRefusal(line, 1)) {
      return undefined;
    }
    const use = { id: uuidv7(), operationId, source: `${principal.type}:${principal.id}` };
    const entry = this.audit.entry(dispenseEntry(principal, operationId, visitId, lineNo, 'add', [drug.code]));
    if ((await this.singles.takeNew(m, line, drug, use, entry, now)) !== 'taken') {
      return undefined;
    }
    return { line: toLineProgress({ ...line, codeCount: line.codeCount + 1 }), added: 1 };
  }

  /** A batch: the count must fit and the line may hold no other code; the codes it already holds are not added again. */
  private async notYetOnLine(m: EntityManager, line: LineRow, drugs: readonly DrugCode[]): Promise<DrugCode[]> {
    const held = (await this.uses.codesOfLines(m, [line.id])).get(line.id) ?? [];
    throwIf(
      completeBatchRefusal(
        line,
        drugs.map((x) => x.code),
        held,
      ),
    );
    const heldSet = new Set(held);
    return drugs.filter((x) => !heldSet.has(x.code));
  }

  /**
   * Boxes already known: the code rows are locked first, and uses of a box are only ever added under
   * that lock, so what is read here holds. Free boxes are taken now; see judgeKnownCodes for the rest.
   */
  private async takeKnownCodes(
    m: EntityManager,
    line: LineRow,
    known: string[],
    request: CaptureRequest,
    now: Date,
  ): Promise<void> {
    const states = await this.codes.lockStates(m, known);
    const notFree = known.filter((c) => states.get(c) !== 'received' && states.get(c) !== 'returned');
    const usesOf = await this.uses.activeByCode(m, notFree);
    const { free, refusal } = judgeKnownCodes(line, known, states, usesOf, request);
    throwIf(refusal);
    const moved = await this.codes.move(
      m,
      free,
      ['received', 'returned'],
      line.splitPackage ? 'split-open' : 'dispensed',
      now,
    );
    if (moved !== free.length) {
      // Cannot happen while the rows are locked; refusing keeps the promise "exactly one wins" even so.
      throw TRACE_CODE_ERRORS.raise('TRACE_CODE_ALREADY_DISPENSED', { message: TRACE_MESSAGES.takenMeanwhile });
    }
  }
}

/** The audit entry of a capture: at most 20 codes named. */
function dispenseEntry(
  actor: Principal,
  operationId: string,
  visitId: string,
  lineNo: string,
  mode: CaptureMode,
  codes: readonly string[],
): AuditRecord {
  const details = { operationId, visitId, lineNo, mode, count: codes.length, ...(codes.length <= 20 ? { codes } : {}) };
  return { actor, action: 'trace-codes.dispense', outcome: 'success', details };
}

/** A box dispensed before is a duplicate; everything else refused is a refusal. */
export function scanOutcome(e: DomainError): 'duplicate' | 'refused' {
  return e.code === 'TRACE_CODE_ALREADY_DISPENSED' ? 'duplicate' : 'refused';
}

function throwIf(refusal: DomainError | undefined): void {
  if (refusal !== undefined) {
    throw refusal;
  }
}
