/**
 * The centre's side of "delivered exactly once, in order": the durable events of one agent carry the
 * agent journal's seq (1, 2, 3 …, never reused). The centre records each with the agent's last seq
 * in the same transaction and answers `ack`; after a cut the agent resends everything after the
 * `ackedSeq` of the welcome, and perhaps some the centre already had (its ack was lost).
 *
 * - `next`: seq is last + 1 — record it;
 * - `duplicate`: seq ≤ last — already recorded: do not record again, but ack again (the agent may not
 *   have seen the first ack);
 * - `gap`: seq > last + 1 — an earlier event has not arrived: do not record (order matters: a return
 *   after a scan), refuse the link with the seq expected so the agent resends from there.
 */
export type SequenceVerdict = 'next' | 'duplicate' | 'gap';

export function judgeSequence(lastRecorded: number, seq: number): SequenceVerdict {
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new RangeError(`a journal seq is a whole number ≥ 1, got ${seq}`);
  }
  if (seq <= lastRecorded) {
    return 'duplicate';
  }
  return seq === lastRecorded + 1 ? 'next' : 'gap';
}

/**
 * How long an agent waits before reconnecting after its `attempt`th failure in a row: "full jitter"
 * (a random wait between `minMs` and min(maxMs, baseMs·2^(attempt−1))), so forty desk PCs that lost
 * the centre together do not all knock at the same moment when it comes back.
 */
export function reconnectDelayMs(
  attempt: number,
  { baseMs, maxMs, minMs = 100 }: { baseMs: number; maxMs: number; minMs?: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(Math.max(minMs, random() * ceiling));
}
