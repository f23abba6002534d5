import { CoverageCacheEntry, IdentitySession } from '../../identity/identity-session.entity';
import { ApiKey } from '../auth/api-key.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { MsgidSequence } from '../../upstream/outbox/msgid-sequence.entity';
import { OutboxAttempt } from '../../upstream/outbox/outbox-attempt.entity';
import { OutboxMessage } from '../../upstream/outbox/outbox-message.entity';
import { TRACE_CODE_ENTITIES } from '../../trace-codes/trace-codes.entity';
import { FormDocument } from '../../forms/form-document.entity';

/** Every entity of the gateway; capability modules add theirs here. */
export const ENTITIES = [ApiKey, AuditEntry, OutboxMessage, OutboxAttempt, MsgidSequence, IdentitySession, CoverageCacheEntry, ...TRACE_CODE_ENTITIES, FormDocument];
