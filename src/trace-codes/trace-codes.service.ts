import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DeviceEvent, DeviceEvents, TraceCodeEventPayload } from '../devices/device-events';
import { AuditService } from '../platform/audit/audit.service';
import type { Principal } from '../platform/auth/principal';
import { Clock } from '../platform/clock';
import { ConflictError, DomainError, NotFoundError, type ErrorDetail } from '../platform/errors/domain-error';
import { uuidv7 } from '../platform/ids';
import { completeCountProblem, lineCompleteness, maxCodes, type LineStatus } from './rules/line-rules';
import { isDrugScan, judgeClassification, judgeScan, type DrugCode, type TraceRefusal } from './rules/scan-judgement';
import { DeskLine, ProductMapping } from './trace-codes.entity';
import { alreadyDispensedDetail, splitOpenDetail, TraceCodeRefusedError, type CodeUse } from './trace-code.errors';
import {
  activeUses,
  addToLineCount,
  Dialect,
  endUses,
  insertNewCodes,
  insertUses,
  lineCodes,
  lockCodeStates,
  lockLine,
  mappingsOf,
  markVisitUploaded,
  moveCodes,
  visitLines,
  type ActiveUse,
  type LineRow,
} from './trace-code.store';
import { TraceCodesMetrics } from './trace-codes.metrics';

export interface LineInput {
  lineNo: string;
  medListCode: string;
  drugName: string;
  quantity: number;
  splitPackage?: boolean;
}

export interface LineProgress {
  visitId: string;
  lineNo: string;
  medListCode: string;
  drugName: string;
  quantity: number;
  splitPackage: boolean;
  /** Codes the line holds now. */
  held: number;
  /** Codes the line needs: the quantity, or 1 for a split package. */
  needed: number;
  status: LineStatus;
}

export interface Completeness {
  visitId: string;
  complete: boolean;
  lines: LineProgress[];
  /** The lines still missing codes: what settlement refuses or warns on. */
  missing: LineProgress[];
}

/** One fee line as the settlement upload (2207 / 2304 feedetail) carries its codes. */
export interface FeeLineCodes {
  feedetl_sn: string;
  med_list_codg: string;
  drug_trac_codg: string[];
  /** '1' split package (拆零), '0' whole boxes. */
  trdn_flag: '0' | '1';
}

export interface ScanResult {
  code: string;
  form: DrugCode['form'];
  productCode: string;
  batch: string | null;
  expiry: string | null;
  line: LineProgress;
}

export interface BatchResult {
  operationId: string;
  /** Codes newly recorded on the line (a retried batch records none twice). */
  added: number;
  line: LineProgress;
}

export interface ReturnResult {
  operationId: string;
  returned: number;
  /** Codes whose pending upload was cancelled. */
  uploadsCancelled: number;
  /** Codes already uploaded with a settlement: that settlement must be reversed (2601) by its owner. */
  alreadyUploaded: { code: string; setlId: string }[];
  /** Boxes still split-open after this return: other split lines keep using them. */
  stillOpen: number;
}

const MAX_DETAILS = 1000;

/**
 * Drug traceability codes (药品追溯码, 办法 9): dispensing lines declared by HIS, codes captured
 * from HIS and from the desks' scanners, checks (form, hospital-wide duplicate, drug fit, count),
 * the life of each box (received → dispensed → returned / scrapped), and what settlement needs.
 */
