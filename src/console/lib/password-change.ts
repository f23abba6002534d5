/**
 * The 修改密码 form's checks before it is sent (the gateway checks again and has the last word:
 * staff-password.ts passwordProblem()). Framework-free so it is unit-tested without a browser.
 */

/** As the gateway: at least this many characters. */
export const MIN_PASSWORD_LENGTH = 10;

export interface PasswordChangeForm {
  currentPassword: string;
  newPassword: string;
  repeatPassword: string;
}

/** Chinese, what is wrong with each field (absent: fine). */
export function passwordChangeProblems(form: PasswordChangeForm): Partial<Record<keyof PasswordChangeForm, string>> {
  const problems: Partial<Record<keyof PasswordChangeForm, string>> = {};
  if (form.currentPassword === '') {
    problems.currentPassword = '请输入当前密码';
  }
  if (form.newPassword === '') {
    problems.newPassword = '请输入新密码';
  } else if ([...form.newPassword].length < MIN_PASSWORD_LENGTH) {
    problems.newPassword = `新密码至少需要 ${MIN_PASSWORD_LENGTH} 个字符`;
  } else if (form.newPassword === form.currentPassword) {
    problems.newPassword = '新密码不能与当前密码相同';
  }
  if (form.repeatPassword !== form.newPassword) {
    problems.repeatPassword = '两次输入的新密码不一致';
  }
  return problems;
}

/** The warning shown while the password expires soon: `expiresAt` ISO, `now` the page's time. */
export function passwordExpiryWarning(expiresAt: string | null, now: Date): string | null {
  if (expiresAt === null) {
    return null;
  }
  const days = Math.ceil((Date.parse(expiresAt) - now.getTime()) / 86_400_000);
  return days <= 0 ? '您的密码已过期，请立即修改密码' : `您的密码将在 ${days} 天后过期，请及时修改密码`;
}
