import {
  beijingInputToIso,
  beijingSeconds,
  configValueText,
  groupConfig,
  listOf,
  originText,
  roleText,
  scopeText,
  staffStateView,
} from './it-admin-text';

describe('it-admin texts', () => {
  it('names scopes in Chinese with their code, and roles as docs/console.md does', () => {
    expect(scopeText('trace-codes')).toBe('药品追溯码（trace-codes）');
    expect(scopeText('future')).toBe('future');
    expect(roleText('it-admin')).toBe('信息科');
    expect(roleText('auditor')).toBe('审计');
  });

  it('says whether an account is disabled, locked until a Beijing time, or fine', () => {
    const now = new Date('2026-12-03T10:00:00Z');
    expect(staffStateView({ state: 'disabled', lockedUntil: null, disabledReason: '离职' }, now)).toEqual({
      text: '已停用（离职）',
      tone: 'info',
    });
    expect(staffStateView({ state: 'active', lockedUntil: '2026-12-03T10:15:00Z', disabledReason: null }, now)).toEqual(
      { text: '已锁定至 2026-12-03 18:15（北京时间）', tone: 'danger' },
    );
    expect(
      staffStateView({ state: 'active', lockedUntil: '2026-12-03T09:15:00Z', disabledReason: null }, now).text,
    ).toBe('正常');
  });

  it('turns a Beijing time typed on any PC into the instant the API takes', () => {
    expect(beijingInputToIso('2026-12-03 08:00')).toBe('2026-12-03T08:00:00+08:00');
    expect(new Date(beijingInputToIso('2026-12-03 08:00')).toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(beijingInputToIso('')).toBe('');
    expect(() => beijingInputToIso('yesterday')).toThrow(RangeError);
    expect(beijingSeconds('2026-12-02T16:05:09.500Z')).toBe('2026-12-03 00:05:09');
    expect(beijingSeconds(null)).toBe('—');
  });

  it('shows configuration values and groups them by section', () => {
    expect(configValueText('')).toBe('（空）');
    expect(configValueText(true)).toBe('是（true）');
    expect(configValueText([])).toBe('（无）');
    expect(configValueText({})).toBe('{}');
    expect(configValueText(8080)).toBe('8080');
    expect(originText('env')).toBe('环境变量');
    expect(originText(null)).toBe('—');
    const groups = groupConfig([
      { path: 'mode', value: 'sandbox', masked: false, origin: 'file' },
      { path: 'server.port', value: 8080, masked: false, origin: 'default' },
      { path: 'devices[0].id', value: 'd1', masked: false, origin: 'file' },
      { path: 'server.host', value: '127.0.0.1', masked: false, origin: 'default' },
      { path: 'dataDir', value: './data', masked: false, origin: 'default' },
    ]);
    expect(groups.map((g) => [g.section, g.entries.map((e) => e.key)])).toEqual([
      ['', ['mode', 'dataDir']],
      ['server', ['port', 'host']],
      ['devices', ['[0].id']],
    ]);
  });

  it('reads lists typed one a line or with commas', () => {
    expect(listOf('10.0.0.0/24\n 10.0.1.5, 10.0.2.0/24')).toEqual(['10.0.0.0/24', '10.0.1.5', '10.0.2.0/24']);
    expect(listOf('  ')).toBeUndefined();
  });
});
