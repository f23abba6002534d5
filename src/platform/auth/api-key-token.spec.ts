import { hashSecret, newToken, parseToken, secretMatches } from './api-key-token';
import { checkAllowEntry, ipAllowed } from './ip-allow-list';

describe('api key tokens', () => {
  it('parses what it makes, and the stored hash matches only the right secret', () => {
    const { id, secret, token } = newToken();
    expect(parseToken(token)).toEqual({ id, secret });
    const stored = hashSecret(secret);
    expect(stored).not.toContain(secret);
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(newToken().secret, stored)).toBe(false);
  });

  it.each(['', 'gwk_', 'Bearer x', 'gwk_ABCDEF123456_x', `gwk_0123456789ab_${'a'.repeat(42)}`])('rejects %j', (t) => {
    expect(parseToken(t)).toBeUndefined();
  });
});

describe('IP allow-lists', () => {
  it('accepts addresses and ranges of both families', () => {
    expect(ipAllowed('10.20.0.15', ['10.20.0.0/24'])).toBe(true);
    expect(ipAllowed('::ffff:10.20.0.15', ['10.20.0.0/24'])).toBe(true);
    expect(ipAllowed('10.20.1.15', ['10.20.0.0/24'])).toBe(false);
    expect(ipAllowed('::1', ['::1'])).toBe(true);
    expect(ipAllowed('127.0.0.1', null)).toBe(true);
    expect(ipAllowed('127.0.0.1', ['::1'])).toBe(false);
  });

  it('explains a bad entry', () => {
    expect(checkAllowEntry('10.0.0.0/33')).toMatch(/prefix length/);
    expect(checkAllowEntry('his-server')).toMatch(/not an IP address/);
    expect(checkAllowEntry('10.0.0.0/8')).toBeUndefined();
  });
});
