import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/** Random bytes drawn 256 ids at a time: one randomBytes call per id was most of a large batch's id cost. */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let poolAt = 0;

function random16(): Buffer {
  if (poolAt >= pool.length) {
    pool = randomBytes(16 * POOL_IDS);
    poolAt = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolAt, poolAt + 16));
  poolAt += 16;
  return bytes;
}

/**
 * A UUID version 7: 48 bits of Unix milliseconds, then a per-process counter and random bits.
 * Ids sort by creation time (across instances to the millisecond, within one process exactly),
 * which keeps append-only tables in insertion order without a shared sequence.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now <= lastMs) {
    counter = (counter + 1) & 0xfff;
    if (counter === 0) {
      lastMs += 1; // 4096 ids in one millisecond: borrow the next one to stay ordered
    }
    now = lastMs;
  } else {
    lastMs = now;
    counter = 0;
  }
  const bytes = random16();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
