/** /health, polled for the emergency-mode banner every page shows. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { emergencyOf, type HealthBody } from '../lib/emergency';

const POLL_MS = 15_000;

export const useHealthStore = defineStore('health', () => {
  const emergency = ref(false);
  const unreachableSince = ref<string | null>(null);
  /** The gateway itself did not answer /health. */
  const unreachable = ref(false);
  let timer: ReturnType<typeof setInterval> | null = null;

  async function refresh(): Promise<void> {
    let body: HealthBody;
    try {
      // Not through the API client: /health answers 503 with the same body when a critical
      // component is down, and that body is what the banner needs.
      const response = await fetch('/health', { headers: { accept: 'application/json' } });
      body = (await response.json()) as HealthBody;
    } catch {
      unreachable.value = true;
      return;
    }
    unreachable.value = false;
    const state = emergencyOf(body);
    emergency.value = state.emergency;
    unreachableSince.value = state.unreachableSince;
  }

  function start(): void {
    if (timer === null) {
      void refresh();
      timer = setInterval(() => void refresh(), POLL_MS);
    }
  }

  return { emergency, unreachableSince, unreachable, refresh, start };
});
