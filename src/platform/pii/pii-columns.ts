/**
 * One encrypted column, as the key rotation's re-encryption walks it: the rows of `table` whose
 * `column` is not on the active key are decrypted and encrypted again (context bound as before), one
 * batch at a time, in `idColumn` order. A feature declares its columns in its GatewayFeature
 * (`piiColumns`); the platform knows no capability's tables.
 */
export interface PiiColumn {
  readonly table: string;
  /** A unique, ordered key of the row (the re-encryption's cursor). */
  readonly idColumn: string;
  /** The ciphertext column; NULL and '' are skipped. */
  readonly column: string;
  /** The context the column is encrypted with (authenticated additional data). */
  readonly context: string;
  /** A keyed-hash column beside it, rewritten to the active lookup key with the ciphertext. */
  readonly lookup?: PiiLookupColumn;
  /**
   * The column held plaintext before it was encrypted: a stored value that is not a ciphertext is
   * that plaintext (its readers take it as it is), and the re-encryption moves it like a row on an
   * old key — encrypts it with the active key. Without this flag such a value is counted as failed.
   */
  readonly legacyPlaintext?: boolean;
}

export interface PiiLookupColumn {
  readonly column: string;
  /** The hash domain (e.g. 'person.idNumber'). */
  readonly domain: string;
  /**
   * The values the stored hash may be the hash of, read from the decrypted field (e.g. every ID
   * number in it, as the person key hashes it): the one whose hash is the stored one is hashed again
   * with the active lookup key. None matching → the row is counted as failed, left as it was.
   */
  candidates(plaintext: string): string[];
}

/** The encrypted columns of every feature, in the order given. */
export class PiiColumnRegistry {
  constructor(readonly columns: readonly PiiColumn[]) {
    const names = new Set<string>();
    for (const c of columns) {
      const name = piiColumnName(c);
      if (names.has(name)) {
        throw new Error(`encrypted column ${name} is declared twice`);
      }
      names.add(name);
    }
  }
}

/** `table.column`: the column's name in progress and status. */
export function piiColumnName(c: PiiColumn): string {
  return `${c.table}.${c.column}`;
}
