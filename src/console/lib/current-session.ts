/**
 * Which verification session the desk page shows, kept current without a reload. The desk's
 * WebSocket carries a `verdict` message (with its sessionId) whenever a session of the desk changes;
 * the page then reads that session (GET, with the staff cookie) and shows it. A session the staff
 * member started or changed (an answer of POST) is shown at once. After the WebSocket comes back
 * from a drop, `refresh()` reads the shown session again: verdicts pushed while it was down are lost.
 * Answers that arrive out of order are dropped: only the latest read is shown. A staff action's
 * answer (`showAnswer`) is read again when a verdict came while it was on its way: that verdict may
 * be of a change made after the one the answer holds (an ID card read just after the QR code).
 * Framework-free (the loader is passed in) so it is unit-tested without a browser.
 */
import type { IdentitySession } from '../api/identity';

export interface CurrentSessionState {
  session: IdentitySession | null;
  /** Chinese, why the last read failed (the last session stays shown). */
  error: string | null;
}

export interface CurrentSessionOptions {
  load(id: string): Promise<IdentitySession>;
  onChange(state: CurrentSessionState): void;
  /** The Chinese text of a failure. */
  messageOf(error: unknown): string;
  /** True for "this session no longer exists" (404): it is then forgotten rather than shown as an error. */
  isGone(error: unknown): boolean;
  /** Told the id of the shown session (null: none), e.g. to find it again after a reload. */
  remember?(id: string | null): void;
}

export class CurrentSession {
  private id: string | null = null;
  private session: IdentitySession | null = null;
  private error: string | null = null;
  /** Bumped by every read and every shown answer: a read that is not the latest is dropped. */
  private generation = 0;
  /** Verdict messages received so far (a staff action compares it before and after its call). */
  private verdicts = 0;

  constructor(private readonly options: CurrentSessionOptions) {}

  get currentId(): string | null {
    return this.id;
  }

  /** A message of the desk's WebSocket: a `verdict` names the session to show. Other messages are ignored. */
  onDeskMessage(message: unknown): Promise<void> {
    if (typeof message !== 'object' || message === null) {
      return Promise.resolve();
    }
    const event = message as { type?: unknown; sessionId?: unknown };
    if (event.type !== 'verdict' || typeof event.sessionId !== 'string' || event.sessionId === '') {
      return Promise.resolve();
    }
    this.verdicts += 1;
    return this.follow(event.sessionId);
  }

  /** Shows session `id`, read now. */
  follow(id: string): Promise<void> {
    this.setId(id);
    return this.read();
  }

  /**
   * Runs a staff action (start, QR, staff confirmation) and shows the session it answers; its failure
   * is thrown. A verdict message that came while the call was on its way started a read that showing
   * the answer drops, yet it may name a change the answer does not hold yet (the session's lock let the
   * change in after the action, and its message overtook the action's answer): the session is then read
   * again, after the answer, so that the page does not stay on the older state.
   */
  async showAnswer(call: () => Promise<IdentitySession>): Promise<void> {
    const before = this.verdicts;
    this.show(await call());
    if (this.verdicts !== before) {
      await this.read();
    }
  }

  /** An answer the page already holds (start, QR, staff confirmation): shown as it is. */
  show(session: IdentitySession): void {
    this.generation += 1;
    this.setId(session.id);
    this.session = session;
    this.error = null;
    this.emit();
  }

  /** Reads the shown session again (after a WebSocket drop); nothing to do when none is shown. */
  refresh(): Promise<void> {
    return this.read();
  }

  /** Shows nothing (the desk changed). */
  clear(): void {
    this.generation += 1;
    this.setId(null);
    this.session = null;
    this.error = null;
    this.emit();
  }

  private async read(): Promise<void> {
    const id = this.id;
    if (id === null) {
      return;
    }
    this.generation += 1;
    const mine = this.generation;
    try {
      const session = await this.options.load(id);
      if (mine !== this.generation) {
        return;
      }
      this.session = session;
      this.error = null;
    } catch (e) {
      if (mine !== this.generation) {
        return;
      }
      if (this.options.isGone(e)) {
        this.setId(null);
        this.session = null;
        this.error = null;
      } else {
        this.error = this.options.messageOf(e);
      }
    }
    this.emit();
  }

  private setId(id: string | null): void {
    if (this.id !== id) {
      this.id = id;
      this.options.remember?.(id);
    }
  }

  private emit(): void {
    this.options.onChange({ session: this.session, error: this.error });
  }
}
