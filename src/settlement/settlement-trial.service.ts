import { Injectable } from '@nestjs/common';
import { AuditService, type Principal } from '../platform';
import { UpstreamCalls } from '../upstream/upstream-calls';
import { INFNO } from '../upstream/protocol/transactions';
import { allFindings } from './pre-audit.service';
import { deskCollectsFen, readSettlementReply } from './rules/settlement-reply';
import { SettlementPreparationService } from './settlement-preparation.service';
import type { SettlementTrialDto } from './settlement.dto';
import { SETTLEMENT_ERRORS } from './settlement.errors';
import { toSplitDto } from './settlement.mapper';

/**
 * Use case: the trial (预结算, POST …/visits/{id}/settlement/trial): the same token check, pre-audit
 * and message as the settlement, sent as 2206 / 2303 synchronously (it changes nothing at the
 * insurer). Answers the insurer's split, the lines kept local, what the desk would collect and the
 * pre-audit's warnings. Nothing is stored but its audit entry.
 */
@Injectable()
export class SettlementTrialService {
  constructor(
    private readonly preparation: SettlementPreparationService,
    private readonly calls: UpstreamCalls,
    private readonly audit: AuditService,
  ) {}

  async trial(principal: Principal, mdtrtId: string, token: string | undefined): Promise<SettlementTrialDto> {
    const { visit, worker } = await this.preparation.verified(principal, mdtrtId, token);
    const p = await this.preparation.prepare(visit, worker);
    const infno = visit.kind === 'outpatient' ? INFNO.outpatientPreSettlement : INFNO.inpatientPreSettlement;
    const { output, msgid } = await this.calls.call(infno, p.message.input);
    const reading = readSettlementReply(output, p.message, false);
    await this.audit.record({
      actor: principal,
      action: 'settlement.trial',
      outcome: reading.ok ? 'success' : 'failure',
      details: {
        visitId: mdtrtId,
        infno,
        msgid,
        sentTotalFen: p.message.sentTotalFen,
        ...(reading.ok ? { fundFen: reading.split.fundFen, selfPayFen: reading.split.selfPayFen } : {}),
        ...(reading.ok ? {} : { problem: reading.problem }),
      },
    });
    if (!reading.ok) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_REPLY_INVALID', { details: [{ message: reading.problem }] });
    }
    return {
      visitId: mdtrtId,
      split: toSplitDto(reading.split),
      localSelfPay: p.message.localSelfPay.map((l) => ({ ...l })),
      deskCollectsFen: deskCollectsFen(reading.split, p.message, p.audit.result),
      warnings: allFindings(p.audit.result).filter((f) => f.severity === 'warn'),
    };
  }
}
