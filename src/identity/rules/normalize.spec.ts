import fc from 'fast-check';
import { idNumbersMatch, NAME_DOT, nameKey, namesMatch, normalizedIdNumber, normalizeName } from './normalize';

describe('normalizeName', () => {
  it('unifies every middle-dot variant to U+00B7', () => {
    for (const dot of [
      '\u00B7',
      '\u2022',
      '\u2027',
      '\u30FB',
      '\uFF65',
      '.',
      '\uFF0E',
      '\u0387',
      '\u22C5',
      '\u2219',
      '。',
      '-',
      '－',
      '\u2013',
    ]) {
      expect(normalizeName(`买买提${dot}艾力`)).toBe('买买提·艾力');
    }
  });

  it('drops spaces of every kind, including the ID card padding and ideographic spaces', () => {
    expect(normalizeName('马建国            ')).toBe('马建国');
    expect(normalizeName(' 马\u3000建 国\u00A0')).toBe('马建国');
    expect(normalizeName('买买提 · 艾力')).toBe('买买提·艾力');
    expect(normalizeName('买买提\u3000・\u3000艾力')).toBe('买买提·艾力');
  });

  it('drops invisible characters: zero-width space and joiners, BOM, soft hyphen, variation selectors', () => {
    expect(normalizeName('马\u200B建\u200D国\uFEFF')).toBe('马建国');
    expect(normalizeName('李\u00AD秀兰')).toBe('李秀兰');
    expect(normalizeName('禤\uFE00䶮\u{E0100}')).toBe('禤䶮');
  });

  it('collapses runs of separators and trims them at either end', () => {
    expect(normalizeName('·买买提··艾力·')).toBe('买买提·艾力');
    expect(normalizeName('阿卜杜热合曼 ·. 买买提明')).toBe('阿卜杜热合曼·买买提明');
  });

  it('applies NFKC where it maps one character to one: full-width letters, compatibility ideographs, radicals', () => {
    expect(normalizeName('ＪＯＨＮ　ｓｍｉｔｈ')).toBe('JOHNSMITH');
    expect(normalizeName('john.smith')).toBe('JOHN·SMITH');
    // U+F900 is a CJK compatibility ideograph of U+8C48 (豈); U+2F08 is the Kangxi radical 人.
    expect(normalizeName('\uF900\u2F08')).toBe('\u8C48\u4EBA');
  });

  it('keeps characters whose NFKC mapping would expand into several (⑴, ㈱)', () => {
    expect(normalizeName('王⑴')).toBe('王⑴');
    expect(normalizeName('㈱李')).toBe('㈱李');
  });

  it('keeps rare characters and a joined 姓名扩展 as they are', () => {
    expect(normalizeName('禤䶮')).toBe('禤䶮');
    expect(normalizeName('阿卜杜热合曼·买买提明·阿卜杜克热木')).toBe('阿卜杜热合曼·买买提明·阿卜杜克热木');
  });

  it('is empty for a blank name', () => {
    expect(normalizeName('  \u3000 · ')).toBe('');
  });
});

describe('nameKey and namesMatch', () => {
  it('compare names with or without the dot as the same name', () => {
    expect(nameKey('买买提·艾力')).toBe('买买提艾力');
    expect(namesMatch('买买提·艾力', '买买提艾力')).toBe(true);
    expect(namesMatch('买买提•艾力', '买买提 ・ 艾力')).toBe(true);
  });

  it('tell different names apart, including a swapped order and one changed character', () => {
    expect(namesMatch('马建国', '马建军')).toBe(false);
    expect(namesMatch('艾力·买买提', '买买提·艾力')).toBe(false);
    expect(namesMatch('马建国', '马建国国')).toBe(false);
  });

  it('never match a blank name, not even another blank one', () => {
    expect(namesMatch('', '')).toBe(false);
    expect(namesMatch(' · ', '　')).toBe(false);
    expect(namesMatch('马建国', '')).toBe(false);
  });
});

