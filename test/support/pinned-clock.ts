/** A clock that stands still until told to move. */
export class PinnedClock {
  constructor(private at: Date) {}

  now(): Date {
    return new Date(this.at.getTime());
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}
