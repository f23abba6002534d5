import { compactToIso, isoToCompact } from './dates';
import { nationName } from './nations';
import { ProtocolError } from './protocol-error';
import { readUcs2Field, writeUcs2Field } from './ucs2';

/**
 * The 256-byte text block of a resident ID card (居民身份证), UCS-2LE, fixed-width fields padded
 * with spaces. Sizes are in characters (2 bytes each); they add up to 110 characters, the
 * remaining 18 are reserved and normally spaces.
 */
export const ID_CARD_TEXT_LENGTH = 256;

const FIELDS = [
  ['name', 15],
  ['sex', 1],
  ['nation', 2],
  ['birth', 8],
  ['address', 35],
  ['idNumber', 18],
  ['authority', 15],
  ['validFrom', 8],
  ['validTo', 8],
  ['reserved', 18],
] as const;

type FieldName = (typeof FIELDS)[number][0];

/** Character offsets of every field, computed once from the table above. */
const LAYOUT: Readonly<Record<FieldName, { offset: number; chars: number }>> = (() => {
  let offset = 0;
  const out = {} as Record<FieldName, { offset: number; chars: number }>;
  for (const [name, chars] of FIELDS) {
    out[name] = { offset, chars };
    offset += chars;
  }
  return out;
})();

/**
 * Character 124 (inside the reserved area) is where the Hong Kong/Macau/Taiwan residence permit
 * ('J') and the 2017 foreigner's permanent residence card ('I') put their type letter. Those
 * cards reuse the same reader and frame but lay the text out differently, so reading them as a
 * resident card would put wrong data into the right-looking fields.
 */
const CARD_TYPE_CHAR = 124;

/** The validity end printed on cards issued to people over 46: no end date. */
export const LONG_TERM = '长期';

export type Sex = '男' | '女' | '未知' | '未说明';

/** GB/T 2261.1 sex codes as the card stores them. */
const SEXES: Readonly<Record<string, Sex>> = { '1': '男', '2': '女', '0': '未知', '9': '未说明' };

export interface IdCardIdentity {
  /** Name without the padding spaces. */
  name: string;
  /** '1' male, '2' female, '0' unknown, '9' unspecified (GB/T 2261.1). */
  sexCode: string;
  sex: Sex;
  /** Two-digit GB/T 3304 code, as stored. */
  nationCode: string;
  /** The name printed on the card ("回"), or null for a code the standard does not define. */
  nation: string | null;
  /** 'YYYY-MM-DD'. */
  birthDate: string;
  address: string;
  idNumber: string;
  issuingAuthority: string;
  /** 'YYYY-MM-DD'. */
  validFrom: string;
  /** 'YYYY-MM-DD', or LONG_TERM ('长期'). */
  validTo: string;
}

/** What a card stores; the readable sex and nation are derived from the codes. */
export type IdCardTextFields = Omit<IdCardIdentity, 'sex' | 'nation'>;

function textError(code: string, message: string, details?: Record<string, string | number>): ProtocolError {
  return new ProtocolError(code, message, details);
}

/** Parses the 256-byte text block. Throws a ProtocolError naming the field that is wrong. */
export function parseIdCardText(text: Buffer): IdCardIdentity {
  if (text.length !== ID_CARD_TEXT_LENGTH) {
    throw textError(
      'TEXT_LENGTH',
      `身份证文字信息应为${ID_CARD_TEXT_LENGTH}字节，实际收到${text.length}字节：请重新读卡`,
      {
        expected: ID_CARD_TEXT_LENGTH,
        actual: text.length,
      },
    );
  }
  const field = (name: FieldName): string => readUcs2Field(text, LAYOUT[name].offset * 2, LAYOUT[name].chars);
  const typeChar = text.toString('utf16le', CARD_TYPE_CHAR * 2, CARD_TYPE_CHAR * 2 + 2);
  if (typeChar === 'I' || typeChar === 'J') {
    throw textError(
      'UNSUPPORTED_CARD_TYPE',
      typeChar === 'J'
        ? '这是港澳台居民居住证，本系统按居民身份证版式读取会出错：请人工核验证件'
        : '这是外国人永久居留身份证，本系统按居民身份证版式读取会出错：请人工核验证件',
      { cardType: typeChar },
    );
  }

  const sexCode = field('sex');
  const sex = Object.prototype.hasOwnProperty.call(SEXES, sexCode) ? SEXES[sexCode] : undefined;
  if (sex === undefined) {
    throw textError('TEXT_FIELD_INVALID', '身份证性别代码无效：请重新读卡', { field: 'sex', value: sexCode });
  }
  const nationCode = field('nation');
  return {
    name: field('name'),
    sexCode,
    sex,
    nationCode,
    nation: nationName(nationCode) ?? null,
    birthDate: cardDate(field('birth'), 'birth'),
    address: field('address'),
    idNumber: field('idNumber'),
    issuingAuthority: field('authority'),
    validFrom: cardDate(field('validFrom'), 'validFrom'),
    validTo: field('validTo') === LONG_TERM ? LONG_TERM : cardDate(field('validTo'), 'validTo'),
  };
}

function cardDate(compact: string, name: FieldName): string {
  const iso = compactToIso(compact);
  if (iso === undefined) {
    throw textError('TEXT_FIELD_INVALID', `身份证日期字段无效（${name}）：请重新读卡`, { field: name, value: compact });
  }
  return iso;
}

/**
 * Builds the exact 256 bytes a card holds, for simulators and tests. Refuses values that a card
 * could not hold (too long, not UCS-2, malformed dates) rather than truncating them.
 */
export function buildIdCardText(identity: IdCardTextFields): Buffer {
  const compact = (iso: string, name: FieldName): string => {
    const out = isoToCompact(iso);
    if (out === undefined) {
      throw textError('TEXT_FIELD_INVALID', `日期字段「${name}」应为有效的 YYYY-MM-DD`, { field: name, value: iso });
    }
    return out;
  };
  if (!Object.prototype.hasOwnProperty.call(SEXES, identity.sexCode)) {
    throw textError('TEXT_FIELD_INVALID', '性别代码应为 1、2、0 或 9', { field: 'sex', value: identity.sexCode });
  }
  if (!/^\d{2}$/.test(identity.nationCode)) {
    throw textError('TEXT_FIELD_INVALID', '民族代码应为两位数字', { field: 'nation', value: identity.nationCode });
  }
  const values: Record<FieldName, string> = {
    name: identity.name,
    sex: identity.sexCode,
    nation: identity.nationCode,
    birth: compact(identity.birthDate, 'birth'),
    address: identity.address,
    idNumber: identity.idNumber,
    authority: identity.issuingAuthority,
    validFrom: compact(identity.validFrom, 'validFrom'),
    validTo: identity.validTo === LONG_TERM ? LONG_TERM : compact(identity.validTo, 'validTo'),
    reserved: '',
  };
  return Buffer.concat(FIELDS.map(([name, chars]) => writeUcs2Field(values[name], chars, name)));
}
