/**
 * What every page does when the gateway says the staff session is over — a 401 on a call, or the desk
 * WebSocket closed with 4401 — in one place: forget the session and go to the login, which brings the
 * staff member back to this page after signing in again.
 */
import { useRoute, useRouter } from 'vue-router';
import { ApiError } from '../api/client';
import { useSessionStore } from '../stores/session';

export function useSessionEnd(): {
  /** The session is over: to the login. */
  end(): Promise<void>;
  /** When `e` is the gateway's 401: to the login, and true; else false (the caller shows the error). */
  sessionEnded(e: unknown): Promise<boolean>;
} {
  const session = useSessionStore();
  const router = useRouter();
  const route = useRoute();
  const end = async (): Promise<void> => {
    session.expired();
    await router.replace({ name: 'login', query: { next: route.fullPath } });
  };
  return {
    end,
    sessionEnded: async (e) => {
      if (e instanceof ApiError && e.status === 401) {
        await end();
        return true;
      }
      return false;
    },
  };
}
