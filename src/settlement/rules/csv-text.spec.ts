import { decodeCsvBytes, detectDelimiter, parseCsvRecords, readCsvTable } from './csv-text';

const GBK_HEADER = Buffer.from('d4bac4dacfeec4bfb1e0c2eb', 'hex'); // 院内项目编码 in GBK

describe('CSV text', () => {
  it('decodes UTF-8 with and without BOM, GBK/GB18030 and UTF-16 with BOM', () => {
    expect(decodeCsvBytes(Buffer.from('院内项目编码', 'utf8'))).toEqual({ text: '院内项目编码', encoding: 'utf-8' });
    expect(decodeCsvBytes(Buffer.concat([Buffer.from('efbbbf', 'hex'), Buffer.from('编码', 'utf8')]))).toEqual({
      text: '编码',
      encoding: 'utf-8-bom',
    });
    expect(decodeCsvBytes(GBK_HEADER)).toEqual({ text: '院内项目编码', encoding: 'gb18030' });
    expect(decodeCsvBytes(Buffer.concat([Buffer.from('fffe', 'hex'), Buffer.from('编码', 'utf16le')]))).toEqual({
      text: '编码',
      encoding: 'utf-16le',
    });
  });

  it('refuses a spreadsheet (xlsx, xls) and binary content as not CSV', () => {
    for (const bytes of [
      Buffer.from('504b030414000600', 'hex'),
      Buffer.from('d0cf11e0a1b11ae10000', 'hex'),
      Buffer.from('abc\u0000def'),
    ]) {
      expect(() => decodeCsvBytes(bytes)).toThrow(expect.objectContaining({ code: 'CATALOGUE_FILE_NOT_CSV' }) as Error);
    }
  });

  it('reads quoted cells with commas, quotes and line breaks; numbers rows as Excel does', () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n\n  w , ="00123" \n';
    expect(parseCsvRecords(text, ',')).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 2, cells: ['x, y', 'say "hi"'] },
      { row: 3, cells: ['two\nlines', 'z'] },
      { row: 4, cells: [''] },
      { row: 5, cells: ['w', '00123'] },
    ]);
  });

  it('detects a tab-separated file (Excel Unicode text) and refuses an unterminated quote with its row', () => {
    expect(detectDelimiter('院内项目编码\t项目名称\t备注, 说明\nx')).toBe('\t');
    expect(detectDelimiter('a,b\tc,d')).toBe(',');
    expect(() => parseCsvRecords('a,b\nc,"d\ne,f\n', ',')).toThrow(
      expect.objectContaining({
        code: 'CATALOGUE_FILE_UNREADABLE',
        userMessage: expect.stringContaining('第 2 行'),
      }) as Error,
    );
  });

  it('takes the first non-blank record as the header and refuses a file without data rows', () => {
    const table = readCsvTable(Buffer.from('\n\nh1,h2\n\n1,2\n'));
    expect(table.header).toEqual({ row: 3, cells: ['h1', 'h2'] });
    expect(table.records).toEqual([{ row: 5, cells: ['1', '2'] }]);
    for (const bytes of [Buffer.alloc(0), Buffer.from('h1,h2\n\n')]) {
      expect(() => readCsvTable(bytes)).toThrow(expect.objectContaining({ code: 'CATALOGUE_FILE_EMPTY' }) as Error);
    }
  });
});
