import { DomainError, type ErrorDetail } from './domain-error';

/**
 * Every error code a capability can answer with, in one place: its HTTP status and its Chinese
 * message (what desk staff read; it says what to do). HIS programs branch on the English code, so a
 * code, once released, keeps its meaning.
 *
 * A capability declares `export const X_ERRORS = errorCatalogue('x', { CODE: { status, message } })`
 * in `<capability>.errors.ts` and throws `X_ERRORS.raise('CODE')`, or
 * `X_ERRORS.raise('CODE', { message, details })` where the message must name values (a visit, a time).
 * `docs/errors.md` lists every catalogue; a test checks that every code the source throws is in one.
 */
export interface ErrorEntry {
  readonly status: number;
  /** The message when the throw site has nothing more specific to say. */
  readonly message: string;
}

export interface RaiseOptions {
  /** A more specific Chinese message, e.g. naming the visit or the time. */
  message?: string;
  details?: ErrorDetail[];
}

/** An error raised from a catalogue: code, status and message come from the entry. */
export class CatalogueError extends DomainError {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    details?: ErrorDetail[],
  ) {
    super(message, details);
  }
}

/** A refusal the client may retry after a pause (429): the filter adds `Retry-After: <seconds>`. */
export class RetryLaterError extends CatalogueError {
  constructor(
    from: CatalogueError,
    readonly retryAfterSeconds: number,
  ) {
    super(from.code, from.status, from.userMessage, from.details);
  }
}

export class ErrorCatalogue<Codes extends string> {
  constructor(
    /** The capability that owns these codes (the section of docs/errors.md). */
    readonly owner: string,
    readonly entries: Readonly<Record<Codes, ErrorEntry>>,
  ) {}

  get codes(): Codes[] {
    return Object.keys(this.entries) as Codes[];
  }

  has(code: string): code is Codes {
    return Object.prototype.hasOwnProperty.call(this.entries, code);
  }

  message(code: Codes): string {
    return this.entries[code].message;
  }

  /** The error to throw for `code`. */
  raise(code: Codes, options: RaiseOptions = {}): CatalogueError {
    const entry = this.entries[code];
    return new CatalogueError(code, entry.status, options.message ?? entry.message, options.details);
  }

  /** A `details[]` entry carrying one of these codes (e.g. one refused code in a batch). */
  detail(code: Codes, detail: Omit<ErrorDetail, 'code' | 'message'> & { message?: string } = {}): ErrorDetail {
    return { ...detail, code, message: detail.message ?? this.entries[code].message };
  }
}

export function errorCatalogue<const Codes extends string>(
  owner: string,
  entries: Record<Codes, ErrorEntry>,
): ErrorCatalogue<Codes> {
  return new ErrorCatalogue(owner, entries);
}
