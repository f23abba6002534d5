import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { beijingDay } from '../../calendar/rules/working-days';
import { AuditService, Clock, type Principal } from '../../platform';
import type { SettlementVisit } from '../../settlement/settlement.entity';
import { VisitsService } from '../../settlement/visits.service';
import type { Obligation } from '../obligation.entity';
import { ObligationsService } from '../obligations.service';
import { CROSS_PROVINCE_ERRORS } from './cross-province.errors';
import type { RehabAssessmentDto } from './cross-province.dto';

export const REHAB_ASSESSMENT = 'rehab-assessment';
const RULE = 'R6 康复协议第九条：康复住院后5日内完成康复评估（自然日）';
const DAYS = 5;

/** The Beijing noon of a day: an instant whose Beijing day is `day` (what the due rule counts from). */
function beijingNoon(day: string): Date {
  return new Date(`${day}T12:00:00+08:00`);
}

/**
 * R6 (rehab 协议 9: "在工伤职工住院后5日内…进行必要的康复检查和功能测试"): a rehab admission (a visit
 * opened with careType rehab, inpatient) owes the assessment within 5 calendar days of the admission
 * day — opened in the transaction that opens the visit. HIS reports the assessment (its day, who,
 * the report's reference); that fulfils the duty, late if reported after the due day.
 */
@Injectable()
export class RehabAssessmentService implements OnModuleInit {
  constructor(
    private readonly visits: VisitsService,
    private readonly obligations: ObligationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.visits.onVisitOpened((m, visit) => this.opened(m, visit));
  }

  /** A visit opened: a rehab admission opens its assessment duty. */
  async opened(m: EntityManager, visit: SettlementVisit): Promise<void> {
    if (!isRehabAdmission(visit)) {
      return;
    }
    await this.obligations.open(this.duty(visit), m);
  }

  /** HIS: the assessment was made on `assessedOn`. Answers the duty as it now is. */
  async record(principal: Principal, mdtrtId: string, dto: RehabAssessmentDto): Promise<Obligation> {
    const visit = await this.visits.get(mdtrtId); // 404 SETTLEMENT_VISIT_NOT_FOUND
    if (visit.kind !== 'inpatient' || visit.careType !== 'rehab' || visit.admissionDate === null) {
      throw CROSS_PROVINCE_ERRORS.raise('REHAB_ASSESSMENT_NOT_REHAB_ADMISSION');
    }
    const today = beijingDay(this.clock.now());
    if (dto.assessedOn < visit.admissionDate || dto.assessedOn > today) {
      throw CROSS_PROVINCE_ERRORS.raise('REHAB_ASSESSMENT_DATE_INVALID', {
        message: `康复评估日期 ${dto.assessedOn} 早于入院日期 ${visit.admissionDate} 或晚于今天 ${today}：请 HIS 核对评估日期后重新报送`,
        details: [{ field: 'assessedOn', message: `应在 ${visit.admissionDate} 至 ${today} 之间` }],
      });
    }
    // A rehab admission opened before the duty existed gets it now (idempotent).
    await this.obligations.open(
      this.duty({ mdtrtId: visit.visitId, admissionDate: visit.admissionDate, psnNo: visit.psnNo }),
    );
    const evidence = {
      assessedOn: dto.assessedOn,
      assessor: dto.assessor ?? null,
      reportNo: dto.reportNo ?? null,
      reportedBy: `${principal.type}:${principal.id}`,
    };
    const after = (await this.obligations.fulfil(REHAB_ASSESSMENT, visit.visitId, evidence)) as Obligation;
    await this.audit.record({
      actor: principal,
      action: 'obligation.rehab-assessment',
      outcome: 'success',
      details: { visitId: visit.visitId, assessedOn: dto.assessedOn, state: after.state, dueOn: after.dueOn },
    });
    return after;
  }

  private duty(visit: Pick<SettlementVisit, 'mdtrtId' | 'admissionDate' | 'psnNo'>) {
    const admission = visit.admissionDate as string;
    return {
      kind: REHAB_ASSESSMENT,
      subjectType: 'visit',
      subjectId: visit.mdtrtId,
      rule: RULE,
      from: beijingNoon(admission),
      due: { days: DAYS },
      detail: { visitId: visit.mdtrtId, admissionDate: admission },
    } as const;
  }
}

function isRehabAdmission(v: SettlementVisit): boolean {
  return v.kind === 'inpatient' && v.careType === 'rehab' && v.admissionDate !== null;
}
