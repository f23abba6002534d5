/**
 * Who is logged in. Loaded once when the console opens (GET /api/v1/staff/session): 401 means
 * nobody, and the router sends the page to the login. The CSRF token of the session is handed to
 * the API client so every unsafe call carries it.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError } from '../api/client';
import { currentSession, logIn, logOut, type Staff, type StaffSession } from '../api/staff-session';

const DESK_KEY = 'gw-console-desk';

export const useSessionStore = defineStore('session', () => {
  const staff = ref<Staff | null>(null);
  const expiresAt = ref<string | null>(null);
  const loaded = ref(false);
  const selectedDesk = ref<string | null>(null);

  const loggedIn = computed(() => staff.value !== null);
  /** The desk this page works at: the chosen one, else the staff member's first desk. */
  const desk = computed(() => selectedDesk.value ?? staff.value?.desks[0] ?? null);

  function apply(session: StaffSession | null): void {
    staff.value = session?.staff ?? null;
    expiresAt.value = session?.expiresAt ?? null;
    api.setCsrfToken(session?.csrfToken ?? null);
    const remembered = sessionStorage.getItem(DESK_KEY);
    selectedDesk.value = session && remembered !== null && session.staff.desks.includes(remembered) ? remembered : null;
  }

  /** Once per page load; a 401 is "not logged in", anything else is thrown to the caller. */
  async function load(): Promise<void> {
    try {
      apply(await currentSession(api));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        throw e;
      }
      apply(null);
    } finally {
      loaded.value = true;
    }
  }

  async function login(login: string, password: string): Promise<void> {
    apply(await logIn(api, login, password));
    loaded.value = true;
  }

  async function logout(): Promise<void> {
    try {
      await logOut(api);
    } finally {
      sessionStorage.removeItem(DESK_KEY);
      apply(null);
    }
  }

  function chooseDesk(name: string): void {
    selectedDesk.value = name;
    sessionStorage.setItem(DESK_KEY, name);
  }

  /** Any call answered 401 later (session expired): forget the staff member. */
  function expired(): void {
    apply(null);
  }

  return { staff, expiresAt, loaded, loggedIn, desk, load, login, logout, chooseDesk, expired };
});
