/**
 * The values of one mapping row: codes, kinds and dates as the file may write them, and what they
 * become when stored. Pure.
 */

export const ITEM_KINDS = ['drug', 'service', 'material'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/**
 * Kind names accepted in the 项目类别 column (compared without case and spaces), and the list_type
 * codes of the national 3301 interface (101–104 drugs, 201 medical services, 301 medical consumables).
 */
const KIND_NAMES: Readonly<Record<ItemKind, readonly string[]>> = {
  drug: [
    'drug',
    'medicine',
    '药品',
    '药',
    '西药',
    '中成药',
    '西药中成药',
    '中药饮片',
    '中草药',
    '草药',
    '医疗机构制剂',
    '院内制剂',
    '民族药',
    '101',
    '102',
    '103',
    '104',
  ],
  service: ['service', '诊疗', '诊疗项目', '医疗服务', '医疗服务项目', '服务项目', '服务', '201'],
  material: ['material', '材料', '耗材', '医用耗材', '卫生材料', '医用材料', '301'],
};

const KIND_BY_NAME = new Map<string, ItemKind>(
  (Object.entries(KIND_NAMES) as Array<[ItemKind, readonly string[]]>).flatMap(([kind, names]) =>
    names.map((n) => [n, kind] as [string, ItemKind]),
  ),
);

export function parseKind(text: string): ItemKind | undefined {
  return KIND_BY_NAME.get(text.toLowerCase().replace(/\s/g, ''));
}

export function kindNames(kind: ItemKind): readonly string[] {
  return KIND_NAMES[kind];
}

/** A hospital's own item code: letters, digits and - _ . /, starting with a letter or digit, at most 50. */
const HIS_CODE = /^[0-9A-Za-z][0-9A-Za-z._\-/]{0,49}$/;

export function isHisCode(text: string): boolean {
  return HIS_CODE.test(text);
}

/**
 * An insurer catalogue code (医保目录编码, med_list_codg) as stored: upper case. The national codes
 * are letters, digits and `-` (drugs XJ01CAA040A001010100001, services 001102000010000 or with a
 * `-` suffix, consumables C + 19 characters); Ningxia's local codes keep the same alphabet.
 */
const MED_LIST_CODE = /^[0-9A-Z][0-9A-Z-]{4,49}$/;

export function normaliseMedListCode(text: string): string | undefined {
  const code = text.toUpperCase();
  return MED_LIST_CODE.test(code) ? code : undefined;
}

/** Whether a catalogue code looks like its kind (a mismatch is a warning: local codes vary). */
export function codeFitsKind(code: string, kind: ItemKind): boolean {
  switch (kind) {
    case 'drug':
      return /^[XZT]/.test(code);
    case 'material':
      return code.startsWith('C');
    case 'service':
      return /^\d/.test(code);
  }
}

/**
 * A validity date as YYYY-MM-DD, from YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYYMMDD (a time part after
 * a space is dropped); undefined when it is none of these or no real calendar date.
 */
export function normaliseDate(text: string): string | undefined {
  const day = text.split(/[ T]/, 1)[0];
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(day) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(day);
  if (!match) {
    return undefined;
  }
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}
