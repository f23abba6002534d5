import { Injectable } from '@nestjs/common';
import { PiiCryptoService, type Principal } from '../platform';
import { personKey } from './person-key';
import { type FormsWorker, VerifiedWorkerService } from './verified-worker.service';

export type { FormsWorker } from './verified-worker.service';

/**
 * What forms call on identity, kept with its old names while forms moves to the parts themselves
 * (VerifiedWorkerService.workerForForms, and `personKey` from person-key.ts). Nothing else belongs here.
 */
@Injectable()
export class IdentityService {
  constructor(
    private readonly workers: VerifiedWorkerService,
    private readonly pii: PiiCryptoService,
  ) {}

  /** The person key of an ID number: `personKey(pii, idNumber)`. */
  subjectKey(idNumber: string): string {
    return personKey(this.pii, idNumber);
  }

  workerForForms(token: string | undefined, visitId: string, principal: Principal): Promise<FormsWorker> {
    return this.workers.workerForForms(token, visitId, principal);
  }
}
