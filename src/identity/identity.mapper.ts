import type { VerdictEvent } from '../devices/device-events';
import type { IdentitySession } from './identity-session.entity';
import type { CheckDto, DoctorViewDto, MissingDto, SessionDto } from './identity.dto';
import type { InsurerPersonAnswer } from './rules/evidence';

/** The worker's category and injury determination as the insurer reported them (1101). */
export type WorkerInjury = Pick<
  DoctorViewDto,
  | 'psnType'
  | 'injuryStatus'
  | 'determinationNo'
  | 'determinationDate'
  | 'injuryDate'
  | 'injuredParts'
  | 'occupationalDisease'
  | 'disabilityGrade'
>;

/** What `identity_session.result` holds (JSON, no personal data): the verdict's checks, what is missing, the sources. */
interface StoredResult {
  checks: CheckDto[];
  missing: MissingDto[];
  sources: string[];
}

/** The session as HIS and the desk see it. */
export function toSessionDto(row: IdentitySession): SessionDto {
  const result = JSON.parse(row.result) as StoredResult;
  return {
    id: row.id,
    desk: row.desk,
    visitId: row.visitId,
    visitKind: row.visitKind,
    verdict: row.verdict,
    offline: row.offline,
    coverage: row.coverage,
    checks: result.checks,
    missing: result.missing,
    sources: result.sources,
    token: row.token,
    tokenExpiresAt: row.tokenExpiresAt ? new Date(row.tokenExpiresAt).toISOString() : null,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** The verdict pushed to the desk's WebSocket (identity scope) with the device events: codes and messages, no personal data. */
export function toVerdictEvent(session: SessionDto): VerdictEvent {
  return {
    type: 'verdict',
    deviceId: 'identity',
    desk: session.desk,
    verdict: {
      sessionId: session.id,
      visitId: session.visitId,
      verdict: session.verdict,
      offline: session.offline,
      coverage: session.coverage,
      checks: session.checks.map((c) => ({ code: c.code, passed: c.passed, message: c.message })),
      missing: session.missing,
      token: session.token,
      tokenExpiresAt: session.tokenExpiresAt,
      at: new Date(session.updatedAt),
    },
  };
}

export function toWorkerInjury(answer: InsurerPersonAnswer): WorkerInjury {
  const { insuinfo, injury } = answer;
  return {
    psnType: insuinfo.psn_type,
    injuryStatus: injury.status,
    determinationNo: injury.determination_no,
    determinationDate: injury.determination_date,
    injuryDate: injury.injury_date,
    injuredParts: [...injury.injured_parts],
    occupationalDisease: injury.occupational_disease,
    disabilityGrade: injury.disability_grade,
  };
}

/** The doctor view of a verified worker, from the insurer's answer (live, or the cache while offline). */
export function toDoctorViewDto(
  answer: InsurerPersonAnswer,
  source: 'insurer' | 'coverageCache',
  ids: { sessionId: string; visitId: string },
): DoctorViewDto {
  return {
    name: answer.baseinfo.psn_name,
    sessionId: ids.sessionId,
    visitId: ids.visitId,
    psnNo: answer.baseinfo.psn_no,
    ...toWorkerInjury(answer),
    category: answer.injury.occupational_disease ? 'occupational-disease' : 'injury',
    coverageSource: source,
  };
}
