import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeviceEvent, DeviceEvents } from '../devices/device-events';
import { Clock, PiiCryptoService, type Principal, systemPrincipal, uuidv7 } from '../platform';
import type { IdentitySession } from './identity-session.entity';
import { IdentitySessionRepository } from './identity-session.repository';
import { IdentitySessionsService } from './identity-sessions.service';
import { personKeys } from './person-key';
import { addEvidence } from './rules/evidence';
import { SessionEvidenceCipher, type StoredEvidence } from './session-evidence';
import { SessionLocks } from './session-locks';
import { SessionVerdictService } from './session-verdict.service';

/** What one device event adds to a session, given its stored evidence (under the session's lock). */
type Apply = (stored: StoredEvidence, row: IdentitySession, actor: Principal) => Promise<unknown>;

/**
 * The desk's devices as evidence: a social-security card read, an ID-card read or a scanned QR code
 * goes to the desk's current session, or starts the next patient's (which HIS then adopts).
 */
@Injectable()
export class DeviceIntakeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceIntakeService.name);
  private readonly onDeviceEvent = (event: DeviceEvent): void => {
    this.handle(event).catch((e: unknown) =>
      this.logger.error({ err: e }, `identity: device event of desk ${event.desk} failed`),
    );
  };

  constructor(
    @Inject(DeviceEvents) private readonly events: DeviceEvents,
    private readonly clock: Clock,
    private readonly pii: PiiCryptoService,
    private readonly locks: SessionLocks,
    private readonly repository: IdentitySessionRepository,
    private readonly cipher: SessionEvidenceCipher,
    private readonly sessions: IdentitySessionsService,
    private readonly verdicts: SessionVerdictService,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('event', this.onDeviceEvent);
  }

  onApplicationShutdown(): void {
    this.events.off('event', this.onDeviceEvent);
  }

  /** Takes one device event into the desk's session (reads other than cards, ID cards and QR codes are ignored). */
  async handle(event: DeviceEvent): Promise<void> {
    const apply = this.applierFor(event);
    if (!apply) {
      return;
    }
    const actor = systemPrincipal(`device:${event.deviceId}`, event.deviceId);
    await this.locks.run(SessionLocks.desk(event.desk), () => this.applyAtDesk(event, actor, apply));
  }

  private applierFor(event: DeviceEvent): Apply | undefined {
    if (event.type === 'ssse-card') {
      const read = event.read.result;
      const at = event.read.at;
      const reason = read.kind === 'authentication-required' ? { reason: read.reason.code } : {};
      const details = { deviceId: event.deviceId, result: read.kind, ...reason };
      return (stored, row, principal) =>
        this.verdicts.refreshAndSave(
          row,
          { ...stored, evidence: addEvidence(stored.evidence, 'card', { read, at }) },
          {
            principal,
            action: 'identity.card-read',
            details,
          },
        );
    }
    if (event.type === 'id-card') {
      const identity = event.read.identity;
      const at = event.read.at;
      return (stored, row, principal) =>
        this.verdicts.refreshAndSave(
          row,
          { ...stored, evidence: addEvidence(stored.evidence, 'idCard', { identity, at }) },
          {
            principal,
            action: 'identity.id-card-read',
            details: { deviceId: event.deviceId },
          },
        );
    }
    if (event.type === 'scan' && event.scan.classification.kind === 'qr-token') {
      const text = event.scan.classification.token;
      return (stored, row, principal) => this.sessions.acceptQr(row, stored, text, principal);
    }
    return undefined;
  }

  private async applyAtDesk(event: DeviceEvent, actor: Principal, apply: Apply): Promise<void> {
    const now = this.clock.now();
    const latest = await this.repository.findLatestAtDesk(event.desk, now);
    const named = namedPerson(event);
    // The desk's latest session takes the read while it is still being resolved, or when the read names its person;
    // after a final verdict, a read of somebody else starts the next patient's session (HIS adopts it).
    const unresolved = latest?.verdict === 'INCOMPLETE' || latest?.verdict === 'MISMATCH';
    const samePerson = named !== undefined && personKeys(this.pii, named).includes(latest?.subjectKey ?? '');
    const open = latest && (unresolved || samePerson) ? latest : undefined;
    const id = open?.id ?? uuidv7();
    await this.locks.run(id, async () => {
      const row = open ? await this.sessions.load(id) : this.sessions.newRow(id, event.desk, actor, now);
      return apply(open ? this.cipher.read(row) : { evidence: {} }, row, actor);
    });
  }
}

/** The ID number a read names: a card read in full, or an ID card. */
function namedPerson(event: DeviceEvent): string | undefined {
  if (event.type === 'ssse-card') {
    return event.read.result.kind === 'complete' ? event.read.result.card.ssn : undefined;
  }
  return event.type === 'id-card' ? event.read.identity.idNumber : undefined;
}
