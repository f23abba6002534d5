/**
 * Listener bookkeeping for the transports: one set per event name, each `on` returning the
 * function that removes it. Listeners are called in the order they were added, and one
 * removed while an event is delivered is still called for that event.
 */
export class Listeners<Events extends Record<string, unknown>> {
  private readonly sets = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    let set = this.sets.get(event);
    if (!set) {
      set = new Set();
      this.sets.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const listener of [...(this.sets.get(event) ?? [])]) {
      (listener as (value: Events[K]) => void)(value);
    }
  }
}
