import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeviceEvent, DeviceEvents, TraceCodeEventPayload } from '../devices/device-events';
import { AuditService, Clock, DomainError, type Principal, systemPrincipal, Transactions, uuidv7 } from '../platform';
import { isDrugScan, judgeClassification } from './rules/scan-judgement';
import { CodeCaptureService, scanOutcome } from './code-capture.service';
import { DeskLineRepository } from './desk-line.repository';
import { DispensingLineRepository } from './dispensing-line.repository';
import type { DeskLineDto, LineProgressDto } from './trace-codes.dto';
import { TRACE_CODE_ERRORS } from './trace-codes.errors';
import { toLineProgress } from './trace-codes.mapper';
import { TraceCodesMetrics } from './trace-codes.metrics';

type DeskScan = Extract<DeviceEvent, { type: 'scan' }>;
type DeskResult = Omit<TraceCodeEventPayload, 'at'>;

const NOTHING_CAPTURED = { code: null, form: null, productCode: null, context: null, line: null };

/**
 * Pharmacy desks' scanners: HIS sets the line a desk dispenses now, and every drug code its scanner
 * reads is captured onto that line. Each scan's outcome goes back to the desk's screen as a
 * `trace-code` event (accepted, duplicate, or refused with the code and message HIS would get).
 */
@Injectable()
export class DeskScansService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeskScansService.name);
  private readonly onDeviceEvent = (event: DeviceEvent): void => {
    if (event.type !== 'scan' || !isDrugScan(event.scan.classification)) {
      return; // identity takes QR tokens and ID numbers
    }
    // One desk's scans are captured one after the other, in the order they were scanned: a burst (a
    // desk agent delivering what it scanned while offline) must not reach the line out of order.
    const previous = this.deskQueues.get(event.desk) ?? Promise.resolve();
    const next = previous
      .then(() => this.handleDeskScan(event))
      .catch((e: unknown) => this.logger.error({ err: e }, `trace codes: scan at desk ${event.desk} failed`));
    this.deskQueues.set(event.desk, next);
    void next.then(() => {
      if (this.deskQueues.get(event.desk) === next) {
        this.deskQueues.delete(event.desk);
      }
    });
  };
  private readonly deskQueues = new Map<string, Promise<void>>();

  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(DeviceEvents) private readonly events: DeviceEvents,
    private readonly metrics: TraceCodesMetrics,
    private readonly capture: CodeCaptureService,
    private readonly lines: DispensingLineRepository,
    private readonly deskLines: DeskLineRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('event', this.onDeviceEvent);
  }

  onApplicationShutdown(): void {
    this.events.off('event', this.onDeviceEvent);
  }

  /** Sets the line a pharmacy desk dispenses now: its scanner's drug codes go there. */
  async setDeskLine(principal: Principal, desk: string, visitId: string, lineNo: string): Promise<LineProgressDto> {
    const now = this.clock.now();
    return this.transactions.run(async (m) => {
      const line = await this.lines.lockDeclared(m, visitId, lineNo);
      await this.deskLines.set(m, { desk, lineId: line.id, setBy: `${principal.type}:${principal.id}`, setAt: now });
      await this.audit.record(
        { actor: principal, action: 'trace-codes.desk-line', outcome: 'success', details: { desk, visitId, lineNo } },
        m,
      );
      return toLineProgress(line);
    });
  }

  /** The desk's line now (HIS or the console may have set it), with its progress; null parts when none is set. */
  async deskLine(desk: string): Promise<DeskLineDto> {
    const set = await this.deskLines.of(this.transactions.reader, desk);
    const line = set ? await this.lines.byId(this.transactions.reader, set.lineId) : undefined;
    if (!set || !line) {
      return { desk, line: null, setBy: null, setAt: null };
    }
    return { desk, line: toLineProgress(line), setBy: set.setBy, setAt: set.setAt.toISOString() };
  }

  /** One scan at a desk: captured onto the desk's line, and its outcome published to the desk. */
  private async handleDeskScan(event: DeskScan): Promise<void> {
    const at = this.clock.now();
    const publish = (result: DeskResult): void => {
      this.metrics.scan('desk', result.outcome, result.refusal?.code);
      this.events.publishTraceCode({
        type: 'trace-code',
        deviceId: event.deviceId,
        desk: event.desk,
        result: { ...result, at },
      });
    };
    const judged = judgeClassification(event.scan.classification);
    if (!judged.ok) {
      publish({ ...NOTHING_CAPTURED, outcome: 'refused', refusal: judged.refusal });
      return;
    }
    const scanned = { code: judged.drug.code, form: judged.drug.form, productCode: judged.drug.productCode };
    const line = await this.activeLine(event.desk);
    if (!line) {
      const refusal = {
        code: 'TRACE_DESK_NO_ACTIVE_LINE',
        message: TRACE_CODE_ERRORS.message('TRACE_DESK_NO_ACTIVE_LINE'),
      };
      publish({ ...NOTHING_CAPTURED, ...scanned, outcome: 'refused', refusal });
      return;
    }
    const actor = systemPrincipal(`device:${event.deviceId}`, event.deviceId);
    try {
      const { line: progressNow } = await this.capture.capture(
        actor,
        line.visitId,
        line.lineNo,
        [judged.drug],
        'add',
        uuidv7(),
      );
      publish({ ...scanned, outcome: 'accepted', refusal: null, context: null, line: progressNow });
    } catch (e) {
      if (!(e instanceof DomainError)) {
        throw e;
      }
      const refusal = { code: e.code, message: e.userMessage };
      publish({ ...scanned, outcome: scanOutcome(e), refusal, context: e.details?.[0]?.context ?? null, line: null });
    }
  }

  private async activeLine(desk: string): Promise<{ visitId: string; lineNo: string } | undefined> {
    const set = await this.deskLines.of(this.transactions.reader, desk);
    return set ? this.lines.byId(this.transactions.reader, set.lineId) : undefined;
  }
}
