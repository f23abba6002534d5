import { Injectable } from '@nestjs/common';
import { PiiCryptoService } from '../platform';
import type { IdentitySession } from './identity-session.entity';
import { reviveDates } from './insurer-answers';
import type { SessionEvidence } from './rules/evidence';

export const EVIDENCE_CONTEXT = 'identity_session.evidence';

/** What is stored (encrypted) per session: the evidence, the QR text to decode again, and what 1101 was asked. */
export interface StoredEvidence {
  evidence: SessionEvidence;
  qrText?: string;
  insurerAsked?: string;
}

/** A session's evidence is personal data: it is kept only encrypted (`identity_session.evidence`). */
@Injectable()
export class SessionEvidenceCipher {
  constructor(private readonly pii: PiiCryptoService) {}

  read(row: IdentitySession): StoredEvidence {
    return row.evidence === ''
      ? { evidence: {} }
      : (JSON.parse(this.pii.decrypt(row.evidence, EVIDENCE_CONTEXT), reviveDates) as StoredEvidence);
  }

  seal(stored: StoredEvidence): string {
    return this.pii.encrypt(JSON.stringify(stored), EVIDENCE_CONTEXT);
  }
}
