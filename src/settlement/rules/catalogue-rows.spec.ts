import { matchHeaders } from './catalogue-headers';
import { judgeCatalogueFile } from './catalogue-rows';

const HEADER = '院内项目编码,院内项目名称,项目类别,医保目录编码,医保目录名称,开始日期,结束日期';
const csv = (...rows: string[]): Buffer => Buffer.from([HEADER, ...rows].join('\r\n'), 'utf8');

describe('catalogue headers', () => {
  it('accepts Chinese, English and 3301 field names in any order, ignoring unknown columns', () => {
    expect(matchHeaders(['med_list_codg', 'HIS_CODE', '院内项目名称', 'Kind', '备注'])).toEqual({
      columns: { medListCode: 0, hisCode: 1, hisName: 2, kind: 3 },
      ignored: ['备注'],
    });
    expect(
      matchHeaders(['fixmedins_hilist_id', 'fixmedins_hilist_name', 'list_type', 'med_list_codg']).columns,
    ).toEqual({
      hisCode: 0,
      hisName: 1,
      kind: 2,
      medListCode: 3,
    });
  });

  it('refuses a missing required column by name, and two columns for one field', () => {
    expect(() => matchHeaders(['院内项目编码', '院内项目名称'])).toThrow(
      expect.objectContaining({
        code: 'CATALOGUE_HEADER_MISSING',
        userMessage: expect.stringContaining('项目类别、医保目录编码'),
      }) as Error,
    );
    expect(() => matchHeaders(['院内项目编码', 'his_code', '院内项目名称', '项目类别', '医保目录编码'])).toThrow(
      expect.objectContaining({ code: 'CATALOGUE_HEADER_DUPLICATE' }) as Error,
    );
  });
});

describe('catalogue rows', () => {
  it('keeps good rows, counts mapped and unmapped, and warns on unmapped and identical duplicates', () => {
    const judged = judgeCatalogueFile(
      csv(
        'YP001,阿莫西林胶囊,药品,xj01caa040a001010100001,阿莫西林,2026/1/1,',
        'ZL001,静脉输液,诊疗,001203000010000,静脉输液,,',
        'CL001,自费敷料,材料,,,,',
        'YP001,阿莫西林胶囊(重复),西药,XJ01CAA040A001010100001,,,',
      ),
    );
    expect(judged.items).toEqual([
      {
        row: 2,
        hisCode: 'YP001',
        hisName: '阿莫西林胶囊',
        kind: 'drug',
        medListCode: 'XJ01CAA040A001010100001',
        insurerName: '阿莫西林',
        validFrom: '2026-01-01',
        validTo: null,
      },
      expect.objectContaining({ row: 3, hisCode: 'ZL001', kind: 'service', medListCode: '001203000010000' }),
      expect.objectContaining({ row: 4, hisCode: 'CL001', kind: 'material', medListCode: null, insurerName: null }),
    ]);
    expect(judged.counts).toEqual({ read: 4, mapped: 2, unmapped: 1, duplicated: 1, malformed: 0 });
    expect(judged.problems).toEqual([
      { row: 4, code: 'CATALOGUE_ROW_UNMAPPED', severity: 'warning', hisCode: 'CL001', value: '' },
      {
        row: 5,
        code: 'CATALOGUE_ROW_DUPLICATE',
        severity: 'warning',
        hisCode: 'YP001',
        value: 'XJ01CAA040A001010100001',
        firstRow: 2,
      },
    ]);
    expect(judged).toMatchObject({ encoding: 'utf-8', delimiter: ',' });
  });

  it('names every malformed row and a duplicate with another target as errors, with row numbers', () => {
    const judged = judgeCatalogueFile(
      csv(
        'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010100001,,,',
        ',无编码,药品,XJ01CAA040A001010100002,,,',
        'YP002,,药材,1.10200001E+14,,,',
        'YP003,头孢,药品,XJ01DAA040A001010100001,,2026-12-01,2026-01-01',
        'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010109999,,,',
        'YP004,布洛芬,药品,XJ01,,,,多出来',
      ),
    );
    expect(judged.problems.map((p) => [p.row, p.code, p.severity])).toEqual([
      [3, 'CATALOGUE_ROW_HIS_CODE_INVALID', 'error'],
      [4, 'CATALOGUE_ROW_HIS_NAME_MISSING', 'error'],
      [4, 'CATALOGUE_ROW_KIND_UNKNOWN', 'error'],
      [4, 'CATALOGUE_ROW_MED_LIST_CODE_INVALID', 'error'],
      [5, 'CATALOGUE_ROW_DATE_INVALID', 'error'],
      [6, 'CATALOGUE_ROW_DUPLICATE_CONFLICT', 'error'],
      [7, 'CATALOGUE_ROW_EXTRA_CELLS', 'error'],
      [7, 'CATALOGUE_ROW_MED_LIST_CODE_INVALID', 'error'],
    ]);
    expect(judged.problems.find((p) => p.code === 'CATALOGUE_ROW_DUPLICATE_CONFLICT')).toMatchObject({
      hisCode: 'YP001',
      firstRow: 2,
    });
    expect(judged.counts).toEqual({ read: 6, mapped: 1, unmapped: 0, duplicated: 1, malformed: 4 });
  });

  it('warns when a code does not look like its kind, and reads a GBK file', () => {
    // 院内项目编码,院内项目名称,项目类别,医保目录编码 / ZL001,静脉输液,药品,001203000010000 — in GBK
    const gbk = Buffer.from(
      'd4bac4dacfeec4bfb1e0c2eb2cd4bac4dacfeec4bfc3fbb3c62ccfeec4bfc0e0b1f02cd2bdb1a3c4bfc2bcb1e0c2eb0d0a5a4c3030312cbeb2c2f6cae4d2ba2cd2a9c6b72c3030313230333030303031303030300d0a',
      'hex',
    );
    expect(judgeCatalogueFile(gbk).encoding).toBe('gb18030');
    expect(judgeCatalogueFile(gbk).problems).toEqual([
      expect.objectContaining({ row: 2, code: 'CATALOGUE_ROW_KIND_CODE_MISMATCH', severity: 'warning' }),
    ]);
  });
});
