/**
 * Instants as Beijing wall-clock time (UTC+8; China has no daylight saving), whatever the machine's
 * time zone: what desk staff read in messages, what the insurer writes, how the rules count days.
 * Framework-free (the desk agent uses it too, through agent-safe.ts).
 */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;

function shifted(at: Date): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString();
}

/** '2026-03-20 10:15:00' */
export function beijingDateTime(at: Date): string {
  return shifted(at).slice(0, 19).replace('T', ' ');
}

/** '2026-03-20 10:15', as messages to staff give a time. */
export function beijingMinute(at: Date): string {
  return shifted(at).slice(0, 16).replace('T', ' ');
}

/** '2026-03-20', the Beijing calendar day. */
export function beijingDay(at: Date): string {
  return shifted(at).slice(0, 10);
}

/** '10:15', a clock time on the same day. */
export function beijingClock(at: Date): string {
  return shifted(at).slice(11, 16);
}
