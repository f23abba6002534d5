import type { DataSource } from 'typeorm';
import { DeviceEvents } from '../../src/devices/device-events';
import { auditServiceOn } from '../../src/platform/standalone';
import type { Principal } from '../../src/platform/auth/principal';
import { Clock } from '../../src/platform/clock';
import { Transactions } from '../../src/platform/database/transactions';
import { MetricsService } from '../../src/platform/metrics/metrics.service';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { CodeCaptureService } from '../../src/trace-codes/code-capture.service';
import { DeskLineRepository } from '../../src/trace-codes/desk-line.repository';
import { DeskScansService } from '../../src/trace-codes/desk-scans.service';
import { DispensingLineRepository } from '../../src/trace-codes/dispensing-line.repository';
import { DispensingLinesService } from '../../src/trace-codes/dispensing-lines.service';
import { ProductMappingRepository } from '../../src/trace-codes/product-mapping.repository';
import { ProductMappingsService } from '../../src/trace-codes/product-mappings.service';
import { SettlementCodesService } from '../../src/trace-codes/settlement-codes.service';
import { SingleScanRepository } from '../../src/trace-codes/single-scan.repository';
import { StockService } from '../../src/trace-codes/stock.service';
import { TraceCodeUseRepository } from '../../src/trace-codes/trace-code-use.repository';
import { TraceCodeRepository } from '../../src/trace-codes/trace-code.repository';
import { TraceCodesMetrics } from '../../src/trace-codes/trace-codes.metrics';

/** A clock the test sets. */
export class FixedClock extends Clock {
  constructor(public t: Date) {
    super();
  }
  now(): Date {
    return new Date(this.t);
  }
}

/** HIS, as the trace-code tests call the services. */
export const HIS: Principal = { type: 'system', id: 'his-test', name: 'HIS', scopes: ['trace-codes'] };

/** A 20-digit trace code numbered `n` (product 8000000 for small n). */
export const traceCode = (n: number): string => `8${String(n).padStart(19, '0')}`;

/** The capability's repositories, stateless: one set serves every data source. */
export interface TraceCodeRepositories {
  lines: DispensingLineRepository;
  codes: TraceCodeRepository;
  uses: TraceCodeUseRepository;
  mappings: ProductMappingRepository;
  deskLines: DeskLineRepository;
  singles: SingleScanRepository;
}

export function traceCodeRepositories(): TraceCodeRepositories {
  return {
    lines: new DispensingLineRepository(),
    codes: new TraceCodeRepository(),
    uses: new TraceCodeUseRepository(),
    mappings: new ProductMappingRepository(),
    deskLines: new DeskLineRepository(),
    singles: new SingleScanRepository(),
  };
}

/** The trace-code services wired on one data source, as TraceCodesModule wires them in the app. */
export interface TraceCodesWorld {
  lines: DispensingLinesService;
  capture: CodeCaptureService;
  stock: StockService;
  settlement: SettlementCodesService;
  deskScans: DeskScansService;
  mappings: ProductMappingsService;
  events: DeviceEvents;
  repositories: TraceCodeRepositories;
}

export function traceCodesOn(ds: DataSource, clock: Clock, events = new DeviceEvents()): TraceCodesWorld {
  const tx = new Transactions(ds);
  const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(generateKeyringDocument('k'))), clock);
  const metrics = new TraceCodesMetrics(new MetricsService());
  const r = traceCodeRepositories();
  const capture = new CodeCaptureService(tx, clock, audit, metrics, r.lines, r.codes, r.uses, r.mappings, r.singles);
  return {
    lines: new DispensingLinesService(tx, clock, audit, r.lines),
    capture,
    stock: new StockService(tx, clock, audit, r.lines, r.codes, r.uses),
    settlement: new SettlementCodesService(tx, audit, r.lines, r.uses),
    deskScans: new DeskScansService(tx, clock, audit, events, metrics, capture, r.lines, r.deskLines),
    mappings: new ProductMappingsService(tx, clock, audit, r.mappings),
    events,
    repositories: r,
  };
}

/** The refusal a promise rejects with (fails the test when it resolves). */
export async function refusal<E = import('../../src/platform/errors/domain-error').DomainError>(
  p: Promise<unknown>,
): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error('expected a refusal');
}
