/**
 * Who is logged in. Loaded once when the console opens (GET /api/v1/staff/session): 401 means
 * nobody, and the router sends the page to the login. The CSRF token of the session is handed to
 * the API client so every unsafe call carries it.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError, messageOf } from '../api/client';
import {
  changePassword as postPassword,
  currentSession,
  logIn,
  logOut,
  type Staff,
  type StaffSession,
} from '../api/staff-session';

const DESK_KEY = 'gw-console-desk';

export const useSessionStore = defineStore('session', () => {
  const staff = ref<Staff | null>(null);
  const expiresAt = ref<string | null>(null);
  /** The password expired at the login, or IT reset it: nothing but 修改密码 works until it is changed. */
  const passwordChangeRequired = ref(false);
  const passwordExpiresAt = ref<string | null>(null);
  /** Within 14 days of the expiry: the shell warns. */
  const passwordExpiresSoon = ref(false);
  const loaded = ref(false);
  /** Why the session could not be read (not a plain 401): shown on the login page. */
  const loadError = ref<string | null>(null);
  const selectedDesk = ref<string | null>(null);

  const loggedIn = computed(() => staff.value !== null);
  /** The desk this page works at: the chosen one, else the staff member's first desk. */
  const desk = computed(() => selectedDesk.value ?? staff.value?.desks[0] ?? null);

  function apply(session: StaffSession | null): void {
    staff.value = session?.staff ?? null;
    expiresAt.value = session?.expiresAt ?? null;
    passwordChangeRequired.value = session?.passwordChangeRequired ?? false;
    passwordExpiresAt.value = session?.passwordExpiresAt ?? null;
    passwordExpiresSoon.value = session?.passwordExpiresSoon ?? false;
    api.setCsrfToken(session?.csrfToken ?? null);
    const remembered = sessionStorage.getItem(DESK_KEY);
    selectedDesk.value = session && remembered !== null && session.staff.desks.includes(remembered) ? remembered : null;
  }

  /**
   * Once per page load. A 401 is "not logged in"; any other failure (gateway away, an error) also
   * leaves nobody logged in, and its message is kept for the login page to show.
   */
  async function load(): Promise<void> {
    loadError.value = null;
    try {
      apply(await currentSession(api));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        loadError.value = messageOf(e);
      }
      apply(null);
    } finally {
      loaded.value = true;
    }
  }

  async function login(login: string, password: string): Promise<void> {
    apply(await logIn(api, login, password));
    loadError.value = null;
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

  /** Changes the signed-in member's password; the session goes on (its other sessions end). */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const session = await postPassword(api, currentPassword, newPassword);
    staff.value = session.staff;
    expiresAt.value = session.expiresAt;
    passwordChangeRequired.value = session.passwordChangeRequired;
    passwordExpiresAt.value = session.passwordExpiresAt;
    passwordExpiresSoon.value = session.passwordExpiresSoon;
    api.setCsrfToken(session.csrfToken);
  }

  function chooseDesk(name: string): void {
    selectedDesk.value = name;
    sessionStorage.setItem(DESK_KEY, name);
  }

  /** Any call answered 401 later (session expired): forget the staff member. */
  function expired(): void {
    apply(null);
  }

  return {
    staff,
    expiresAt,
    passwordChangeRequired,
    passwordExpiresAt,
    passwordExpiresSoon,
    loaded,
    loadError,
    loggedIn,
    desk,
    load,
    login,
    logout,
    changePassword,
    chooseDesk,
    expired,
  };
});