describe('ID numbers (delegated to drivers/protocols/id-number)', () => {
  it('normalises upper-case X, full-width digits and 15-digit numbers, and checks GB 11643', () => {
    expect(normalizedIdNumber('64030219680415022x')).toEqual({ valid: true, value: '64030219680415022X' });
    expect(normalizedIdNumber('６４０３０２１９６８０４１５０２２Ｘ')).toEqual({
      valid: true,
      value: '64030219680415022X',
    });
    expect(normalizedIdNumber('640302680415022')).toEqual({ valid: true, value: '64030219680415022X' });
    expect(normalizedIdNumber('640302196804150221')).toEqual({ valid: false, reason: 'check-char' });
    expect(normalizedIdNumber('640302196802300221')).toEqual({ valid: false, reason: 'birth-date' });
    expect(normalizedIdNumber('64030219680415')).toEqual({ valid: false, reason: 'malformed' });
  });

  it('match only valid numbers of the same person', () => {
    expect(idNumbersMatch('640302680415022', '64030219680415022x')).toBe(true);
    expect(idNumbersMatch('640104198503120319', '640105199007082158')).toBe(false);
    expect(idNumbersMatch('640302196804150221', '640302196804150221')).toBe(false);
  });
});

// ---- properties -------------------------------------------------------------------------------

const DOTS = ['\u00B7', '\u2022', '\u2027', '\u30FB', '\uFF65', '.', '\uFF0E', '\u0387', '\u2219', '\u22C5', '。', '-'];
const SPACES = [' ', '\u3000', '\u00A0', '\t', '\u2009', '\u200B'];
const CJK_POOL = [...'马建国买提艾力禤䶮张万福李秀兰杨志强王磊赵鹏刘芳陈海军周玉梅孙丽阿卜杜热合曼明克木古丽努尔'];

const part = fc.array(fc.constantFrom(...CJK_POOL), { minLength: 1, maxLength: 5 }).map((cs) => cs.join(''));
const parts = fc.array(part, { minLength: 1, maxLength: 4 });
const spaces = fc.array(fc.constantFrom(...SPACES), { maxLength: 2 }).map((s) => s.join(''));

/** The name's parts joined with any dot variant, with spaces sprinkled around and inside them. */
const spelled = (ps: string[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(fc.constantFrom(...DOTS), { minLength: ps.length, maxLength: ps.length }),
      fc.array(spaces, { minLength: ps.length * 2 + 1, maxLength: ps.length * 2 + 1 }),
    )
    .map(
      ([dots, sp]) =>
        ps
          .map((p, i) => {
            const [first, ...rest] = [...p];
            return `${sp[2 * i]}${first}${sp[2 * i + 1]}${rest.join('')}` + (i < ps.length - 1 ? dots[i] : '');
          })
          .join('') + sp[sp.length - 1],
    );

describe('name normalisation properties', () => {
  it('is idempotent on any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 })),
        (s) => {
          const once = normalizeName(s);
          expect(normalizeName(once)).toBe(once);
          expect(nameKey(once)).toBe(nameKey(s));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('spells equal names in any dot variant and spacing the same way', () => {
    fc.assert(
      fc.property(
        parts.chain((ps) => fc.tuple(fc.constant(ps), spelled(ps), spelled(ps))),
        ([ps, a, b]) => {
          const canonical = ps.join(NAME_DOT);
          expect(normalizeName(a)).toBe(canonical);
          expect(normalizeName(b)).toBe(canonical);
          expect(namesMatch(a, b)).toBe(true);
          expect(namesMatch(a, ps.join(''))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never matches names made of different characters, however they are spelled', () => {
    fc.assert(
      fc.property(
        parts.chain((ps) => fc.tuple(fc.constant(ps), spelled(ps))),
        parts.chain((ps) => fc.tuple(fc.constant(ps), spelled(ps))),
        ([pa, a], [pb, b]) => {
          expect(namesMatch(a, b)).toBe(pa.join('') === pb.join(''));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
