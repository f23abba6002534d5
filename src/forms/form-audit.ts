import { personSubject } from '../identity/person-key';
import type { AuditService, Principal } from '../platform';
import type { EntityManager } from 'typeorm';
import type { FormDocument } from './form-document.entity';
import type { FormValues } from './render/form-values';

/** Audits a change to a form version in the change's transaction, about the worker the form names. */
export async function recordFormAction(
  audit: AuditService,
  m: EntityManager,
  entry: {
    principal: Principal;
    action: string;
    row: FormDocument;
    values: FormValues;
    details: Record<string, unknown>;
  },
): Promise<void> {
  const { row, values } = entry;
  const idNumber = typeof values.idNumber === 'string' ? values.idNumber : undefined;
  await audit.record(
    {
      actor: entry.principal,
      action: entry.action,
      outcome: 'success',
      ...(idNumber ? { subject: personSubject(idNumber) } : {}),
      details: {
        formId: row.id,
        formNo: row.formNo,
        version: row.version,
        kind: row.kind,
        visitId: row.visitId,
        ...entry.details,
      },
    },
    m,
  );
}
