import writeXlsxFile from 'write-excel-file/node';
import { readCatalogueTable } from './catalogue-spreadsheet';
import { judgeCatalogueTable } from './rules/catalogue-rows';

type Cell = string | number | Date | null;
const workbook = (rows: Cell[][]): Promise<Buffer> =>
  writeXlsxFile(
    rows.map((row) =>
      row.map((value) => (value === null ? null : value instanceof Date ? { value, format: 'yyyy-mm-dd' } : { value })),
    ),
  ).toBuffer();

const HEADER = ['院内项目编码', '院内项目名称', '项目类别', '医保目录编码', '医保目录名称', '开始日期'];

describe('reading a mapping workbook (.xlsx)', () => {
  it('reads the first sheet as text cells: numeric codes keep their digits, dates become YYYY-MM-DD', async () => {
    const bytes = await workbook([
      HEADER,
      ['YP001', '阿莫西林胶囊', '药品', 'XJ01CAA040A001010100001', '阿莫西林', new Date(Date.UTC(2026, 0, 1))],
      [null, null, null, null, null, null],
      [110100001, '一般诊疗费', '诊疗', 110100001001, '一般诊疗费', null],
    ]);
    const table = await readCatalogueTable(bytes);
    expect(table).toMatchObject({ encoding: 'xlsx', delimiter: 'sheet', header: { row: 1, cells: HEADER } });
    expect(table.records).toEqual([
      {
        row: 2,
        cells: ['YP001', '阿莫西林胶囊', '药品', 'XJ01CAA040A001010100001', '阿莫西林', '2026-01-01'],
      },
      // The blank row 3 is skipped; Excel's row numbers stay.
      { row: 4, cells: ['110100001', '一般诊疗费', '诊疗', '110100001001', '一般诊疗费', ''] },
    ]);
    const judged = judgeCatalogueTable(table);
    expect(judged.items.map((i) => [i.hisCode, i.kind, i.medListCode, i.validFrom])).toEqual([
      ['YP001', 'drug', 'XJ01CAA040A001010100001', '2026-01-01'],
      ['110100001', 'service', '110100001001', null],
    ]);
  });

  it('reads CSV as before when the file is not a workbook', async () => {
    const table = await readCatalogueTable(Buffer.from(`${HEADER.join(',')}\nYP001,阿莫西林,药品,,,\n`));
    expect(table).toMatchObject({ encoding: 'utf-8', delimiter: ',' });
  });

  it('refuses a damaged workbook, a header-only sheet and an old .xls, saying what to do', async () => {
    const good = await workbook([HEADER, ['YP001', '阿莫西林胶囊', '药品', null, null, null]]);
    await expect(readCatalogueTable(good.subarray(0, 200))).rejects.toMatchObject({
      code: 'CATALOGUE_FILE_UNREADABLE',
      userMessage: expect.stringContaining('.xlsx'),
    });
    await expect(readCatalogueTable(await workbook([HEADER]))).rejects.toMatchObject({ code: 'CATALOGUE_FILE_EMPTY' });
    const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(64)]);
    await expect(readCatalogueTable(xls)).rejects.toMatchObject({ code: 'CATALOGUE_FILE_NOT_CSV' });
  });
});