@Injectable()
export class TraceCodesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TraceCodesService.name);
  private readonly onDeviceEvent = (event: DeviceEvent): void => {
    if (event.type !== 'scan' || !isDrugScan(event.scan.classification)) {
      return; // identity takes QR tokens and ID numbers
    }
    this.handleDeskScan(event).catch((e: unknown) => this.logger.error({ err: e }, `trace codes: scan at desk ${event.desk} failed`));
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(DeviceEvents) private readonly events: DeviceEvents,
    private readonly metrics: TraceCodesMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('event', this.onDeviceEvent);
  }

  onApplicationShutdown(): void {
    this.events.off('event', this.onDeviceEvent);
  }

  // ---- dispensing lines ----------------------------------------------------------------------------

  /** Declares or updates lines of a visit. A quantity below the codes held, or a new drug on a line with codes, is refused. */
  async declareLines(principal: Principal, visitId: string, lines: readonly LineInput[]): Promise<Completeness> {
    const seen = new Set<string>();
    for (const l of lines) {
      if (seen.has(l.lineNo)) {
        throw new TraceCodeRefusedError('TRACE_LINE_DUPLICATE', `处方行 ${l.lineNo} 在请求中出现了两次：每行只报一次`);
      }
      seen.add(l.lineNo);
    }
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      const d = Dialect.of(m);
      const changed: string[] = [];
      for (const l of lines) {
        const split = l.splitPackage ?? false;
        // Insert-if-absent, then lock: two instances declaring the same new line both end up updating one row.
        await m.query(
          `INSERT INTO trace_dispensing_line (id, visit_id, line_no, med_list_code, drug_name, quantity, split_package, code_count, created_by, created_at, updated_at)
           VALUES ${d.values(1, 11)} ON CONFLICT (visit_id, line_no) DO NOTHING`,
          [uuidv7(), visitId, l.lineNo, l.medListCode, l.drugName, l.quantity, d.bool(split), 0, `${principal.type}:${principal.id}`, d.time(now), d.time(now)],
        );
        const row = (await lockLine(m, visitId, l.lineNo)) as LineRow;
        if (row.quantity === l.quantity && row.medListCode === l.medListCode && row.drugName === l.drugName && row.splitPackage === split) {
          continue;
        }
        if (row.codeCount > 0 && row.splitPackage !== split) {
          // Its boxes are dispensed whole or split-open according to the flag: changing it would leave them in the wrong state.
          throw new ConflictError('TRACE_LINE_HAS_CODES', `处方行 ${l.lineNo} 已录入 ${row.codeCount} 个追溯码，不能更改是否拆零：请先办理退药（退回这些追溯码）再修改`);
        }
        if (row.codeCount > 0 && row.medListCode !== l.medListCode) {
          throw new ConflictError('TRACE_LINE_HAS_CODES', `处方行 ${l.lineNo} 已录入 ${row.codeCount} 个追溯码，不能改为其他药品：请先办理退药（退回这些追溯码）再修改`);
        }
        if (l.quantity < row.codeCount) {
          throw new ConflictError(
            'TRACE_LINE_QUANTITY_BELOW_CODES',
            `处方行 ${l.lineNo} 已录入 ${row.codeCount} 个追溯码，数量不能改为 ${l.quantity}：请先退回多出的追溯码`,
          );
        }
        await m.query(
          `UPDATE trace_dispensing_line SET med_list_code = ${d.p(1)}, drug_name = ${d.p(2)}, quantity = ${d.p(3)}, split_package = ${d.p(4)}, updated_at = ${d.p(5)} WHERE id = ${d.p(6)}`,
          [l.medListCode, l.drugName, l.quantity, d.bool(split), d.time(now), row.id],
        );
        changed.push(l.lineNo);
      }
      await this.audit.record({ actor: principal, action: 'trace-codes.lines', outcome: 'success', details: { visitId, lines: lines.map((l) => l.lineNo), changed } }, m);
    });
    return this.completeness(visitId);
  }

  /** Sets the line a pharmacy desk dispenses now: its scanner's drug codes go there. */
  async setDeskLine(principal: Principal, desk: string, visitId: string, lineNo: string): Promise<LineProgress> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const line = await this.requireLine(m, visitId, lineNo);
      await m.getRepository(DeskLine).save({ desk, lineId: line.id, setBy: `${principal.type}:${principal.id}`, setAt: now });
      await this.audit.record({ actor: principal, action: 'trace-codes.desk-line', outcome: 'success', details: { desk, visitId, lineNo } }, m);
      return progress(line);
    });
  }

  // ---- capture -------------------------------------------------------------------------------------

  /** One scan from HIS (or a desk): the code is added to the line. */
  async scan(principal: Principal, visitId: string, lineNo: string, text: string): Promise<ScanResult> {
    try {
      const result = await this.scanOnce(principal, visitId, lineNo, text);
      this.metrics.scan('api', 'accepted');
      return result;
    } catch (e) {
      if (e instanceof DomainError) {
        this.metrics.scan('api', scanOutcome(e), e.code);
      }
      throw e;
    }
  }

  private async scanOnce(principal: Principal, visitId: string, lineNo: string, text: string): Promise<ScanResult> {
    const judged = judgeScan(text, this.clock.now());
    if (!judged.ok) {
      throw new TraceCodeRefusedError(judged.refusal.code, judged.refusal.message);
    }
    const { line } = await this.capture(principal, visitId, lineNo, [judged.drug], 'add', uuidv7());
    const { code, form, productCode, batch, expiry } = judged.drug;
    return { code, form, productCode, batch, expiry, line };
  }

  /** All the line's codes at once, all or nothing, in one transaction. */
  async batch(principal: Principal, visitId: string, lineNo: string, texts: readonly string[]): Promise<BatchResult> {
    try {
      const result = await this.batchOnce(principal, visitId, lineNo, texts);
      this.metrics.batch('accepted', texts.length);
      return result;
    } catch (e) {
      this.metrics.batch('refused', texts.length);
      throw e;
    }
  }

  private async batchOnce(principal: Principal, visitId: string, lineNo: string, texts: readonly string[]): Promise<BatchResult> {
    const now = this.clock.now();
    const details: ErrorDetail[] = [];
    const drugs: DrugCode[] = [];
    const firstAt = new Map<string, number>();
    texts.forEach((text, index) => {
      const judged = judgeScan(text, now);
      if (!judged.ok) {
        details.push(refusalDetail(index, text, judged.refusal));
        return;
      }
      const earlier = firstAt.get(judged.drug.code);
      if (earlier !== undefined) {
        details.push({ field: `codes[${index}]`, code: 'TRACE_CODE_DUPLICATE_IN_REQUEST', message: `与第 ${earlier + 1} 个追溯码是同一盒药品：请删去重复的一个`, context: { index: String(index), code: judged.drug.code } });
        return;
      }
      firstAt.set(judged.drug.code, index);
      drugs.push(judged.drug);
    });
    if (details.length > 0) {
      throw new TraceCodeRefusedError('TRACE_BATCH_INVALID', `${details.length} 个追溯码不能接受，整批未录入：请按 details 逐个更正后重新提交`, details.slice(0, MAX_DETAILS));
    }
    const operationId = uuidv7();
    const { line, added } = await this.capture(principal, visitId, lineNo, drugs, 'complete', operationId, firstAt);
    return { operationId, added, line };
  }

  /** No retry loop: a concurrent first insert of the same code makes ours wait on the key, then see it (ON CONFLICT DO NOTHING). */
  private async capture(
    principal: Principal,
    visitId: string,
    lineNo: string,
    drugs: readonly DrugCode[],
    mode: 'add' | 'complete',
    operationId: string,
    indexOf?: ReadonlyMap<string, number>,
  ): Promise<{ line: LineProgress; added: number }> {
    const now = this.clock.now();
    const single = mode === 'add' && drugs.length === 1;
    return this.dataSource.transaction(async (m) => {
      const line = await this.requireLine(m, visitId, lineNo);
      await this.checkDrugFit(m, line, drugs, single, indexOf);
      let toAdd = drugs;
      if (mode === 'complete') {
        const problem = completeCountProblem(line, drugs.length);
        if (problem !== undefined) {
          throw new TraceCodeRefusedError('TRACE_CODE_COUNT_MISMATCH', problem);
        }
        // A batch is "all the line's codes": a retried batch finds its codes already there and adds nothing twice.
        const held = (await lineCodes(m, [line.id])).get(line.id) ?? [];
        const inBatch = new Set(drugs.map((x) => x.code));
        const others = held.filter((c) => !inBatch.has(c));
        if (others.length > 0) {
          throw new ConflictError(
            'TRACE_LINE_HAS_OTHER_CODES',
            `处方行 ${lineNo} 已录入 ${others.length} 个不在本批中的追溯码：整批提交应包含该行全部追溯码，或先退回这些追溯码`,
            others.slice(0, MAX_DETAILS).map((code) => ({ code: 'TRACE_CODE_ON_LINE', message: '该追溯码已在本行，但不在本批中', context: { code } })),
          );
        }
        const heldSet = new Set(held);
        toAdd = drugs.filter((x) => !heldSet.has(x.code));
      } else if (line.codeCount + drugs.length > maxCodes(line)) {
        throw new TraceCodeRefusedError(
          'TRACE_LINE_FULL',
          `处方行 ${lineNo} 发药数量为 ${line.quantity}，已录入 ${line.codeCount} 个追溯码，不能再多：请核对是否多扫了药盒，或让 HIS 更正发药数量`,
        );
      }
      const sorted = [...toAdd].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
      // A box first dispensed on a split line is opened (split-open): later split lines may share it.
      const known = [...(await insertNewCodes(m, sorted, line.splitPackage ? 'split-open' : 'dispensed', now))];
      if (known.length > 0) {
        await this.takeKnownCodes(m, line, known, single, now, indexOf);
      }
      const codes = sorted.map((x) => x.code);
      await insertUses(m, { ids: codes.map(() => uuidv7()), codes, lineId: line.id, visitId, split: line.splitPackage, operationId, source: `${principal.type}:${principal.id}` }, now);
      await addToLineCount(m, line.id, sorted.length, now);
      await this.audit.record(
        {
          actor: principal,
          action: 'trace-codes.dispense',
          outcome: 'success',
          details: { operationId, visitId, lineNo, mode, count: sorted.length, ...(sorted.length <= 20 ? { codes: sorted.map((x) => x.code) } : {}) },
        },
        m,
      );
      return { line: progress({ ...line, codeCount: line.codeCount + sorted.length }), added: sorted.length };
    });
  }

  /**
   * Boxes already known. Received or returned ones are taken now (dispensed whole, or opened on a
   * split line). A split-open box may also feed this line when the line is split too, is not already
   * holding it, and is of the same drug as the lines already sharing it. Anything else (dispensed
   * whole, split-open on a whole-box line, scrapped) refuses the whole request. The code rows are
   * locked first, and uses of a box are only ever added under that lock, so what is read here holds.
   */
  private async takeKnownCodes(m: EntityManager, line: LineRow, known: string[], single: boolean, now: Date, indexOf?: ReadonlyMap<string, number>): Promise<void> {
    const states = await lockCodeStates(m, known);
    const free = known.filter((c) => states.get(c) === 'received' || states.get(c) === 'returned');
    const notFree = known.filter((c) => !free.includes(c));
    const usesOf = new Map<string, ActiveUse[]>();
    for (const u of notFree.length > 0 ? await activeUses(m, notFree) : []) {
      usesOf.set(u.code, [...(usesOf.get(u.code) ?? []), u]);
    }
    const details: ErrorDetail[] = [];
    let conflict = false;
    for (const code of notFree) {
      const state = states.get(code);
      const uses = usesOf.get(code) ?? [];
      const index = single ? undefined : indexOf?.get(code);
      const onThisLine = uses.find((u) => u.lineId === line.id);
      const shareable = state === 'split-open' && line.splitPackage && onThisLine === undefined && uses.length > 0;
      if (shareable) {
        const otherDrug = uses.find((u) => u.medListCode !== line.medListCode);
        if (otherDrug) {
          // One box holds one drug: the lines already sharing it name it, mapping or not.
          details.push({
            ...(index === undefined ? {} : { field: `codes[${index}]` }),
            code: 'TRACE_CODE_DRUG_MISMATCH',
            message: `该药盒已拆零用于目录编码 ${otherDrug.medListCode} 的药品，与处方行 ${line.lineNo} 的药品（${line.drugName}，${line.medListCode}）不符：请核对是否拿错了药`,
            context: { ...(index === undefined ? {} : { index: String(index) }), code },
          });
        }
        continue;
      }
      conflict = true;
      if (state === 'split-open' && uses.length > 0 && onThisLine === undefined) {
        details.push(splitOpenDetail(useView(uses[0]), uses.length, index));
      } else if ((state === 'dispensed' || state === 'split-open') && uses.length > 0) {
        const use = onThisLine ?? uses[0];
        details.push(alreadyDispensedDetail(useView(use), use.lineId === line.id, index));
      } else {
        details.push({
          ...(index === undefined ? {} : { field: `codes[${index}]` }),
          code: 'TRACE_CODE_SCRAPPED',
          message: '该追溯码对应的药盒已报损（报废），不能发药：请换一盒药品',
          context: { ...(index === undefined ? {} : { index: String(index) }), code },
        });
      }
    }
    if (details.length > 0) {
      const misfit = !conflict;
      if (single) {
        const [detail] = details;
        const Err = misfit ? TraceCodeRefusedError : ConflictError;
        throw new Err(detail.code as string, detail.message, misfit ? undefined : [detail]);
      }
      if (misfit) {
        throw new TraceCodeRefusedError('TRACE_CODE_DRUG_MISMATCH', `${details.length} 个追溯码与处方行的药品不符，整批未录入：请按 details 核对`, details.slice(0, MAX_DETAILS));
      }
      throw new ConflictError(
        'TRACE_BATCH_CONFLICT',
        `${details.filter((x) => x.code !== 'TRACE_CODE_DRUG_MISMATCH').length} 个追溯码已发药、已拆零在用或已报损，整批未录入：请按 details 核对药盒`,
        details.slice(0, MAX_DETAILS),
      );
    }
    const moved = await moveCodes(m, free, ['received', 'returned'], line.splitPackage ? 'split-open' : 'dispensed', now);
    if (moved !== free.length) {
      // Cannot happen while the rows are locked; refusing keeps the promise "exactly one wins" even so.
      throw new ConflictError('TRACE_CODE_ALREADY_DISPENSED', '追溯码刚被其他请求发药：请刷新后核对');
    }
  }

  private async checkDrugFit(m: EntityManager, line: LineRow, drugs: readonly DrugCode[], single: boolean, indexOf?: ReadonlyMap<string, number>): Promise<void> {
    const products = [...new Set(drugs.map((x) => x.productCode))];
    const mappings = await mappingsOf(m, products);
    const misfits = drugs.filter((x) => {
      const fits = mappings.get(x.productCode);
      return fits !== undefined && !fits.has(line.medListCode);
    });
    if (misfits.length === 0) {
      return;
    }
    const message = (x: DrugCode): string =>
      `该药盒（药品标识 ${x.productCode}）对应目录编码 ${[...(mappings.get(x.productCode) ?? [])].join('、')}，与处方行 ${line.lineNo} 的药品（${line.drugName}，${line.medListCode}）不符：请核对是否拿错了药`;
    if (single) {
      throw new TraceCodeRefusedError('TRACE_CODE_DRUG_MISMATCH', message(misfits[0]));
    }
    throw new TraceCodeRefusedError(
      'TRACE_CODE_DRUG_MISMATCH',
      `${misfits.length} 个追溯码与处方行的药品不符，整批未录入：请按 details 核对`,
      misfits.slice(0, MAX_DETAILS).map((x) => {
        const index = indexOf?.get(x.code);
        return { field: `codes[${index}]`, code: 'TRACE_CODE_DRUG_MISMATCH', message: message(x), context: { index: String(index), code: x.code } };
      }),
    );
  }

  // ---- stock: receipts, returns, scraps ------------------------------------------------------------

  /** Stock-in: boxes become known as received. Boxes already known are left as they are. */
  async receive(principal: Principal, texts: readonly string[]): Promise<{ operationId: string; received: number; alreadyKnown: number }> {
    const drugs = this.judgeAll(texts, false);
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const sorted = [...drugs].sort((a, b) => (a.code < b.code ? -1 : 1));
      const alreadyKnown = (await insertNewCodes(m, sorted, 'received', now)).size;
      await this.audit.record({ actor: principal, action: 'trace-codes.receive', outcome: 'success', details: { operationId, count: drugs.length - alreadyKnown, alreadyKnown } }, m);
      return { operationId, received: drugs.length - alreadyKnown, alreadyKnown };
    });
  }

  /**
   * A return (退药): ends the use of each box and cancels its pending upload. All or nothing.
   * A box opened for split dispensing may be open on several lines: the return then names the line
   * (`on`), and ends only that line's use. A box is back in stock (returned, may be dispensed again)
   * once no use of it is open; a scrapped box stays scrapped.
   */
  async returnCodes(principal: Principal, texts: readonly string[], reason: string, on?: { visitId?: string; lineNo?: string }): Promise<ReturnResult> {
    if ((on?.visitId === undefined) !== (on?.lineNo === undefined)) {
      throw new TraceCodeRefusedError('TRACE_RETURN_LINE_REQUIRED', '退药指定处方行时，visitId 与 lineNo 须同时提供');
    }
    const codes = this.judgeAll(texts, true).map((x) => x.code);
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const line = on?.visitId !== undefined ? await this.requireLine(m, on.visitId, on.lineNo as string) : undefined;
      // Locked first: uses are only added under this lock, so the open uses read next stay as read.
      const states = await lockCodeStates(m, codes);
      const usesOf = new Map<string, ActiveUse[]>();
      for (const u of await activeUses(m, codes)) {
        usesOf.set(u.code, [...(usesOf.get(u.code) ?? []), u]);
      }
      const ending = new Map<string, ActiveUse>();
      const notDispensed: string[] = [];
      const ambiguous: string[] = [];
      for (const c of codes) {
        const open = (usesOf.get(c) ?? []).filter((u) => line === undefined || u.lineId === line.id);
        if (open.length === 0) {
          notDispensed.push(c);
        } else if (open.length > 1) {
          ambiguous.push(c);
        } else {
          ending.set(c, open[0]);
        }
      }
      if (notDispensed.length > 0) {
        throw new ConflictError(
          'TRACE_CODE_NOT_DISPENSED',
          `${notDispensed.length} 个追溯码当前不在发药状态${line ? `（不在就诊 ${line.visitId} 第 ${line.lineNo} 行）` : '（未发药、已退药或已报损）'}，整批未退：请按 details 核对`,
          notDispensed.slice(0, MAX_DETAILS).map((code) => ({ code: 'TRACE_CODE_NOT_DISPENSED', message: `状态：${stateName(states.get(code))}`, context: { code, state: states.get(code) ?? 'unknown' } })),
        );
      }
      if (ambiguous.length > 0) {
        throw new TraceCodeRefusedError(
          'TRACE_RETURN_LINE_REQUIRED',
          `${ambiguous.length} 个追溯码的药盒正拆零用于多个处方行，整批未退：请指明退药的就诊和处方行（visitId、lineNo）`,
          ambiguous.slice(0, MAX_DETAILS).map((code) => ({ code: 'TRACE_RETURN_LINE_REQUIRED', message: `该药盒在 ${(usesOf.get(code) ?? []).length} 个拆零处方行在用`, context: { code, openUses: String((usesOf.get(code) ?? []).length) } })),
        );
      }
      const all = [...ending.values()];
      const ended = await endUses(m, all.map((u) => u.useId), reason, now);
      // Back in stock only when no use is left open (a split-open box shared by other lines stays open).
      const freed = codes.filter((c) => (usesOf.get(c) ?? []).length === 1 && (states.get(c) === 'dispensed' || states.get(c) === 'split-open'));
      const moved = await moveCodes(m, freed, ['dispensed', 'split-open'], 'returned', now);
      if (ended !== all.length || moved !== freed.length) {
        throw new ConflictError('TRACE_CODE_NOT_DISPENSED', '追溯码刚被其他请求退回：请刷新后核对');
      }
      const perLine = new Map<string, number>();
      for (const u of all) {
        perLine.set(u.lineId, (perLine.get(u.lineId) ?? 0) + 1);
      }
      for (const [lineId, n] of perLine) {
        await addToLineCount(m, lineId, -n, now);
      }
      const alreadyUploaded = all.filter((u) => u.upload === 'uploaded').map((u) => ({ code: u.code, setlId: u.uploadRef ?? '' }));
      const uploadsCancelled = all.filter((u) => u.upload === 'pending').length;
      const stillOpen = codes.filter((c) => (usesOf.get(c) ?? []).length > 1).length;
      await this.audit.record(
        {
          actor: principal,
          action: 'trace-codes.return',
          outcome: 'success',
          details: { operationId, reason, count: codes.length, ...(line ? { visitId: line.visitId, lineNo: line.lineNo } : {}), uploadsCancelled, alreadyUploaded: alreadyUploaded.length, stillOpen, codes: codes.slice(0, 100) },
        },
        m,
      );
      return { operationId, returned: codes.length, uploadsCancelled, alreadyUploaded, stillOpen };
    });
  }

  /**
   * A scrap (报损): final. A box not known yet is recorded scrapped; a box dispensed whole must be
   * returned first; a split-open box is scrapped at once, its open split uses staying as they are.
   */
  async scrap(principal: Principal, texts: readonly string[], reason: string): Promise<{ operationId: string; scrapped: number }> {
    const drugs = this.judgeAll(texts, true);
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const sorted = [...drugs].sort((a, b) => (a.code < b.code ? -1 : 1));
      const known = [...(await insertNewCodes(m, sorted, 'scrapped', now))].sort();
      const states = await lockCodeStates(m, known);
      const dispensed = known.filter((c) => states.get(c) === 'dispensed');
      if (dispensed.length > 0) {
        throw new ConflictError(
          'TRACE_CODE_DISPENSED',
          `${dispensed.length} 个追溯码已发药，不能直接报损：请先办理退药`,
          dispensed.slice(0, MAX_DETAILS).map((code) => ({ code: 'TRACE_CODE_DISPENSED', message: '已发药：请先退药', context: { code } })),
        );
      }
      // A split-open box is scrapped as it is (the rest of it is spoiled): the portions already dispensed
      // keep their uses (they went to patients and are reported); no new line can take the box.
      const movable = known.filter((c) => states.get(c) === 'received' || states.get(c) === 'returned' || states.get(c) === 'split-open');
      const moved = await moveCodes(m, movable, ['received', 'returned', 'split-open'], 'scrapped', now);
      if (moved !== movable.length) {
        throw new ConflictError('TRACE_CODE_DISPENSED', '追溯码刚被其他请求发药：请刷新后核对');
      }
      await this.audit.record({ actor: principal, action: 'trace-codes.scrap', outcome: 'success', details: { operationId, reason, count: drugs.length, codes: sorted.slice(0, 100).map((x) => x.code) } }, m);
      return { operationId, scrapped: drugs.length };
    });
  }

  private judgeAll(texts: readonly string[], acceptExpired: boolean): DrugCode[] {
    const now = this.clock.now();
    const details: ErrorDetail[] = [];
    const byCode = new Map<string, DrugCode>();
    texts.forEach((text, index) => {
      const judged = judgeScan(text, now, { acceptExpired });
      if (judged.ok) {
        byCode.set(judged.drug.code, judged.drug); // the same box twice in a stock request is the same box
      } else {
        details.push(refusalDetail(index, text, judged.refusal));
      }
    });
    if (details.length > 0) {
      throw new TraceCodeRefusedError('TRACE_BATCH_INVALID', `${details.length} 个追溯码不能接受，整批未处理：请按 details 逐个更正后重新提交`, details.slice(0, MAX_DETAILS));
    }
    return [...byCode.values()];
  }

  // ---- what settlement needs -----------------------------------------------------------------------

  async completeness(visitId: string): Promise<Completeness> {
    const lines = (await visitLines(this.dataSource.manager, visitId)).map(progress);
    if (lines.length === 0) {
      throw new NotFoundError('TRACE_VISIT_NOT_FOUND', `就诊 ${visitId} 没有登记发药明细：请先由 HIS 报送处方行`);
    }
    const missing = lines.filter((l) => l.status === 'missing-codes');
    return { visitId, complete: missing.length === 0, lines, missing };
  }

  /** The visit's lines with their codes, in the shape of the settlement's fee lines (feedetail). */
  async feeLines(visitId: string, manager: EntityManager = this.dataSource.manager): Promise<FeeLineCodes[]> {
    const lines = await visitLines(manager, visitId);
    if (lines.length === 0) {
      throw new NotFoundError('TRACE_VISIT_NOT_FOUND', `就诊 ${visitId} 没有登记发药明细：请先由 HIS 报送处方行`);
    }
    const codes = await lineCodes(manager, lines.map((l) => l.id));
    return lines.map((l) => ({ feedetl_sn: l.lineNo, med_list_codg: l.medListCode, drug_trac_codg: codes.get(l.id) ?? [], trdn_flag: l.splitPackage ? '1' : '0' }));
  }

  /** Called by settlement in its own transaction once the insurer accepted the settlement `setlId`. */
  async markUploaded(visitId: string, setlId: string, manager: EntityManager, actor: Principal): Promise<number> {
    const n = await markVisitUploaded(manager, visitId, setlId);
    await this.audit.record({ actor, action: 'trace-codes.uploaded', outcome: 'success', details: { visitId, setlId, count: n } }, manager);
    return n;
  }

  // ---- product mappings ----------------------------------------------------------------------------

  async upsertMappings(principal: Principal, mappings: readonly { productCode: string; medListCode: string; drugName?: string }[]): Promise<number> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(ProductMapping).save(
        mappings.map((x) => ({ productCode: x.productCode, medListCode: x.medListCode, drugName: x.drugName ?? null, updatedBy: `${principal.type}:${principal.id}`, updatedAt: now })),
      );
      await this.audit.record({ actor: principal, action: 'trace-codes.mappings', outcome: 'success', details: { count: mappings.length } }, m);
    });
    return mappings.length;
  }

  async listMappings(productCode?: string): Promise<ProductMapping[]> {
    return this.dataSource.getRepository(ProductMapping).find({ where: productCode ? { productCode } : {}, order: { productCode: 'ASC', medListCode: 'ASC' }, take: 1000 });
  }

  // ---- device scans --------------------------------------------------------------------------------

  private async handleDeskScan(event: Extract<DeviceEvent, { type: 'scan' }>): Promise<void> {
    const actor: Principal = { type: 'system', id: `device:${event.deviceId}`, name: event.deviceId, scopes: [] };
    const at = this.clock.now();
    const publish = (result: Omit<TraceCodeEventPayload, 'at'>): void => {
      this.metrics.scan('desk', result.outcome, result.refusal?.code);
      this.events.publishTraceCode({ type: 'trace-code', deviceId: event.deviceId, desk: event.desk, result: { ...result, at } });
    };
    const none = { code: null, form: null, productCode: null, context: null, line: null };
    const judged = judgeClassification(event.scan.classification);
    if (!judged.ok) {
      publish({ ...none, outcome: 'refused', refusal: judged.refusal });
      return;
    }
    const desk = await this.dataSource.getRepository(DeskLine).findOneBy({ desk: event.desk });
    const line = desk ? await this.dataSource.manager.query<{ visit_id: string; line_no: string }[]>(`SELECT visit_id, line_no FROM trace_dispensing_line WHERE id = ${Dialect.of(this.dataSource.manager).p(1)}`, [desk.lineId]) : [];
    const scanned = { code: judged.drug.code, form: judged.drug.form, productCode: judged.drug.productCode };
    if (!line[0]) {
      publish({ ...none, ...scanned, outcome: 'refused', refusal: { code: 'TRACE_DESK_NO_ACTIVE_LINE', message: '本工位没有正在发药的处方行：请先在 HIS 中选择要发药的处方行，再扫码' } });
      return;
    }
    try {
      const { line: progressNow } = await this.capture(actor, line[0].visit_id, line[0].line_no, [judged.drug], 'add', uuidv7());
      publish({ ...scanned, outcome: 'accepted', refusal: null, context: null, line: progressNow });
    } catch (e) {
      if (!(e instanceof DomainError)) {
        throw e;
      }
      publish({
        ...scanned,
        outcome: scanOutcome(e),
        refusal: { code: e.code, message: e.userMessage },
        context: e.details?.[0]?.context ?? null,
        line: null,
      });
    }
  }

  private async requireLine(m: EntityManager, visitId: string, lineNo: string): Promise<LineRow> {
    const line = await lockLine(m, visitId, lineNo);
    if (!line) {
      throw new NotFoundError('TRACE_LINE_NOT_FOUND', `就诊 ${visitId} 没有处方行 ${lineNo}：请先由 HIS 报送该行（PUT /api/v1/trace-codes/visits/${visitId}/lines）`);
    }
    return line;
  }
}

