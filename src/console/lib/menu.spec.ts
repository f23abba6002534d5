import { homeFor, menuFor } from './menu';

describe(menuFor.name, () => {
  it('shows each role only its pages', () => {
    expect(menuFor(['desk']).map((m) => m.title)).toEqual(['挂号/收费窗口', '表单']);
    expect(menuFor(['doctor']).map((m) => m.title)).toEqual(['医生', '表单']);
    expect(menuFor(['it-admin']).map((m) => m.title)).toEqual([
      '信息科 · 设备',
      '信息科 · 运行状态',
      '信息科 · 上传队列',
      '信息科 · 接口密钥',
      '信息科 · 人员账号',
      '审计日志',
      '信息科 · 当前配置',
      '结算',
    ]);
    expect(menuFor(['auditor']).map((m) => m.title)).toEqual(['审计日志']);
    expect(menuFor(['finance']).map((m) => m.title)).toEqual(['结算']);
    expect(menuFor(['desk', 'it-admin'])).toHaveLength(10);
    expect(menuFor(['pharmacy']).map((m) => m.title)).toEqual(['药房']);
  });

  it('lands a staff member on the first page of their menu', () => {
    expect(homeFor(['it-admin'])).toBe('/it/devices');
    expect(homeFor(['pharmacy'])).toBe('/pharmacy');
    expect(homeFor(['finance'])).toBe('/settlement');
    expect(homeFor(['doctor'])).toBe('/doctor');
    expect(homeFor(['auditor'])).toBe('/it/audit');
    expect(homeFor([])).toBeNull();
  });
});
