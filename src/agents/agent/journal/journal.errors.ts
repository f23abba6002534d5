/**
 * Errors of the desk agent's event journal. Each carries a stable code, a flag the agent can test
 * without parsing messages, and (for what the desk sees) a Chinese message.
 */

/** The journal holds as much unacknowledged data as it may: the event was NOT kept. */
export class JournalFullError extends Error {
  readonly code = 'AGENT_JOURNAL_FULL';
  readonly full = true;
  /** For the desk: the scan was not kept and must be made again once the link is back. */
  readonly messageZh = '离线缓存已满，本次扫码未能保存：请恢复与中心的网络连接后重新扫码，或联系信息科';

  constructor(
    readonly limit: 'maxRecords' | 'maxBytes',
    readonly pendingRecords: number,
    readonly pendingBytes: number,
    readonly max: number,
  ) {
    super(
      `event journal full (${limit} ${max} reached: ${pendingRecords} records, ${pendingBytes} bytes unacknowledged): ` +
        'the event was not kept; restore the link to the central gateway so it acknowledges the buffered events, ' +
        'or raise the journal limits',
    );
    this.name = 'JournalFullError';
  }
}

/**
 * A journal file is damaged somewhere other than a torn last record (which open() truncates by
 * itself): the journal refuses to open rather than skip data it cannot read.
 */
export class JournalCorruptError extends Error {
  readonly code = 'AGENT_JOURNAL_CORRUPT';
  readonly corrupt = true;

  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      `event journal file ${file} is damaged at byte offset ${offset} (${reason}): nothing was skipped or changed; ` +
        'stop the agent, copy the journal directory for IT, then move the damaged file aside and restart ' +
        '(events in that file that the centre had not acknowledged are then lost and must be scanned again)',
    );
    this.name = 'JournalCorruptError';
  }
}

/**
 * A write or fsync failed (disk full, I/O error). After a failed fsync the file's state on disk is
 * unknown, so the journal takes no more events until it is reopened (which re-reads and repairs it).
 */
export class JournalFailedError extends Error {
  readonly code = 'AGENT_JOURNAL_FAILED';
  readonly failed = true;
  readonly messageZh = '离线缓存写入失败，本次扫码未能保存：请检查磁盘空间后重启读卡服务';

  constructor(
    readonly file: string,
    readonly causeError: unknown,
  ) {
    super(
      `event journal could not write ${file} (${causeError instanceof Error ? causeError.message : String(causeError)}): ` +
        'the event was not kept and the journal takes no more events until it is reopened; ' +
        'check free disk space and restart the agent',
    );
    this.name = 'JournalFailedError';
  }
}

/** The journal was used after close(). */
export class JournalClosedError extends Error {
  readonly code = 'AGENT_JOURNAL_CLOSED';
  constructor() {
    super('event journal is closed: open it again with EventJournal.open()');
    this.name = 'JournalClosedError';
  }
}
