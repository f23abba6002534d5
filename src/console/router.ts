/**
 * Pages and who may open them. History routing under /console/ (the gateway answers every
 * /console/* path with the app). Every page but the login needs a session; a page the staff
 * member's roles do not list sends them to their own first page.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Pinia } from 'pinia';
import { homeFor, MENU } from './lib/menu';
import { useSessionStore } from './stores/session';

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./views/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue') },
      { path: 'desk', name: 'desk', component: () => import('./views/DeskView.vue') },
      { path: 'pharmacy', name: 'pharmacy', component: () => import('./views/PharmacyView.vue') },
      { path: 'forms', name: 'forms', component: () => import('./views/FormsView.vue') },
      { path: 'it/devices', name: 'it-devices', component: () => import('./views/ItDevicesView.vue') },
      { path: 'settlement', name: 'settlement', component: () => import('./views/SettlementView.vue') },
      { path: 'doctor', name: 'doctor', component: () => import('./views/DoctorView.vue') },
      { path: 'it/api-keys', name: 'it-api-keys', component: () => import('./views/ItApiKeysView.vue') },
      { path: 'it/staff', name: 'it-staff', component: () => import('./views/ItStaffView.vue') },
      { path: 'it/audit', name: 'it-audit', component: () => import('./views/AuditView.vue') },
      { path: 'it/config', name: 'it-config', component: () => import('./views/ItConfigView.vue') },
      { path: 'it/health', name: 'it-health', component: () => import('./views/ItHealthView.vue') },
      { path: 'it/outbox', name: 'it-outbox', component: () => import('./views/ItOutboxView.vue') },
      { path: ':unknown(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
    ],
  },
];

export function createConsoleRouter(pinia: Pinia) {
  const router = createRouter({ history: createWebHistory('/console/'), routes });
  router.beforeEach(async (to) => {
    const session = useSessionStore(pinia);
    if (!session.loaded) {
      await session.load();
    }
    if (to.meta.public) {
      return session.loggedIn && to.name === 'login' ? { name: 'home' } : true;
    }
    if (!session.loggedIn) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
    }
    const roles = session.staff?.roles ?? [];
    const entry = MENU.find((m) => m.path === to.path);
    if (entry && !entry.roles.some((r) => roles.includes(r))) {
      return homeFor(roles) ?? { name: 'home' };
    }
    if (to.name === 'home') {
      const home = homeFor(roles);
      return home ?? true;
    }
    return true;
  });
  return router;
}
