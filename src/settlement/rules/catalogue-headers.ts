import { SETTLEMENT_ERRORS, SETTLEMENT_MESSAGES } from '../settlement.errors';

/** The fields of a mapping row, and which column of the file holds each. */
export type CatalogueField = 'hisCode' | 'hisName' | 'kind' | 'medListCode' | 'insurerName' | 'validFrom' | 'validTo';

export type CatalogueColumns = Partial<Record<CatalogueField, number>>;

/**
 * The header names accepted for each field (compared without case, spaces, `_` and `-`): Chinese as
 * hospitals write them, English, and the field names of the national interface 3301 (目录对照上传).
 * docs/settlement.md lists the same names.
 */
export const CATALOGUE_HEADERS: Readonly<Record<CatalogueField, readonly string[]>> = {
  hisCode: [
    '院内项目编码',
    '院内编码',
    '医院项目编码',
    '医院编码',
    '项目编码',
    '定点医药机构目录编号',
    'his_code',
    'his_item_code',
    'fixmedins_hilist_id',
  ],
  hisName: [
    '院内项目名称',
    '院内名称',
    '医院项目名称',
    '项目名称',
    '定点医药机构目录名称',
    'his_name',
    'his_item_name',
    'fixmedins_hilist_name',
  ],
  kind: ['项目类别', '类别', '项目类型', '目录类别', 'kind', 'list_type'],
  medListCode: ['医保目录编码', '医保编码', '国家医保编码', '医保项目编码', 'med_list_codg', 'med_list_code'],
  insurerName: ['医保目录名称', '医保项目名称', '医保名称', 'med_list_name', 'insurer_name'],
  validFrom: ['开始日期', '生效日期', '有效期开始', '开始时间', 'valid_from', 'begndate'],
  validTo: ['结束日期', '失效日期', '有效期结束', '结束时间', 'valid_to', 'enddate'],
};

/** The columns a file must have; the others may be absent. */
export const REQUIRED_FIELDS: readonly CatalogueField[] = ['hisCode', 'hisName', 'kind', 'medListCode'];

/** How each required field is named in the refusal (the first Chinese header). */
const FIELD_NAMES: Readonly<Record<CatalogueField, string>> = {
  hisCode: '院内项目编码',
  hisName: '院内项目名称',
  kind: '项目类别',
  medListCode: '医保目录编码',
  insurerName: '医保目录名称',
  validFrom: '开始日期',
  validTo: '结束日期',
};

function normalise(header: string): string {
  return header.toLowerCase().replace(/[\s_\-\u3000]/g, '');
}

const FIELD_BY_HEADER = new Map<string, CatalogueField>(
  (Object.entries(CATALOGUE_HEADERS) as Array<[CatalogueField, readonly string[]]>).flatMap(([field, names]) =>
    names.map((name) => [normalise(name), field] as [string, CatalogueField]),
  ),
);

export interface HeaderMatch {
  columns: CatalogueColumns;
  /** Header cells that name no field: their columns are not read. */
  ignored: string[];
}

/** Which column holds which field; refuses a missing required column or two columns for one field. */
export function matchHeaders(header: readonly string[]): HeaderMatch {
  const columns: CatalogueColumns = {};
  const ignored: string[] = [];
  header.forEach((cell, index) => {
    const field = FIELD_BY_HEADER.get(normalise(cell));
    if (!field) {
      if (cell !== '') {
        ignored.push(cell);
      }
      return;
    }
    const earlier = columns[field];
    if (earlier !== undefined) {
      throw SETTLEMENT_ERRORS.raise('CATALOGUE_HEADER_DUPLICATE', {
        message: SETTLEMENT_MESSAGES.headerDuplicate(header[earlier], cell),
      });
    }
    columns[field] = index;
  });
  const missing = REQUIRED_FIELDS.filter((f) => columns[f] === undefined);
  if (missing.length > 0) {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_HEADER_MISSING', {
      message: SETTLEMENT_MESSAGES.headerMissing(missing.map((f) => FIELD_NAMES[f])),
      details: missing.map((f) =>
        SETTLEMENT_ERRORS.detail('CATALOGUE_HEADER_MISSING', {
          field: f,
          message: `缺少“${FIELD_NAMES[f]}”列（也可写作 ${CATALOGUE_HEADERS[f].filter((n) => /^[a-z_]+$/.test(n)).join(' / ')}）`,
        }),
      ),
    });
  }
  return { columns, ignored };
}
