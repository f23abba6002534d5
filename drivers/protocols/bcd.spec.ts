import fc from 'fast-check';
import { BcdError, decodeBcdDate, decodeBcdDigits, encodeBcdDate, encodeBcdDigits } from './bcd';

describe('bcd', () => {
  it('decodes a BCD date', () => {
    expect(decodeBcdDate(Buffer.from('20160919', 'hex'))).toBe('2016-09-19');
    expect(decodeBcdDate(Buffer.from('20000229', 'hex'))).toBe('2000-02-29');
  });

  it.each([
    ['19000229', 'IMPOSSIBLE_DATE'], // 1900 is not a leap year
    ['20230229', 'IMPOSSIBLE_DATE'],
    ['20231301', 'IMPOSSIBLE_DATE'],
    ['20230431', 'IMPOSSIBLE_DATE'],
    ['20230100', 'IMPOSSIBLE_DATE'],
    ['00000101', 'IMPOSSIBLE_DATE'],
    ['2016091A', 'NOT_BCD'],
    ['FFFFFFFF', 'NOT_BCD'],
    ['201609', 'BAD_LENGTH'],
    ['2016091900', 'BAD_LENGTH'],
  ])('refuses %s (%s)', (hex, reason) => {
    expect(() => decodeBcdDate(Buffer.from(hex, 'hex'))).toThrow(BcdError);
    expect(() => decodeBcdDate(Buffer.from(hex, 'hex'))).toThrow(
      expect.objectContaining({ reason, code: `BCD_${reason}` }),
    );
  });

  it('decodes digits with F padding only at the end', () => {
    expect(decodeBcdDigits(Buffer.from('6401FF', 'hex'), { allowPadding: true })).toBe('6401');
    expect(decodeBcdDigits(Buffer.from('64010F', 'hex'), { allowPadding: true })).toBe('64010');
    expect(() => decodeBcdDigits(Buffer.from('6401FF', 'hex'))).toThrow(BcdError);
    expect(() => decodeBcdDigits(Buffer.from('F40100', 'hex'), { allowPadding: true })).toThrow(BcdError);
  });

  it('encodes digits and dates', () => {
    expect(encodeBcdDigits('6401', 3).toString('hex')).toBe('6401ff');
    expect(encodeBcdDate('1985-03-17').toString('hex')).toBe('19850317');
    expect(encodeBcdDate('19850317').toString('hex')).toBe('19850317');
    expect(() => encodeBcdDate('1985-02-30')).toThrow(BcdError);
    expect(() => encodeBcdDigits('1234567', 3)).toThrow(BcdError);
  });

  it('round-trips every calendar date', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(decodeBcdDate(encodeBcdDate(iso))).toBe(iso);
        },
      ),
    );
  });

  it('never throws anything but a BcdError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6 }), (bytes) => {
        try {
          expect(decodeBcdDate(bytes)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        } catch (err) {
          expect(err).toBeInstanceOf(BcdError);
        }
      }),
    );
  });
});
