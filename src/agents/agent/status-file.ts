import { writeFileAtomically } from './journal/durable-files';
import type { AgentStatusView } from './agent-state';

/**
 * The agent's status.json (read by `gateway agent status` and IT): follows the agent's state, written
 * atomically at most every 200 ms after a change and every 5 s anyway, and a last time at stop.
 */
export class StatusFile {
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private stopped = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly view: () => AgentStatusView,
    private readonly warn: (message: string, err: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.mark(), 5_000);
    this.timer.unref();
    this.mark();
  }

  /** Something changed: a write is scheduled unless one already is. True when this call scheduled it. */
  mark(): boolean {
    if (this.dirty || this.stopped) {
      return false;
    }
    this.dirty = true;
    setTimeout(() => {
      this.dirty = false;
      this.writing = this.writing.then(() => this.write()).catch(() => undefined);
    }, 200).unref();
    return true;
  }

  /** No more scheduled writes; the last state is written once the pending write is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.writing;
    await this.write();
  }

  private async write(): Promise<void> {
    await writeFileAtomically(this.path, `${JSON.stringify(this.view(), null, 2)}\n`).catch((e: unknown) => {
      this.warn(`${this.path} could not be written`, (e as Error).message);
    });
  }
}
