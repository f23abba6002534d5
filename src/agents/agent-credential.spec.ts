import {
  credentialSecretMatches,
  ENROLMENT_ALPHABET,
  hashCredentialSecret,
  newCredential,
  newEnrolmentCode,
  normalizeEnrolmentCode,
  parseCredential,
} from './agent-credential';

describe('enrolment codes', () => {
  it('are ten characters of the unambiguous alphabet, grouped five and five', () => {
    const codes = Array.from({ length: 500 }, () => newEnrolmentCode());
    for (const code of codes) {
      expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{5}-[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{5}$/);
    }
    expect(new Set(codes).size).toBe(codes.length);
    expect(ENROLMENT_ALPHABET).not.toMatch(/[01ILO]/);
    // every character of the alphabet turns up: nothing is left out by the sampling
    expect(new Set(codes.join('').replace(/-/g, '')).size).toBe(ENROLMENT_ALPHABET.length);
  });

  it('are forgiven case, spaces, dashes and full-width input, and refused when they cannot be codes', () => {
    expect(normalizeEnrolmentCode('k7mq2-xw9rb')).toBe('K7MQ2XW9RB');
    expect(normalizeEnrolmentCode(' K7MQ2 XW9RB ')).toBe('K7MQ2XW9RB');
    expect(normalizeEnrolmentCode('Ｋ７ＭＱ２－ＸＷ９ＲＢ')).toBe('K7MQ2XW9RB');
    expect(normalizeEnrolmentCode('K7MQ2-XW9R')).toBeUndefined();
    expect(normalizeEnrolmentCode('K7MQ2-XW9RBB')).toBeUndefined();
    expect(normalizeEnrolmentCode('K7MQ0-XW9RB')).toBeUndefined();
    expect(normalizeEnrolmentCode('')).toBeUndefined();
  });
});

describe('agent credentials', () => {
  const agentId = '019aee2c-5b7a-7c3e-8f00-0123456789ab';

  it('carry the agent id and a 256-bit secret, and parse back', () => {
    const { secret, credential } = newCredential(agentId);
    expect(credential).toMatch(/^gwa_019aee2c5b7a7c3e8f000123456789ab_[A-Za-z0-9_-]{43}$/);
    expect(parseCredential(credential)).toEqual({ agentId, secret });
    expect(parseCredential(`${credential}\n`)).toEqual({ agentId, secret });
    expect(newCredential(agentId).secret).not.toBe(secret);
  });

  it('refuse what is not a credential', () => {
    const { credential } = newCredential(agentId);
    expect(parseCredential(credential.replace('gwa_', 'gwk_'))).toBeUndefined();
    expect(parseCredential(credential.slice(0, -1))).toBeUndefined();
    expect(parseCredential('gwa_xyz_abc')).toBeUndefined();
  });

  it('are checked against the SHA-256 of the secret only', () => {
    const { secret } = newCredential(agentId);
    const stored = hashCredentialSecret(secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(secret);
    expect(credentialSecretMatches(secret, stored)).toBe(true);
    const altered = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(credentialSecretMatches(altered, stored)).toBe(false);
    expect(credentialSecretMatches(secret, 'ab')).toBe(false);
  });
});
