import { homeFor, menuFor } from './menu';

describe(menuFor.name, () => {
  it('shows each role only its pages', () => {
    expect(menuFor(['desk']).map((m) => m.title)).toEqual(['挂号/收费窗口']);
    expect(menuFor(['it-admin']).map((m) => m.title)).toEqual([
      '信息科 · 设备',
      '信息科 · 接口密钥',
      '信息科 · 人员账号',
      '审计日志',
      '信息科 · 当前配置',
    ]);
    expect(menuFor(['auditor']).map((m) => m.title)).toEqual(['审计日志']);
    expect(menuFor(['desk', 'it-admin'])).toHaveLength(6);
    expect(menuFor(['pharmacy']).map((m) => m.title)).toEqual(['药房']);
  });

  it('lands a staff member on their first page, or nowhere when none is built for their roles', () => {
    expect(homeFor(['it-admin'])).toBe('/it/devices');
    expect(homeFor(['pharmacy'])).toBe('/pharmacy');
    expect(homeFor(['auditor'])).toBe('/it/audit');
    expect(homeFor(['finance'])).toBeNull();
  });
});
