import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../platform';

export type ScanSource = 'api' | 'desk';
export type ScanOutcome = 'accepted' | 'refused' | 'duplicate';

/**
 * Trace codes in /metrics: how scans end, per source and refusal code, so IT can see a desk whose
 * staff keep scanning the commodity barcode, or a scanner that drops characters (TRACE_CODE_LENGTH).
 * Labels never carry a code or a visit.
 */
@Injectable()
export class TraceCodesMetrics {
  private readonly scans: Counter<'source' | 'outcome' | 'code'>;
  private readonly batchCodes: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    this.scans = new Counter({
      name: 'gateway_trace_scans_total',
      help: 'Single trace-code scans by source (api, desk), outcome (accepted, refused, duplicate) and refusal code',
      labelNames: ['source', 'outcome', 'code'],
      registers: [metrics.registry],
    });
    this.batchCodes = new Counter({
      name: 'gateway_trace_batch_codes_total',
      help: 'Codes sent in batches, by outcome of their batch (accepted, refused)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  scan(source: ScanSource, outcome: ScanOutcome, code = ''): void {
    this.scans.inc({ source, outcome, code });
  }

  batch(outcome: 'accepted' | 'refused', codes: number): void {
    this.batchCodes.inc({ outcome }, codes);
  }
}