/** A box dispensed before is a duplicate; everything else refused is a refusal. */
function scanOutcome(e: DomainError): 'duplicate' | 'refused' {
  return e.code === 'TRACE_CODE_ALREADY_DISPENSED' ? 'duplicate' : 'refused';
}

function progress(line: LineRow): LineProgress {
  const c = lineCompleteness(line, line.codeCount);
  return {
    visitId: line.visitId,
    lineNo: line.lineNo,
    medListCode: line.medListCode,
    drugName: line.drugName,
    quantity: line.quantity,
    splitPackage: line.splitPackage,
    held: line.codeCount,
    needed: line.splitPackage ? 1 : line.quantity,
    status: c.status,
  };
}

function useView(u: { code: string; dispensedAt: Date; visitId: string; lineNo: string }): CodeUse {
  return { code: u.code, dispensedAt: u.dispensedAt.toISOString(), visitId: u.visitId, lineNo: u.lineNo };
}

function refusalDetail(index: number, text: string, refusal: TraceRefusal): ErrorDetail {
  // What was scanned is echoed so staff can find it, except when it may be an ID number (personal data).
  const context: Record<string, string> = { index: String(index) };
  if (refusal.code !== 'TRACE_CODE_NOT_A_DRUG_CODE') {
    context.code = text.trim().slice(0, 64);
  }
  return { field: `codes[${index}]`, code: refusal.code, message: refusal.message, context };
}

function stateName(state: string | undefined): string {
  return { received: '已入库未发药', dispensed: '已发药', 'split-open': '已拆零在用', returned: '已退药', scrapped: '已报损' }[state ?? ''] ?? '系统中没有该追溯码';
}
