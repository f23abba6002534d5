import { expiryOf } from './apikey.command';

const clock = { now: () => new Date('2026-12-04T02:00:00Z') };

describe('apikey create --expires-in / --expires', () => {
  it('reads a duration from now, a bare date as 00:00 Beijing time that day, and an ISO instant as it is', () => {
    expect(expiryOf({ 'expires-in': '90d' }, clock)?.toISOString()).toBe('2027-03-04T02:00:00.000Z');
    expect(expiryOf({ 'expires-in': '12h' }, clock)?.toISOString()).toBe('2026-12-04T14:00:00.000Z');
    expect(expiryOf({ expires: '2027-03-01' }, clock)?.toISOString()).toBe('2027-02-28T16:00:00.000Z');
    expect(expiryOf({ expires: '2027-03-01T12:00:00Z' }, clock)?.toISOString()).toBe('2027-03-01T12:00:00.000Z');
    expect(expiryOf({}, clock)).toBeUndefined();
  });

  it('explains what it expected', () => {
    expect(() => expiryOf({ 'expires-in': '3 months' }, clock)).toThrow('expected a number of days, hours or minutes');
    expect(() => expiryOf({ 'expires-in': '0d' }, clock)).toThrow('expected a number of days');
    expect(() => expiryOf({ expires: 'next year' }, clock)).toThrow('expected a date (2027-03-01)');
    expect(() => expiryOf({ expires: '2027-03-01', 'expires-in': '9d' }, clock)).toThrow('not both');
  });
});
