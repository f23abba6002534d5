import { homeFor, menuFor } from './menu';

describe(menuFor.name, () => {
  it('shows each role only its pages', () => {
    expect(menuFor(['desk']).map((m) => m.title)).toEqual(['挂号/收费窗口']);
    expect(menuFor(['it-admin']).map((m) => m.title)).toEqual([
      '信息科 · 设备',
      '信息科 · 运行状态',
      '信息科 · 上传队列',
    ]);
    expect(menuFor(['desk', 'it-admin'])).toHaveLength(4);
    expect(menuFor(['pharmacy']).map((m) => m.title)).toEqual(['药房']);
  });

  it('lands a staff member on their first page, or nowhere when none is built for their roles', () => {
    expect(homeFor(['it-admin'])).toBe('/it/devices');
    expect(homeFor(['pharmacy'])).toBe('/pharmacy');
    expect(homeFor(['auditor'])).toBeNull();
  });
});
