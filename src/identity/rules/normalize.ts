import { checkIdNumber } from '../../../drivers/protocols/id-number';

/**
 * Normalisation of what different sources say about one person, so that a card, a QR answer, an
 * ID-card read and an HIS registration can be compared.
 *
 * ID numbers: `checkIdNumber` of the device layer (full-width digits, lower-case x, 15 → 18
 * digits, GB 11643 check character) is the only implementation; this file only wraps it.
 *
 * Names: the same name arrives spelled differently. Minority names written in Chinese characters
 * separate their parts with a middle dot, and systems type that dot in many ways (· U+00B7,
 * • U+2022, ‧ U+2027, ・ U+30FB, ･ U+FF65, '.', '。', a hyphen …) or drop it because they cannot
 * store it; ID-card text is padded with spaces; a keyboard wedge in full-width mode types Ｌａｔｉｎ
 * letters. The social-security card's 姓名扩展 (the tail of a long name that did not fit into 姓名)
 * is already appended to the name by the card reader, so the name is compared whole, never split.
 */

/** The one middle dot names are written with after normalisation (U+00B7, as ID cards print it). */
export const NAME_DOT = '\u00B7';

/**
 * Characters typed in place of the middle dot between the parts of a transliterated name. After
 * NFKC the full-width and small forms have already become '.', '-' or ・ (U+30FB).
 */
const SEPARATOR_CLASS =
  '\\u002D\\u002E\\u00B7\\u0387\\u16EB\\u2010-\\u2015\\u2022\\u2024\\u2027\\u2043\\u2212\\u2219\\u22C5' +
  '\\u2E31\\u2E33\\u3002\\u30FB\\u318D\\uA78F\\uFE52\\uFE58\\uFE63\\uFF0D\\uFF0E\\uFF61\\uFF65';
const SEPARATOR_RUN = new RegExp(`[${SEPARATOR_CLASS}]+`, 'gu');
const EDGE_SEPARATORS = new RegExp(`^${NAME_DOT}+|${NAME_DOT}+$`, 'gu');

/**
 * Dropped outright: white space (including U+3000 and the ID card's padding), control and format
 * characters (zero-width space and joiners, soft hyphen, BOM), variation selectors (they pick a glyph,
 * not a character), and unpaired surrogates (broken decoding, never part of a name).
 */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Variation_Selector}\p{Cs}]/gu;

/**
 * NFKC, one character at a time, but only where the compatibility mapping gives exactly one
 * character: full-width and half-width forms, CJK compatibility ideographs, Kangxi radicals, styled
 * letters. Those are the same character in another shape, so mapping them is safe. Mappings that
 * expand into several characters (⑴ → "(1)", ㈱ → "(株)", ‥ → "..", ¨ → " ̈") would invent characters
 * that were not in the name, so those characters are kept as they are.
 */
function safeCompatibilityFold(s: string): string {
  let out = '';
  for (const ch of s) {
    const folded = ch.normalize('NFKC');
    out += [...folded].length === 1 ? folded : ch;
  }
  return out;
}

/**
 * The canonical spelling of a name: NFC, the safe part of NFKC, Latin letters upper-case, invisible
 * characters and spaces removed, every run of separators one U+00B7, none at either end.
 * Idempotent. Returns '' for a name that is blank once normalised.
 */
export function normalizeName(raw: string): string {
  return safeCompatibilityFold(raw.normalize('NFC'))
    .toUpperCase()
    .replace(INVISIBLE, '')
    .replace(SEPARATOR_RUN, NAME_DOT)
    .replace(EDGE_SEPARATORS, '')
    .normalize('NFC');
}

/**
 * The key names are compared by: the canonical spelling without its dots. A name registered as
 * 买买提艾力 by a system that cannot store the dot is the same name as 买买提·艾力; the characters
 * and their order are still compared in full.
 */
export function nameKey(raw: string): string {
  return normalizeName(raw).split(NAME_DOT).join('');
}

/** Two names are the same name: equal keys, neither blank. */
export function namesMatch(a: string, b: string): boolean {
  const ka = nameKey(a);
  return ka.length > 0 && ka === nameKey(b);
}

export type NormalizedIdNumber =
  | { readonly valid: true; readonly value: string }
  | { readonly valid: false; readonly reason: 'malformed' | 'birth-date' | 'check-char' };

/** An ID number as comparable text (18 characters, upper-case X) when it passes GB 11643. */
export function normalizedIdNumber(raw: string): NormalizedIdNumber {
  const check = checkIdNumber(raw);
  return check.valid ? { valid: true, value: check.value } : { valid: false, reason: check.reason };
}

/** Two ID numbers denote the same person: both valid and equal after normalisation. */
export function idNumbersMatch(a: string, b: string): boolean {
  const na = normalizedIdNumber(a);
  const nb = normalizedIdNumber(b);
  return na.valid && nb.valid && na.value === nb.value;
}

/** A card serial number (卡识别码) as comparable text: the one place card serials are keyed. */
export function cardSnKey(sn: string): string {
  return sn.trim().toUpperCase();
}
