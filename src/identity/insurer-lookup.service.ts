import { Injectable, Logger } from '@nestjs/common';
import { AuditService, Clock, PiiCryptoService, type Principal } from '../platform';
import { INFNO } from '../upstream/protocol/transactions';
import { UpstreamCalls } from '../upstream/upstream-calls';
import { UpstreamRejectedError } from '../upstream/upstream.errors';
import { CoverageCacheRepository } from './coverage-cache.repository';
import type { IdentitySession } from './identity-session.entity';
import { refusalReason } from './insurer-answers';
import { personKey, personKeys, personSubject } from './person-key';
import {
  addEvidence,
  type InsurerEvidence,
  type InsurerPersonAnswer,
  type QrDecodeAnswer,
  type QrEvidence,
  type SessionEvidence,
} from './rules/evidence';
import { normalizedIdNumber } from './rules/normalize';
import type { StoredEvidence } from './session-evidence';

/**
 * What the insurer says about the person: the QR code decoded (1161, never parsed locally) and the
 * person's coverage (1101), with the coverage cache filled while the insurer answers and read while
 * it does not.
 */
@Injectable()
export class InsurerLookupService {
  private readonly logger = new Logger(InsurerLookupService.name);

  constructor(
    private readonly calls: UpstreamCalls,
    private readonly cache: CoverageCacheRepository,
    private readonly audit: AuditService,
    private readonly pii: PiiCryptoService,
    private readonly clock: Clock,
  ) {}

  /** 1161, audited whatever the outcome. */
  async decodeQr(text: string, row: Pick<IdentitySession, 'id' | 'desk'>, principal: Principal): Promise<QrEvidence> {
    const at = this.clock.now();
    let qr: QrEvidence;
    try {
      const { output } = await this.calls.call<QrDecodeAnswer>(INFNO.qrDecode, { qr_token: text });
      qr = { kind: 'decoded', answer: output, at };
    } catch (e) {
      if (e instanceof UpstreamRejectedError) {
        qr = { kind: 'refused', reason: /过期/.test(e.insurerMessage) ? 'expired' : 'invalid', at };
      } else {
        this.logger.warn(`identity: QR decode not possible (${(e as Error).name})`);
        qr = { kind: 'unreachable', at };
      }
    }
    await this.audit.record({
      actor: principal,
      action: 'identity.qr-decode',
      outcome: qr.kind === 'decoded' ? 'success' : 'failure',
      ...(qr.kind === 'decoded' ? { subject: personSubject(qr.answer.certno) } : {}),
      details: { sessionId: row.id, desk: row.desk, result: qr.kind === 'refused' ? `refused:${qr.reason}` : qr.kind },
    });
    return qr;
  }

  /** Asks 1101 when the person or card asked about changed, or the last answer was "unreachable" (or when forced). */
  async refresh(stored: StoredEvidence, force: boolean): Promise<StoredEvidence> {
    const keys = queryKeys(stored.evidence);
    if (keys.certno === undefined && keys.card_sn === undefined) {
      return stored;
    }
    const asked = JSON.stringify(keys);
    if (!force && stored.insurerAsked === asked && stored.evidence.insurer?.kind !== 'unreachable') {
      return stored;
    }
    const at = this.clock.now();
    let insurer: InsurerEvidence;
    let evidence = stored.evidence;
    try {
      const { output } = await this.calls.call<InsurerPersonAnswer>(INFNO.personQuery, keys);
      insurer = { kind: 'answer', answer: output, at };
      await this.cache.store(personKey(this.pii, output.baseinfo.certno), output, at);
    } catch (e) {
      if (e instanceof UpstreamRejectedError) {
        insurer = { kind: 'refused', reason: refusalReason(e.insurerMessage), at };
      } else {
        this.logger.warn(`identity: person query not possible (${(e as Error).name})`);
        insurer = { kind: 'unreachable', at };
        const cached = keys.certno ? await this.cache.find(personKeys(this.pii, keys.certno)) : undefined;
        if (cached) {
          evidence = addEvidence(evidence, 'coverageCache', cached);
        }
      }
    }
    return { ...stored, insurerAsked: asked, evidence: addEvidence(evidence, 'insurer', insurer) };
  }
}

/** The person the evidence names, for the 1101 query: certno from the first source that has one, card_sn from the card. */
export function queryKeys(evidence: SessionEvidence): { certno?: string; card_sn?: string } {
  const { card, qr, idCard, his } = evidence;
  const certno =
    (card?.read.kind === 'complete' ? card.read.card.ssn : undefined) ??
    (qr?.kind === 'decoded' ? qr.answer.certno : undefined) ??
    idCard?.identity.idNumber ??
    his?.idNumber;
  const id = certno === undefined ? undefined : normalizedIdNumber(certno);
  return {
    ...(id?.valid ? { certno: id.value } : {}),
    ...(card ? { card_sn: card.read.card.cardSn } : {}),
  };
}
