/**
 * Personal values seen per request, keyed by request id. The log redactor looks a line's
 * `reqId` up here, so a patient name taken from a request body is removed from every later
 * line of that request even when some code writes it into a message.
 *
 * Keyed by request id rather than held in AsyncLocalStorage because the redactor runs on
 * the serialised line, where only the id is at hand.
 */
export class PiiValueRegistry {
  private readonly byRequest = new Map<string, Set<string>>();

  add(requestId: string, values: Iterable<string>): void {
    let set = this.byRequest.get(requestId);
    if (!set) {
      set = new Set();
      this.byRequest.set(requestId, set);
    }
    for (const value of values) {
      set.add(value);
    }
  }

  get(requestId: string): ReadonlySet<string> | undefined {
    return this.byRequest.get(requestId);
  }

  /** Called once the request's last log line is written. */
  release(requestId: string): void {
    this.byRequest.delete(requestId);
  }

  get size(): number {
    return this.byRequest.size;
  }
}
