import type { DeviceState } from '../../../drivers/readers/device-status';
import type { DeviceEvent } from '../../devices/device-events';
import type { OfflineStatus } from './journal/offline-policy';

/**
 * The state of the link to the centre, as the agent sees it:
 * - `connecting`: a connection attempt is under way (the first one, or after a wait);
 * - `online`: welcomed by the centre, events flow;
 * - `offline`: the link is down, the agent waits `nextAttemptAt` and tries again;
 * - `refused`: the centre refused this agent's credential (revoked or unknown): the agent stops trying
 *   until it is enrolled again (a new code) or restarted.
 */
export type LinkState = 'connecting' | 'online' | 'offline' | 'refused';

/**
 * What a running agent shows about itself: written to `status.json` in its data directory (read by
 * `gateway agent status`), served by its localhost status page, logged when it changes.
 */
export interface AgentStatusView {
  pid: number;
  agentVersion: string;
  startedAt: string;
  /** When this view was written: a `status.json` not refreshed for long belongs to a stopped agent. */
  updatedAt: string;
  central: string;
  agentId: string | null;
  desk: string | null;
  name: string | null;
  link: {
    state: LinkState;
    /** Since when the link is in this state. */
    since: string;
    /** Failed attempts in a row (0 once online). */
    attempts: number;
    nextAttemptAt: string | null;
    /** The last problem (connection refused, TLS, refused by the centre), in words. */
    lastError: string | null;
    /** The centre's refusal code when `refused` (AGENT_REVOKED, AGENT_UNKNOWN). */
    refusedCode: string | null;
  };
  /** Offline figures and what the desk is told (OfflinePolicy.status()). */
  offline: OfflineStatus;
  devices: { id: string; kind: string; path: string | null; state: DeviceState; message: string; at: string }[];
  /** Devices of the centre's configuration this agent could not run, with why. */
  refusedDevices: { id: string; problem: string }[];
  journal: { pendingRecords: number; lastSeq: number; ackedThrough: number; fill: number };
}

/** A card, ID-card or identity-scan read the localhost reader service may hand to a browser page. */
export type LocalRead = Extract<DeviceEvent, { type: 'id-card' | 'ssse-card' | 'scan' }>;

/**
 * What the agent's localhost server (status page, and the reader service browser-based HIS pages call)
 * needs from the running agent.
 */
export interface AgentLocalSource {
  status(): AgentStatusView;
  /**
   * A read of a device of one of `kinds` ('ssse-card', 'id-card', …; every reader when empty): the newest
   * one younger than `maxAgeMs` if there is one, else the next one within `waitMs`; null when none came.
   */
  read(options: {
    kinds: readonly string[];
    deviceId?: string;
    maxAgeMs: number;
    waitMs: number;
  }): Promise<LocalRead | null>;
}
