// The desk agent's durable event journal and offline rules (framework-free: no Nest, plain fs).
export { EventJournal, JOURNAL_DEFAULTS } from './event-journal';
export type { EventJournalOptions, JournalLogger, JournalRecovery, JournalStats } from './event-journal';
export type { JournalRecord } from './journal-record';
export { JournalClosedError, JournalCorruptError, JournalFailedError, JournalFullError } from './journal.errors';
export { eventTime, handlingOf, OfflinePolicy, OFFLINE_POLICY_DEFAULTS } from './offline-policy';
export type {
  AgentDeviceEvent,
  EventHandling,
  JournalFigures,
  OfflinePolicyOptions,
  OfflineStatus,
  Reconnect,
  ReplayedRead,
  Route,
} from './offline-policy';
