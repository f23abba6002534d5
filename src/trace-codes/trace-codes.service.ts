import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DeviceEvent, DeviceEvents, TraceCodeEventPayload } from '../devices/device-events';
import { AuditService } from '../platform/audit/audit.service';
import type { Principal } from '../platform/auth/principal';
import { Clock } from '../platform/clock';
import { DomainError, NotFoundError, type ErrorDetail } from '../platform/errors/domain-error';
import { uuidv7 } from '../platform/ids';
import { completeCountProblem, lineCompleteness, maxCodes, type LineStatus } from './rules/line-rules';
import { isDrugScan, judgeClassification, judgeScan, type DrugCode, type TraceRefusal } from './rules/scan-judgement';
import { DeskLine, ProductMapping } from './trace-code.entities';
import { alreadyDispensedDetail, alreadyDispensedMessage, TraceCodeConflictError, TraceCodeRefusedError, type CodeUse } from './trace-code.errors';
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
  type LineRow,
} from './trace-code.store';

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
        if (row.codeCount > 0 && row.medListCode !== l.medListCode) {
          throw new TraceCodeConflictError('TRACE_LINE_HAS_CODES', `处方行 ${l.lineNo} 已录入 ${row.codeCount} 个追溯码，不能改为其他药品：请先办理退药（退回这些追溯码）再修改`);
        }
        if (l.quantity < row.codeCount) {
          throw new TraceCodeConflictError(
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

  private async capture(
    principal: Principal,
    visitId: string,
    lineNo: string,
    drugs: readonly DrugCode[],
    mode: 'add' | 'complete',
    operationId: string,
    indexOf?: ReadonlyMap<string, number>,
  ): Promise<{ line: LineProgress; added: number }> {
    // No retry loop: a concurrent first insert of the same code makes ours wait on the key, then see it (ON CONFLICT DO NOTHING).
    return this.captureOnce(principal, visitId, lineNo, drugs, mode, operationId, indexOf);
  }

  private async captureOnce(
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
          throw new TraceCodeConflictError(
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
      const inserted = await insertNewCodes(m, sorted, 'dispensed', now);
      const known = sorted.filter((x) => !inserted.has(x.code)).map((x) => x.code);
      if (known.length > 0) {
        await this.takeKnownCodes(m, line, known, single, now, indexOf);
      }
      await insertUses(
        m,
        sorted.map((x) => ({ id: uuidv7(), code: x.code, lineId: line.id, visitId, split: line.splitPackage, operationId, source: `${principal.type}:${principal.id}` })),
        now,
      );
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

  /** Boxes already known: received or returned ones are dispensed now; dispensed or scrapped ones refuse the whole request. */
  private async takeKnownCodes(m: EntityManager, line: LineRow, known: string[], single: boolean, now: Date, indexOf?: ReadonlyMap<string, number>): Promise<void> {
    const states = await lockCodeStates(m, known);
    const free = known.filter((c) => states.get(c) === 'received' || states.get(c) === 'returned');
    if (free.length < known.length) {
      const busy = known.filter((c) => !free.includes(c));
      const uses = new Map((await activeUses(m, busy)).map((u) => [u.code, u]));
      const details: ErrorDetail[] = busy.map((code) => {
        const use = uses.get(code);
        const index = single ? undefined : indexOf?.get(code);
        if (states.get(code) === 'dispensed' && use) {
          return alreadyDispensedDetail(useView(use), use.lineId === line.id, index);
        }
        return {
          ...(index === undefined ? {} : { field: `codes[${index}]` }),
          code: 'TRACE_CODE_SCRAPPED',
          message: '该追溯码对应的药盒已报损（报废），不能发药：请换一盒药品',
          context: { ...(index === undefined ? {} : { index: String(index) }), code },
        };
      });
      if (single) {
        const [detail] = details;
        const use = uses.get(busy[0]);
        throw new TraceCodeConflictError(
          detail.code as string,
          detail.code === 'TRACE_CODE_ALREADY_DISPENSED' && use ? alreadyDispensedMessage(useView(use), use.lineId === line.id) : detail.message,
          [detail],
        );
      }
      throw new TraceCodeConflictError('TRACE_BATCH_CONFLICT', `${busy.length} 个追溯码已发药或已报损，整批未录入：请按 details 核对药盒`, details.slice(0, MAX_DETAILS));
    }
    const moved = await moveCodes(m, free, ['received', 'returned'], 'dispensed', now);
    if (moved !== free.length) {
      // Cannot happen while the rows are locked; refusing keeps the promise "exactly one wins" even so.
      throw new TraceCodeConflictError('TRACE_CODE_ALREADY_DISPENSED', '追溯码刚被其他请求发药：请刷新后核对');
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
      const inserted = await insertNewCodes(m, sorted, 'received', now);
      await this.audit.record({ actor: principal, action: 'trace-codes.receive', outcome: 'success', details: { operationId, count: inserted.size, alreadyKnown: drugs.length - inserted.size } }, m);
      return { operationId, received: inserted.size, alreadyKnown: drugs.length - inserted.size };
    });
  }

  /** A return (退药): frees each box (it may be dispensed again) and cancels its pending upload. All or nothing. */
  async returnCodes(principal: Principal, texts: readonly string[], reason: string): Promise<ReturnResult> {
    const codes = this.judgeAll(texts, true).map((x) => x.code);
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const states = await lockCodeStates(m, codes);
      const uses = new Map((await activeUses(m, codes)).map((u) => [u.code, u]));
      const notDispensed = codes.filter((c) => states.get(c) !== 'dispensed' || !uses.has(c));
      if (notDispensed.length > 0) {
        throw new TraceCodeConflictError(
          'TRACE_CODE_NOT_DISPENSED',
          `${notDispensed.length} 个追溯码当前不在发药状态（未发药、已退药或已报损），整批未退：请按 details 核对`,
          notDispensed.slice(0, MAX_DETAILS).map((code) => ({ code: 'TRACE_CODE_NOT_DISPENSED', message: `状态：${stateName(states.get(code))}`, context: { code, state: states.get(code) ?? 'unknown' } })),
        );
      }
      const all = [...uses.values()];
      const ended = await endUses(m, all.map((u) => u.useId), reason, now);
      const moved = await moveCodes(m, codes, ['dispensed'], 'returned', now);
      if (ended !== all.length || moved !== codes.length) {
        throw new TraceCodeConflictError('TRACE_CODE_NOT_DISPENSED', '追溯码刚被其他请求退回：请刷新后核对');
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
      await this.audit.record(
        { actor: principal, action: 'trace-codes.return', outcome: 'success', details: { operationId, reason, count: codes.length, uploadsCancelled, alreadyUploaded: alreadyUploaded.length, codes: codes.slice(0, 100) } },
        m,
      );
      return { operationId, returned: codes.length, uploadsCancelled, alreadyUploaded };
    });
  }

  /** A scrap (报损): final. A box not known yet is recorded scrapped; a dispensed box must be returned first. */
  async scrap(principal: Principal, texts: readonly string[], reason: string): Promise<{ operationId: string; scrapped: number }> {
    const drugs = this.judgeAll(texts, true);
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const sorted = [...drugs].sort((a, b) => (a.code < b.code ? -1 : 1));
      const inserted = await insertNewCodes(m, sorted, 'scrapped', now);
      const known = sorted.filter((x) => !inserted.has(x.code)).map((x) => x.code);
      const states = await lockCodeStates(m, known);
      const dispensed = known.filter((c) => states.get(c) === 'dispensed');
      if (dispensed.length > 0) {
        throw new TraceCodeConflictError(
          'TRACE_CODE_DISPENSED',
          `${dispensed.length} 个追溯码已发药，不能直接报损：请先办理退药`,
          dispensed.slice(0, MAX_DETAILS).map((code) => ({ code: 'TRACE_CODE_DISPENSED', message: '已发药：请先退药', context: { code } })),
        );
      }
      const movable = known.filter((c) => states.get(c) === 'received' || states.get(c) === 'returned');
      const moved = await moveCodes(m, movable, ['received', 'returned'], 'scrapped', now);
      if (moved !== movable.length) {
        throw new TraceCodeConflictError('TRACE_CODE_DISPENSED', '追溯码刚被其他请求发药：请刷新后核对');
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
    const publish = (result: Omit<TraceCodeEventPayload, 'at'>): void => this.events.publishTraceCode({ type: 'trace-code', deviceId: event.deviceId, desk: event.desk, result: { ...result, at } });
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
        outcome: e.code === 'TRACE_CODE_ALREADY_DISPENSED' ? 'duplicate' : 'refused',
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
  return { received: '已入库未发药', dispensed: '已发药', returned: '已退药', scrapped: '已报损' }[state ?? ''] ?? '系统中没有该追溯码';
}
