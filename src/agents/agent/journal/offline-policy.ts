import type { DeviceEvent } from '../../../devices/device-events';
import { beijingClock } from '../../../platform/agent-safe';

/**
 * What an agent forwards: the device events its drivers produce, as they produce them (dates, bytes).
 * They cross the link and go into the journal encoded by event-codec, losslessly.
 */
export type AgentDeviceEvent = DeviceEvent;

/** When the event happened: the read, the scan or the status change (the agent's clock). */
export function eventTime(event: AgentDeviceEvent): Date {
  switch (event.type) {
    case 'status':
      return event.status.at;
    case 'scan':
      return event.scan.at;
    case 'id-card':
    case 'ssse-card':
      return event.read.at;
  }
}

/**
 * How the agent treats an event kind while the link to the centre may be down:
 * - `journal`: a deliberate act with lasting meaning (a drug's trace code scanned at a desk): kept on
 *   disk and delivered exactly once, however late, with its own scan time.
 * - `live-read`: a fact about who is at the desk now (a card or an ID read, or a scanned ID number or
 *   QR token): only worth anything while fresh, and personal data that should not sit on a desk disk.
 * - `latest-state`: a device status: only the latest state per device matters.
 */
export type EventHandling = 'journal' | 'live-read' | 'latest-state';

export function handlingOf(event: AgentDeviceEvent): EventHandling {
  switch (event.type) {
    case 'scan':
      return isIdentityScan(event.scan.classification) ? 'live-read' : 'journal';
    case 'id-card':
    case 'ssse-card':
      return 'live-read';
    case 'status':
      return 'latest-state';
  }
}

/**
 * A scanner also reads ID numbers and identity QR tokens, and misreads ID numbers: those are
 * identity (personal data, live facts), not drugs. Every other scan, refused ones included, is
 * journalled: the centre answers the desk about it and keeps the record.
 */
function isIdentityScan(
  classification: Extract<AgentDeviceEvent, { type: 'scan' }>['scan']['classification'],
): boolean {
  switch (classification.kind) {
    case 'id-number':
    case 'qr-token':
      return true;
    case 'refused':
      return classification.code.startsWith('ID_');
    case 'trace-code':
    case 'gs1':
    case 'commodity-barcode':
      return false;
  }
}

export interface OfflinePolicyOptions {
  /** A read held while offline is replayed on reconnect only if younger than this; older ones are dropped. */
  maxReadAgeMs: number;
}

export const OFFLINE_POLICY_DEFAULTS: OfflinePolicyOptions = { maxReadAgeMs: 30_000 };

/**
 * What the agent does with an event now: `journal` — append it to the EventJournal (online or not:
 * the journal is the outbox, the centre's ack removes it); `send` — send it live; `held` — the
 * link is down, the policy keeps it in memory for the reconnect.
 */
export type Route = 'journal' | 'send' | 'held';

/** A read made while offline, delivered on reconnect marked `replayed`: its time is the original read time. */
export type ReplayedRead = AgentDeviceEvent;

/** What to send once the link is back, besides the journal's pending records. */
export interface Reconnect {
  offlineSince: string;
  offlineMs: number;
  /** Reads younger than maxReadAgeMs, oldest first: send them marked `replayed`, never to be taken as live. */
  reads: ReplayedRead[];
  /** The latest status of each device that changed while offline. */
  statuses: AgentDeviceEvent[];
  /** Reads not delivered: too old at reconnect, or replaced by a newer read on the same device. */
  dropped: { stale: number; superseded: number };
}

/** Journal figures the status needs (EventJournal.stats() fits). */
export interface JournalFigures {
  pendingRecords: number;
  /** 0…1 */
  fill: number;
}

/** What the agent shows locally (status command, log, status page) and reports to the centre. */
export interface OfflineStatus {
  online: boolean;
  /** ISO time the link went down; null while online. */
  offlineSince: string | null;
  /** Scans in the journal the centre has not acknowledged. */
  bufferedScans: number;
  /** Reads held in memory for the reconnect. */
  heldReads: number;
  /** Reads never delivered since the agent started (stale or superseded). */
  droppedReads: number;
  /** How full the journal is, 0…100 (100: scans are refused). */
  journalFillPercent: number;
  /** What the desk is told, in Chinese; null while online with nothing to say. */
  notice: string | null;
}

