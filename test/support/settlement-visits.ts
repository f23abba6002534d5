import type { DataSource } from 'typeorm';
import type { FormReadingService } from '../../src/forms/form-reading.service';
import type { FormDto } from '../../src/forms/forms.dto';
import type { SettlementWorker, VerifiedWorkerService } from '../../src/identity/verified-worker.service';
import type { Principal } from '../../src/platform/auth/principal';
import type { Clock } from '../../src/platform/clock';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { Transactions } from '../../src/platform/database/transactions';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { auditServiceOn } from '../../src/platform/standalone';
import { IDENTITY_ERRORS } from '../../src/identity/identity.errors';
import { FeeLineRepository } from '../../src/settlement/fee-line.repository';
import { FeeLinesService } from '../../src/settlement/fee-lines.service';
import { PreAuditService } from '../../src/settlement/pre-audit.service';
import { catalogueServicesOn } from '../../src/settlement/standalone-settlement';
import { VisitRepository } from '../../src/settlement/visit.repository';
import { VisitsService } from '../../src/settlement/visits.service';
import { traceCodesOn, type TraceCodesWorld } from './trace-codes';

/** HIS, as the settlement tests call the services. */
export const SETTLEMENT_HIS: Principal = { type: 'system', id: 'his-test', name: 'HIS', scopes: ['settlement'] };

/**
 * The forms and identity the pre-audit reads, faked at the constructor: the signed forms of each
 * visit, and the worker behind each token (an unknown token fails as identity's check would).
 */
export class SettlementNeighbours {
  readonly forms = new Map<string, Array<Pick<FormDto, 'id' | 'formNo' | 'kind' | 'signedAt'>>>();
  readonly workers = new Map<string, SettlementWorker>();

  formReader(): FormReadingService {
    return {
      list: async (filter: { visitId?: string; before?: string; limit: number }) => {
        const all = [...(this.forms.get(filter.visitId ?? '') ?? [])].sort((a, b) => (a.id < b.id ? 1 : -1));
        return Promise.resolve(all.filter((f) => !filter.before || f.id < filter.before).slice(0, filter.limit));
      },
    } as unknown as FormReadingService;
  }

  workerService(): VerifiedWorkerService {
    return {
      workerForSettlement: async (token: string | undefined, visitId: string) => {
        const w = this.workers.get(token ?? '');
        if (!w) {
          throw IDENTITY_ERRORS.raise('TOKEN_BAD_SIGNATURE');
        }
        if (w.visitId !== visitId) {
          throw IDENTITY_ERRORS.raise('TOKEN_WRONG_VISIT');
        }
        return Promise.resolve(w);
      },
    } as unknown as VerifiedWorkerService;
  }
}

export interface SettlementVisitsWorld {
  visits: VisitsService;
  lines: FeeLinesService;
  preAudit: PreAuditService;
  catalogue: ReturnType<typeof catalogueServicesOn>;
  traceCodes: TraceCodesWorld;
  neighbours: SettlementNeighbours;
}

/** The settlement visit services on one data source, as SettlementModule wires them. */
export function settlementVisitsOn(ds: DataSource, clock: Clock, config: GatewayConfig): SettlementVisitsWorld {
  const tx = new Transactions(ds);
  const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(generateKeyringDocument('k'))), clock);
  const visits = new VisitRepository();
  const lines = new FeeLineRepository();
  const catalogue = catalogueServicesOn(ds, clock, audit);
  const traceCodes = traceCodesOn(ds, clock);
  const neighbours = new SettlementNeighbours();
  return {
    visits: new VisitsService(tx, clock, audit, visits, lines),
    lines: new FeeLinesService(tx, clock, audit, visits, lines),
    preAudit: new PreAuditService(
      tx,
      config,
      audit,
      visits,
      lines,
      catalogue.mapping,
      traceCodes.settlement,
      neighbours.formReader(),
      neighbours.workerService(),
    ),
    catalogue,
    traceCodes,
    neighbours,
  };
}
