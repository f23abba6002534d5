/**
 * GB 11643 citizen identity numbers (居民身份证号码 = 社会保障号码): 6-digit region, 8-digit birth
 * date, 3-digit sequence (odd = male), check character. The sandbox checks every certno it is
 * sent, as the insurer does, and its seed data is built to pass.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export function gb11643CheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new Error('the first 17 characters of an ID number must be digits');
  }
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * WEIGHTS[i], 0);
  return CHECK_CHARACTERS[sum % 11];
}

/** Format, check character and a real calendar birth date. */
export function isValidCertno(certno: string): boolean {
  if (!/^\d{17}[\dX]$/.test(certno)) {
    return false;
  }
  return gb11643CheckCharacter(certno.slice(0, 17)) === certno[17] && birthDateOf(certno) !== undefined;
}

/** yyyy-MM-dd from positions 7–14, or undefined when it is not a real date. */
export function birthDateOf(certno: string): string | undefined {
  const y = Number(certno.slice(6, 10));
  const m = Number(certno.slice(10, 12));
  const d = Number(certno.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return `${certno.slice(6, 10)}-${certno.slice(10, 12)}-${certno.slice(12, 14)}`;
}

/** GB/T 2261.1 sex code from the sequence digit: '1' male, '2' female. */
export function genderOf(certno: string): '1' | '2' {
  return Number(certno[16]) % 2 === 1 ? '1' : '2';
}