/**
 * The agent's offline rules, without I/O: the agent asks `route()` for every event, tells the
 * policy when the link goes down and comes back, and sends what `linkUp()` returns. An event
 * whose send failed because the link just dropped is routed again after `linkDown()`.
 */
export class OfflinePolicy {
  private downSince: Date | null = null;
  /** The latest read per device: a reader holds one card at a time, a newer read replaces the older. */
  private readonly heldReads = new Map<string, AgentDeviceEvent>();
  private readonly heldStatuses = new Map<string, AgentDeviceEvent>();
  private droppedReads = 0;
  private supersededInOutage = 0;

  constructor(private readonly options: OfflinePolicyOptions = OFFLINE_POLICY_DEFAULTS) {
    if (!Number.isSafeInteger(options.maxReadAgeMs) || options.maxReadAgeMs < 0) {
      throw new RangeError(`maxReadAgeMs must be a whole number of milliseconds ≥ 0, got ${options.maxReadAgeMs}`);
    }
  }

  get online(): boolean {
    return this.downSince === null;
  }

  route(event: AgentDeviceEvent): Route {
    const handling = handlingOf(event);
    if (handling === 'journal') {
      return 'journal';
    }
    if (this.online) {
      return 'send';
    }
    const held = handling === 'live-read' ? this.heldReads : this.heldStatuses;
    if (handling === 'live-read' && held.has(event.deviceId)) {
      this.supersededInOutage++;
      this.droppedReads++;
    }
    // Re-inserted so the map's order is the order of the latest events.
    held.delete(event.deviceId);
    held.set(event.deviceId, event);
    return 'held';
  }

  /** The link to the centre went down at `at` (repeated calls keep the first time). */
  linkDown(at: Date): void {
    this.downSince ??= at;
  }

  /**
   * The link is back at `at`: returns the fresh reads (marked replayed) and the latest statuses, and
   * forgets them. Send them before the journal's backlog: they are about now, and the journal's
   * records carry their own seq and scan time, so their delivery order against reads is free.
   */
  linkUp(at: Date): Reconnect | null {
    const since = this.downSince;
    if (since === null) {
      return null;
    }
    const reads: ReplayedRead[] = [];
    let stale = 0;
    for (const read of this.heldReads.values()) {
      const age = at.getTime() - eventTime(read).getTime();
      // Unparseable or future times (a clock step) count as stale: a read of unknown age is not replayed.
      if (Number.isFinite(age) && age >= 0 && age < this.options.maxReadAgeMs) {
        reads.push(read);
      } else {
        stale++;
      }
    }
    reads.sort((a, b) => eventTime(a).getTime() - eventTime(b).getTime());
    this.droppedReads += stale;
    const reconnect: Reconnect = {
      offlineSince: since.toISOString(),
      offlineMs: at.getTime() - since.getTime(),
      reads,
      statuses: [...this.heldStatuses.values()],
      dropped: { stale, superseded: this.supersededInOutage },
    };
    this.heldReads.clear();
    this.heldStatuses.clear();
    this.supersededInOutage = 0;
    this.downSince = null;
    return reconnect;
  }

  status(journal: JournalFigures): OfflineStatus {
    const journalFillPercent = Math.round(journal.fill * 1000) / 10;
    return {
      online: this.online,
      offlineSince: this.downSince?.toISOString() ?? null,
      bufferedScans: journal.pendingRecords,
      heldReads: this.heldReads.size,
      droppedReads: this.droppedReads,
      journalFillPercent,
      notice: this.notice(journal),
    };
  }

  private notice(journal: JournalFigures): string | null {
    const full = journal.fill >= 1 ? '离线缓存已满，新的扫码无法保存，请暂停扫码并联系信息科。' : '';
    if (this.downSince === null) {
      return full || null;
    }
    return (
      `与中心的连接已于 ${beijingClock(this.downSince)} 断开：` +
      `已扫的追溯码在本机缓存 ${journal.pendingRecords} 条，恢复连接后自动上传；` +
      `读卡、读身份证结果暂时无法送达，恢复连接后请重新读卡。${full}`
    );
  }
}
