import {
  DEFAULT_SCRYPT,
  generatePassword,
  hashPassword,
  passwordProblem,
  spendPasswordCheck,
  verifyPassword,
} from './staff-password';

describe('staff passwords', () => {
  it('stores scrypt with its parameters and a per-user salt, and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse 7');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, Number(n), Number(r), Number(p)]).toEqual(['scrypt', DEFAULT_SCRYPT.N, DEFAULT_SCRYPT.r, 1]);
    expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse 7', stored)).toBe(true);
    expect(await verifyPassword('correct horse 8', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
    // The same password twice: two salts, two hashes.
    expect(await hashPassword('correct horse 7')).not.toBe(stored);
  });

  it('reads the parameters from the stored hash (cheaper ones stored earlier still verify)', async () => {
    const stored = await hashPassword('old password 1', { N: 1024, r: 8, p: 1 });
    expect(stored.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('old password 1', stored)).toBe(true);
    expect(await verifyPassword('old password 2', stored)).toBe(false);
  });

  it('never matches a malformed or absurd stored value', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$1024$8$1$c2FsdA$',
      'bcrypt$10$x$y$z$w',
      'scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });

  it('spends a check for a login nobody has, and says no', async () => {
    await expect(spendPasswordCheck('whatever 123')).resolves.toBe(false);
  });

  it('refuses short and trivial passwords, with a Chinese reason', () => {
    expect(passwordProblem('short1')).toMatch(/至少需要 10 个字符/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/过于简单/);
    expect(passwordProblem('x'.repeat(201) + 'abcd')).toMatch(/最多/);
    expect(passwordProblem('desk1-sandbox')).toBeUndefined();
  });

  it('generates strong, readable, different passwords that pass its own rule', () => {
    const a = generatePassword();
    expect(a).toMatch(/^([A-Za-z2-9]{4}-){3}[A-Za-z2-9]{4}$/);
    expect(a).not.toMatch(/[01OolI]/);
    expect(passwordProblem(a)).toBeUndefined();
    expect(generatePassword()).not.toBe(a);
  });
});
