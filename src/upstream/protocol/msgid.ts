/**
 * msgid = institution code (12) + yyyyMMddHHmmss (14, Beijing time) + sequence (4) = 30 characters.
 *
 * Unique by construction: the sequence for each second is taken from the database (see
 * MsgidSequence), so two gateway instances on one PostgreSQL never hand out the same one, and
 * a restart within the same second continues where the crashed process stopped.
 */
import { beijingDateTime } from '../../platform/agent-safe';

export const MSGID_LENGTH = 30;
export const MAX_SEQUENCE_PER_SECOND = 9999;

/** yyyyMMddHHmmss in UTC+8 (the insurer's clock), whatever the machine's time zone. */
export function beijingTimestamp(date: Date): string {
  return beijingDateTime(date).replace(/[- :]/g, '');
}

/** yyyy-MM-dd HH:mm:ss in UTC+8, the form of inf_time / respond_time. */
export { beijingDateTime };

export function formatMsgid(fixmedinsCode: string, second: string, sequence: number): string {
  if (!/^[A-Z0-9]{12}$/.test(fixmedinsCode)) {
    throw new Error(`institution code must be 12 characters, got ${fixmedinsCode.length}`);
  }
  if (!/^\d{14}$/.test(second)) {
    throw new Error(`msgid time must be yyyyMMddHHmmss, got ${second}`);
  }
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE_PER_SECOND) {
    throw new Error(`msgid sequence must be 1..${MAX_SEQUENCE_PER_SECOND}, got ${sequence}`);
  }
  return `${fixmedinsCode}${second}${String(sequence).padStart(4, '0')}`;
}

export function parseMsgid(msgid: string): { fixmedinsCode: string; second: string; sequence: number } | undefined {
  const m = /^([A-Z0-9]{12})(\d{14})(\d{4})$/.exec(msgid);
  return m ? { fixmedinsCode: m[1], second: m[2], sequence: Number(m[3]) } : undefined;
}
