import { passwordChangeProblems, passwordExpiryWarning } from './password-change';

describe('the 修改密码 form', () => {
  const ok = { currentPassword: 'old-password-1', newPassword: 'new-password-2', repeatPassword: 'new-password-2' };

  it('accepts a long enough new password typed twice', () => {
    expect(passwordChangeProblems(ok)).toEqual({});
  });

  it('says in Chinese what is missing, too short, the same as before, or not repeated', () => {
    expect(passwordChangeProblems({ currentPassword: '', newPassword: '', repeatPassword: '' })).toEqual({
      currentPassword: '请输入当前密码',
      newPassword: '请输入新密码',
    });
    expect(passwordChangeProblems({ ...ok, newPassword: '短密码123', repeatPassword: '短密码123' }).newPassword).toBe(
      '新密码至少需要 10 个字符',
    );
    expect(
      passwordChangeProblems({ ...ok, newPassword: ok.currentPassword, repeatPassword: ok.currentPassword }),
    ).toEqual({ newPassword: '新密码不能与当前密码相同' });
    expect(passwordChangeProblems({ ...ok, repeatPassword: 'new-password-3' })).toEqual({
      repeatPassword: '两次输入的新密码不一致',
    });
  });

  it('warns in days before the expiry, and says when it has passed', () => {
    const now = new Date('2026-12-04T02:00:00Z');
    expect(passwordExpiryWarning(null, now)).toBeNull();
    expect(passwordExpiryWarning('2026-12-14T01:00:00Z', now)).toBe('您的密码将在 10 天后过期，请及时修改密码');
    expect(passwordExpiryWarning('2026-12-04T01:00:00Z', now)).toBe('您的密码已过期，请立即修改密码');
  });
});
