import type { InsurerPersonAnswer } from '../../identity/rules/evidence';
import type { WorkerFacts } from './pre-audit-input';

/**
 * The worker facts the pre-audit reads, from the insurer's 1101 answer (protocol vocabulary, as the
 * identity capability keeps it). Pure.
 */
export function workerFactsFromInsurer(
  answer: Pick<InsurerPersonAnswer, 'injury' | 'signed_institutions' | 'cross_province'>,
): WorkerFacts {
  const cross = answer.cross_province;
  const filing = cross?.filing ?? null;
  return {
    injuryStatus: answer.injury.status,
    injuryDate: answer.injury.injury_date,
    signedInstitutionCodes: answer.signed_institutions.map((s) => s.fixmedins_code),
    crossProvince:
      cross === null
        ? null
        : {
            filing:
              filing === null
                ? null
                : { filingNo: filing.filing_no, validFrom: filing.valid_from, validTo: filing.valid_to },
          },
  };
}
