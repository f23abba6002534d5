import { SCOPES } from '../auth/scopes';
import { mayWatchDesk, ROLE_SCOPES, rolesToScopes, STAFF_ROLES } from './staff-roles';

describe('staff roles', () => {
  it('map to the scopes of the contract', () => {
    expect(rolesToScopes(['desk'])).toEqual(['identity', 'forms']);
    expect(rolesToScopes(['pharmacy'])).toEqual(['trace-codes']);
    expect(rolesToScopes(['doctor'])).toEqual(['identity', 'forms']);
    expect(rolesToScopes(['finance'])).toEqual(['settlement', 'operations']);
    expect(rolesToScopes(['auditor'])).toEqual(['audit']);
    expect(new Set(rolesToScopes(['it-admin']))).toEqual(
      new Set(['admin', 'operations', 'identity', 'trace-codes', 'forms', 'settlement']),
    );
  });

  it('unite the scopes of several roles once each, and grant nothing for an unknown role', () => {
    expect(rolesToScopes(['desk', 'doctor', 'pharmacy'])).toEqual(['identity', 'forms', 'trace-codes']);
    expect(rolesToScopes(['root', 'admin'])).toEqual([]);
    expect(rolesToScopes([])).toEqual([]);
  });

  it('grant only real scopes, and only IT gets admin', () => {
    for (const role of STAFF_ROLES) {
      expect(ROLE_SCOPES[role].every((s) => (SCOPES as readonly string[]).includes(s))).toBe(true);
      expect(ROLE_SCOPES[role].includes('admin')).toBe(role === 'it-admin');
    }
  });

  it('let desk roles watch their own desks, IT any desk, finance and auditors none', () => {
    expect(mayWatchDesk({ roles: ['desk'], desks: ['门诊挂号1'] }, '门诊挂号1')).toBe(true);
    expect(mayWatchDesk({ roles: ['desk'], desks: ['门诊挂号1'] }, '门诊挂号2')).toBe(false);
    expect(mayWatchDesk({ roles: ['pharmacy'], desks: ['西药房1'] }, '西药房1')).toBe(true);
    expect(mayWatchDesk({ roles: ['it-admin'], desks: [] }, '西药房1')).toBe(true);
    expect(mayWatchDesk({ roles: ['finance'], desks: ['门诊挂号1'] }, '门诊挂号1')).toBe(false);
    expect(mayWatchDesk({ roles: ['auditor'], desks: ['门诊挂号1'] }, '门诊挂号1')).toBe(false);
  });
});
