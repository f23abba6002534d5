import { sm3 } from 'sm-crypto-v2';

/** The `prev_hash` of the first entry ever sealed (seq 1): 32 zero bytes, hex. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped only with a new canonical form; verify would then have to know both. */
const CONTENT_FORMAT = 'audit-v1';

/** An entry's own content, as stored: what its content hash covers. */
export interface AuditContent {
  id: string;
  at: Date;
  actorType: string;
  actorId: string;
  action: string;
  subjectHash: string | null;
  outcome: string;
  correlationId: string | null;
  /** The stored text of `details` (canonical JSON, see `canonicalJson`), or null. */
  detailsText: string | null;
}

/**
 * JSON with every object's keys sorted, so the same details always give the same text (and hash),
 * whatever order the code built them in. Same value rules as JSON.stringify (toJSON, undefined dropped).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      return v;
    }
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      sorted[k] = (v as Record<string, unknown>)[k];
    }
    return sorted;
  });
}

/**
 * SM3 over the canonical serialisation of an entry's content: a JSON array (no separator can be
 * forged inside a field) of the format tag, id, `at` as ISO 8601 UTC with milliseconds, actor type,
 * actor id, action, subject hash, outcome, correlation id and the stored details text. Lowercase hex.
 */
export function contentHashOf(c: AuditContent): string {
  return sm3(
    JSON.stringify([
      CONTENT_FORMAT,
      c.id,
      c.at.toISOString(),
      c.actorType,
      c.actorId,
      c.action,
      c.subjectHash,
      c.outcome,
      c.correlationId,
      c.detailsText,
    ]),
  );
}

/** SM3 over the 64 bytes prev ‖ content (both given as 64 hex digits). Lowercase hex. */
export function chainHashOf(prevHash: string, contentHash: string): string {
  return sm3(hexBytes(prevHash + contentHash));
}

function hexBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{128}$/.test(hex)) {
    throw new Error('audit chain: hashes are 64 lowercase hex digits');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
