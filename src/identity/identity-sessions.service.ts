import { Injectable } from '@nestjs/common';
import { Clock, GatewayConfig, type Principal, systemPrincipal, uuidv7 } from '../platform';
import { IdentitySession } from './identity-session.entity';
import { IdentitySessionRepository } from './identity-session.repository';
import type { SessionDto } from './identity.dto';
import { IDENTITY_ERRORS } from './identity.errors';
import { InsurerLookupService } from './insurer-lookup.service';
import type { VisitKind } from './rules/checks';
import { addEvidence } from './rules/evidence';
import { SessionEvidenceCipher, type StoredEvidence } from './session-evidence';
import { SessionLocks } from './session-locks';
import { SessionVerdictService } from './session-verdict.service';

const RECHECK = systemPrincipal('identity-recheck', 'identity re-check');

export interface CreateSessionInput {
  desk: string;
  visitId: string;
  visitKind: VisitKind;
  hisIdentity?: { idNumber: string; name: string };
}

/**
 * Person–card–code verification sessions (人、卡、码相符) as HIS and the desk drive them: open one for
 * a visit (adopting the one a device event opened at the desk), read it, add a QR code or a staff
 * member's confirmation. Device reads arrive through DeviceIntakeService.
 */
@Injectable()
export class IdentitySessionsService {
  constructor(
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly locks: SessionLocks,
    private readonly sessions: IdentitySessionRepository,
    private readonly cipher: SessionEvidenceCipher,
    private readonly insurer: InsurerLookupService,
    private readonly verdicts: SessionVerdictService,
  ) {}

  async create(principal: Principal, input: CreateSessionInput): Promise<SessionDto> {
    // One desk's session bookkeeping at a time: a device event and HIS must not open two sessions at once.
    return this.locks.run(SessionLocks.desk(input.desk), () => this.createAtDesk(principal, input));
  }

  private async createAtDesk(principal: Principal, input: CreateSessionInput): Promise<SessionDto> {
    const now = this.clock.now();
    // A session a device event opened at this desk a moment ago is this visit's: HIS adopts it.
    const waiting = await this.sessions.findWaitingAtDesk(input.desk, now);
    const id = waiting?.id ?? uuidv7();
    return this.locks.run(id, async () => {
      // Read again under the session's lock: another instance may have added evidence since.
      const row = waiting ? await this.load(id) : this.newRow(id, input.desk, principal, now);
      row.visitId = input.visitId;
      row.visitKind = input.visitKind;
      let stored = waiting ? this.cipher.read(row) : { evidence: {} };
      if (input.hisIdentity) {
        stored = { ...stored, evidence: addEvidence(stored.evidence, 'his', { ...input.hisIdentity, at: now }) };
      }
      return this.verdicts.refreshAndSave(row, stored, { principal, action: 'identity.session.create' });
    });
  }

  async get(id: string): Promise<SessionDto> {
    return this.locks.run(id, async () => {
      const row = await this.load(id);
      // Time decides validity (QR expiry, cache age): evaluate again on every read.
      return this.verdicts.evaluateAndSave(row, this.cipher.read(row), {}, 'if-changed');
    });
  }

  async addQr(id: string, text: string, principal: Principal): Promise<SessionDto> {
    return this.locks.run(id, async () => {
      const row = await this.openRow(id);
      return this.acceptQr(row, this.cipher.read(row), text, principal);
    });
  }

  async addStaffConfirmation(
    id: string,
    staff: { staffId: string; staffName: string },
    principal: Principal,
  ): Promise<SessionDto> {
    return this.locks.run(id, async () => {
      const row = await this.openRow(id);
      const stored = this.cipher.read(row);
      const evidence = addEvidence(stored.evidence, 'staff', { ...staff, at: this.clock.now() });
      return this.verdicts.refreshAndSave(
        row,
        { ...stored, evidence },
        { principal, action: 'identity.staff-confirmation' },
      );
    });
  }

  /** A scanned QR code: decoded by the insurer (1161), then the verdict. The caller holds the session's lock. */
  async acceptQr(
    row: IdentitySession,
    stored: StoredEvidence,
    text: string,
    principal: Principal,
  ): Promise<SessionDto> {
    const qr = await this.insurer.decodeQr(text, row, principal);
    return this.verdicts.refreshAndSave(
      row,
      { ...stored, qrText: text, evidence: addEvidence(stored.evidence, 'qr', qr) },
      { principal },
    );
  }

  /**
   * Asks the insurer again for a session decided offline (its QR code too, when it could not be
   * decoded); answers whether it is still offline. Run by CoverageRecheckJob.
   */
  async recheck(id: string): Promise<boolean> {
    return this.locks.run(id, async () => {
      const row = await this.load(id);
      if (!row.offline) {
        return false;
      }
      let stored = this.cipher.read(row);
      if (stored.evidence.qr?.kind === 'unreachable' && stored.qrText !== undefined) {
        stored = {
          ...stored,
          evidence: addEvidence(stored.evidence, 'qr', await this.insurer.decodeQr(stored.qrText, row, RECHECK)),
        };
      }
      stored = await this.insurer.refresh(stored, true);
      return (await this.verdicts.evaluateAndSave(row, stored, { principal: RECHECK, action: 'identity.recheck' }))
        .offline;
    });
  }

  /** A new session at a desk, not yet stored, waiting for its visit. */
  newRow(id: string, desk: string, principal: Pick<Principal, 'type' | 'id'>, now: Date): IdentitySession {
    const row = new IdentitySession();
    Object.assign(row, {
      id,
      desk,
      visitId: null,
      visitKind: 'outpatient',
      subjectKey: null,
      evidence: '',
      verdict: 'INCOMPLETE',
      offline: false,
      coverage: 'pending',
      result: '',
      token: null,
      tokenExpiresAt: null,
      createdBy: `${principal.type}:${principal.id}`,
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + this.config.identity.sessionTtlMs),
    });
    return row;
  }

  async load(id: string): Promise<IdentitySession> {
    const row = await this.sessions.findById(id);
    if (!row) {
      throw IDENTITY_ERRORS.raise('IDENTITY_SESSION_NOT_FOUND');
    }
    return row;
  }

  /** A session that still accepts evidence. */
  private async openRow(id: string): Promise<IdentitySession> {
    const row = await this.load(id);
    if (new Date(row.expiresAt).getTime() <= this.clock.now().getTime()) {
      throw IDENTITY_ERRORS.raise('IDENTITY_SESSION_EXPIRED');
    }
    return row;
  }
}
