import { existsSync, readFileSync } from 'node:fs';

import fc from 'fast-check';

import {
  type AnnexParseResult,
  normalizeCellText,
  parseAnnexVersion,
  parseInstitutionAnnexes,
  splitPhoneNumbers,
} from './annex-parser';
import { agreementSourcePath } from './agreement-source';
import { checkCreditCode } from './credit-code';
import type { ImportWarning, Institution, InstitutionKind } from './institution';

const SEED_PATH = agreementSourcePath();

/** The seed is carried in the repository; a missing seed must fail loudly, not skip the checks. */
function readSeed(): string {
  if (!existsSync(SEED_PATH)) {
    throw new Error(`Seed ${SEED_PATH} not found: it is part of the repository (config/reference/source/)`);
  }
  return readFileSync(SEED_PATH, 'utf8');
}

function find(result: AnnexParseResult, kind: InstitutionKind, seq: number): Institution | undefined {
  return result.institutions.find((institution) => institution.kind === kind && institution.seq === seq);
}

function ofKind(result: AnnexParseResult, kind: InstitutionKind): Institution[] {
  return result.institutions.filter((institution) => institution.kind === kind);
}

/** The warnings the data itself implies: failing credit codes and empty columns. */
function expectedWarnings(
  institutions: readonly Institution[],
): Array<Pick<ImportWarning, 'kind' | 'seq' | 'name' | 'code'>> {
  const expected: Array<Pick<ImportWarning, 'kind' | 'seq' | 'name' | 'code'>> = [];
  for (const institution of institutions) {
    const { kind, seq, name } = institution;
    const check = checkCreditCode(institution.creditCode);
    if (!check.valid) {
      expected.push({
        kind,
        seq,
        name,
        code: check.reason === 'malformed' ? 'CREDIT_CODE_MALFORMED' : 'CREDIT_CODE_CHECKSUM',
      });
    }
    const optional: unknown[] =
      kind === 'assistive-device'
        ? [institution.address, institution.phones]
        : [
            institution.grade,
            institution.address,
            institution.phones,
            institution.ownership,
            institution.insurerOffice,
            institution.insurerOfficePhones,
          ];
    for (const value of optional) {
      if (value === null || (Array.isArray(value) && value.length === 0)) {
        expected.push({ kind, seq, name, code: 'MISSING_FIELD' });
      }
    }
  }
  return expected;
}

function sortKey(w: Pick<ImportWarning, 'kind' | 'seq' | 'code'>): string {
  return `${w.kind}/${String(w.seq).padStart(3, '0')}/${w.code}`;
}

describe(parseInstitutionAnnexes.name, () => {
  describe('on the real seed', () => {
    let result: AnnexParseResult;

    beforeAll(() => {
      result = parseInstitutionAnnexes(readSeed());
    });

    it('finds 74 medical, 14 rehab and 5 assistive-device institutions', () => {
      expect(ofKind(result, 'medical')).toHaveLength(74);
      expect(ofKind(result, 'rehab')).toHaveLength(14);
      expect(ofKind(result, 'assistive-device')).toHaveLength(5);
      expect(result.institutions).toHaveLength(93);
    });

    it('numbers each annex 1..N without gaps', () => {
      for (const kind of ['medical', 'rehab', 'assistive-device'] as const) {
        const seqs = ofKind(result, kind).map((institution) => institution.seq);
        expect(seqs).toEqual(seqs.map((_, index) => index + 1));
      }
    });

    it('gives every row a Ningxia region code, a name and a credit code', () => {
      for (const institution of result.institutions) {
        expect(institution.regionCode).toMatch(/^64\d{4}$/);
        expect(institution.name).not.toBe('');
        expect(institution.creditCode).not.toBe('');
        expect(institution.city).not.toBe('');
      }
    });

    it('leaves no stray whitespace in text fields', () => {
      for (const institution of result.institutions) {
        const texts = [
          institution.city,
          institution.name,
          institution.address,
          institution.insurerOffice,
          institution.creditCode,
        ];
        for (const text of texts) {
          expect(text ?? '').not.toMatch(/\s/);
        }
      }
    });

    it('takes the version from the annex titles', () => {
      expect(result.version).toBe('2026-03');
    });

    it('parses the first medical row', () => {
      expect(find(result, 'medical', 1)).toEqual({
        kind: 'medical',
        seq: 1,
        city: '宁夏银川市',
        regionCode: '640104',
        name: '银川市第一人民医院',
        grade: '三级甲等',
        creditCode: '12640100454040971K',
        address: '银川市兴庆区利群西街2号',
        phones: ['0951-6997018'],
        ownership: '公立',
        insurerOffice: '银川市社会保险事业管理中心',
        insurerOfficePhones: ['0951-5555107'],
      });
    });

    it('parses the last medical row', () => {
      expect(find(result, 'medical', 74)).toEqual({
        kind: 'medical',
        seq: 74,
        city: '中卫市海原县',
        regionCode: '640522',
        name: '宁夏人民医院宁南医院',
        grade: '三级乙等',
        creditCode: '1264000045400281XQ',
        address: '海原县开发区丽景街与仁和路交汇处南150米',
        phones: ['0955-4626111'],
        ownership: '公立',
        insurerOffice: '海原县社会保险事业管理中心',
        insurerOfficePhones: ['0955-4014163'],
      });
    });

    it('keeps a malformed credit code as printed (附件4 #8)', () => {
      expect(find(result, 'medical', 8)).toMatchObject({
        name: '中国人民解放军联勤保障部队第九四二医院(原解放军第五医院)',
        creditCode: 'A1100000MK0054/7650',
      });
    });

    it('removes spaces from addresses and splits shorthand and extension phone numbers', () => {
      expect(find(result, 'medical', 10)?.address).toBe('银川市兴庆区胜利南街804号');
      expect(find(result, 'medical', 18)?.address).toBe('银川市兴庆区永安南巷水木清苑住宅小区15-A座');
      expect(find(result, 'medical', 62)?.address).toBe('隆德县312国道北侧');
      expect(find(result, 'medical', 7)?.phones).toEqual(['0951-4078114转38320']);
      expect(find(result, 'medical', 14)?.phones).toEqual(['0951-8234268', '0951-8234278']);
      expect(find(result, 'medical', 40)?.phones).toEqual(['0952-6626800-8816']);
    });

    it('trims cities printed with surrounding spaces (附件4 #23, #28)', () => {
      expect(find(result, 'medical', 23)?.city).toBe('银川市贺兰县');
      expect(find(result, 'medical', 28)).toMatchObject({ city: '宁东管委会辖区', regionCode: '640191' });
    });

    it('trims a credit code printed with a trailing space (附件4 #32)', () => {
      expect(find(result, 'medical', 32)?.creditCode).toBe('12640000454500093H');
    });

    it('joins the insurer office wrapped over a blank line (附件5 #1)', () => {
      expect(find(result, 'rehab', 1)).toEqual({
        kind: 'rehab',
        seq: 1,
        city: '宁夏银川市',
        regionCode: '640105',
        name: '宁夏回族自治区中西医结合医院',
        grade: '三级甲等',
        creditCode: '12640000H37306859M',
        address: '银川市西夏区怀远东路499号',
        phones: ['0951-3927494'],
        ownership: '公立',
        insurerOffice: '银川市社会保险事业管理中心',
        insurerOfficePhones: ['0951-5555107'],
      });
    });

    it('keeps the failing credit code of 附件5 #6', () => {
      expect(find(result, 'rehab', 6)).toMatchObject({
        name: '宁夏回族自治区工人疗养院',
        grade: '二级医院',
        creditCode: '12640000454003273X',
        address: '银川市金凤区亲水北街585号',
        phones: ['13895323031'],
      });
    });

    it('turns the em dash in 0952—2650318 into a hyphen (附件5 #7)', () => {
      expect(find(result, 'rehab', 7)).toMatchObject({
        regionCode: '640200',
        name: '石嘴山市第一人民医院',
        insurerOfficePhones: ['0952-2650318'],
      });
    });

    it('parses the last rehab row', () => {
      expect(find(result, 'rehab', 14)).toEqual({
        kind: 'rehab',
        seq: 14,
        city: '宁夏中卫市',
        regionCode: '640500',
        name: '中卫市中医院',
        grade: '三级甲等',
        creditCode: '126423004547703330',
        address: '沙坡头区宁钢大道以西、惠丰路与丰安路交汇处',
        phones: ['0955-6559130'],
        ownership: '公立',
        insurerOffice: '中卫市社会保险事业管理中心',
        insurerOfficePhones: ['0955-8597698'],
      });
    });

    it('parses the first assistive-device row: stray space in the name, two phones over two lines', () => {
      expect(find(result, 'assistive-device', 1)).toEqual({
        kind: 'assistive-device',
        seq: 1,
        city: '宁夏银川市',
        regionCode: '640105',
        name: '银川友善假肢矫形器有限公司',
        grade: null,
        creditCode: '91640100694347569Q',
        address: '银川市兴庆区贺兰山东路众一物流企业展馆二楼（贺兰山路和德源街交叉口西南100米农行对面）',
        phones: ['0951-8949795', '13995407569'],
        ownership: null,
        insurerOffice: null,
        insurerOfficePhones: [],
      });
    });

    it('parses 附件6 #2 with both phones and its address', () => {
      expect(find(result, 'assistive-device', 2)).toMatchObject({
        name: '德林义肢康复器材（成都）有限公司银川分公司',
        creditCode: '91640000694316797D',
        phones: ['0951-5061336', '13995385178'],
        address: '银川市兴庆区宝湖路与胜利街交会东北侧（金茂花园5#楼5层A座）',
      });
    });

    it('removes the stray spaces of 附件6 #4', () => {
      expect(find(result, 'assistive-device', 4)).toMatchObject({
        name: '宁夏康复假肢矫形器有限公司',
        address: '银川市金凤区苏商总部园C座四层(正源南街与六盘山中路交叉口)',
        phones: ['0951-5048410', '13895110872'],
      });
    });

    it('parses the last assistive-device row with a single phone', () => {
      expect(find(result, 'assistive-device', 5)).toEqual({
        kind: 'assistive-device',
        seq: 5,
        city: '宁夏银川市',
        regionCode: '640104',
        name: '宁夏康悦康复辅具服务有限责任公司',
        grade: null,
        creditCode: '91640100MAE1L7JQ0A',
        address: '银川市金凤区黄河路创新园29号楼F6号办公楼',
        phones: ['15121972915'],
        ownership: null,
        insurerOffice: null,
        insurerOfficePhones: [],
      });
    });

    it('names the row in every warning', () => {
      for (const warning of result.warnings) {
        expect(warning.seq).not.toBeNull();
        expect(warning.name).not.toBeNull();
        expect(find(result, warning.kind, warning.seq ?? -1)?.name).toBe(warning.name);
      }
    });

    it('warns exactly about the failing credit codes and the missing fields', () => {
      const actual = result.warnings.map(({ kind, seq, name, code }) => ({ kind, seq, name, code }));
      const expected = expectedWarnings(result.institutions);
      expect([...actual].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
        [...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
      );
    });

    it('reports the two bad credit codes of the 2026 edition', () => {
      expect(result.warnings).toEqual([
        expect.objectContaining({
          kind: 'medical',
          seq: 8,
          code: 'CREDIT_CODE_MALFORMED',
          message: expect.stringContaining('A1100000MK0054/7650') as unknown,
        }),
        expect.objectContaining({
          kind: 'rehab',
          seq: 6,
          name: '宁夏回族自治区工人疗养院',
          code: 'CREDIT_CODE_CHECKSUM',
          message: expect.stringContaining('expected check character K') as unknown,
        }),
      ]);
    });
  });

  describe('on synthetic input', () => {
    const MEDICAL_HEADER = [
      '序号',
      '地市名称',
      '行政区划代码',
      '协议医疗机构名称',
      '医疗\n等级',
      '统一社会信用代码',
      '地      址',
      '联系电话',
      '医院属性',
      '属地经\n办机构',
      '经办机构联系电话',
    ];
    const DEVICE_HEADER = [
      '序号',
      '地市\n\n名称',
      '行政区\n划代码',
      '协议机构名称',
      '统一社会信用代码',
      '联系电话',
      '地址',
    ];

    function medicalRow(seq: number, name: string): string[] {
      return [
        String(seq),
        '宁夏银川市',
        '640104',
        name,
        '三级甲等',
        '12640100454040971K',
        '银川市兴庆区利群西街2号',
        '0951-6997018',
        '公立',
        '银川市社会保险事业\n\n管理中心',
        '0951-5555107',
      ];
    }

    /** Renders a table the way the seed does: one TAB-led line per cell, blank line between rows. */
    function annex(number: number, title: string, header: string[], rows: string[][]): string {
      const table = [header, ...rows].map((cells) => cells.map((cell) => `\t${cell}`).join('\n')).join('\n\n');
      return `\t附件${number}\n\n${title}\n\n${table}\n\n`;
    }

    function fullText(medicalRows: string[][], deviceRows: string[][] = []): string {
      return [
        '正文……',
        annex(4, '宁夏工伤保险协议医疗机构基础信息情况表（2026年3月）', MEDICAL_HEADER, medicalRows),
        annex(5, '宁夏工伤保险协议康复机构基础信息情况表（2026年3月）', MEDICAL_HEADER, [medicalRow(1, '康复医院')]),
        annex(6, '宁夏工伤保险协议辅助器具机构基础信息情况表（2026年3月）', DEVICE_HEADER, deviceRows),
      ].join('\n');
    }

    const deviceRow = (seq: number): string[] => [
      String(seq),
      '宁夏银川市',
      '640104',
      `辅具公司${seq}`,
      '91640100MAE1L7JQ0A',
      '0951-5061336\n13995385178',
      '银川市金凤区黄河路1号',
    ];

    it('parses a clean synthetic table without warnings', () => {
      const result = parseInstitutionAnnexes(
        fullText([medicalRow(1, '甲医院'), medicalRow(2, '乙医院')], [deviceRow(1)]),
      );
      expect(result.warnings).toEqual([]);
      expect(result.institutions.map((institution) => `${institution.kind}#${institution.seq}`)).toEqual([
        'medical#1',
        'medical#2',
        'rehab#1',
        'assistive-device#1',
      ]);
      expect(find(result, 'medical', 2)?.insurerOffice).toBe('银川市社会保险事业管理中心');
      expect(find(result, 'assistive-device', 1)?.phones).toEqual(['0951-5061336', '13995385178']);
    });

    it('reports an odd line between rows as UNPARSED_LINE and keeps both rows', () => {
      const text = fullText([medicalRow(1, '甲医院'), medicalRow(2, '乙医院')], [deviceRow(1)]).replace(
        '\t0951-5555107\n\n\t2',
        '\t0951-5555107\n\n注：以上信息由各地报送\n\n\t2',
      );
      const result = parseInstitutionAnnexes(text);
      expect(ofKind(result, 'medical')).toHaveLength(2);
      expect(find(result, 'medical', 1)?.insurerOfficePhones).toEqual(['0951-5555107']);
      expect(result.warnings).toEqual([
        expect.objectContaining({
          kind: 'medical',
          seq: 1,
          name: '甲医院',
          code: 'UNPARSED_LINE',
          message: expect.stringContaining('注：以上信息由各地报送') as unknown,
        }),
      ]);
    });

    it.each([
      ['a TAB-led stray cell', '\n\t备注\n'],
      ['a footnote after a blank line', '\n\n注：辅具机构名单动态调整\n'],
    ])('reports %s after the last row as UNPARSED_LINE', (_label, tail) => {
      const text = fullText([medicalRow(1, '甲医院')], [deviceRow(1)]).replace(/\n*$/, tail);
      const result = parseInstitutionAnnexes(text);
      expect(find(result, 'assistive-device', 1)?.address).toBe('银川市金凤区黄河路1号');
      expect(result.warnings.map((warning) => [warning.kind, warning.seq, warning.name, warning.code])).toEqual([
        ['assistive-device', 1, '辅具公司1', 'UNPARSED_LINE'],
      ]);
    });

    it('reports missing cells as MISSING_FIELD without shifting the other cells', () => {
      const noPhoneNoAddress = deviceRow(2).slice(0, 5);
      const noPhone = [...deviceRow(3).slice(0, 5), deviceRow(3)[6]];
      const medicalWithoutGrade = medicalRow(1, '甲医院').filter((_, index) => index !== 4);
      const result = parseInstitutionAnnexes(
        fullText([medicalWithoutGrade], [deviceRow(1), noPhoneNoAddress, noPhone]),
      );

      expect(find(result, 'assistive-device', 2)).toMatchObject({ phones: [], address: null, name: '辅具公司2' });
      expect(find(result, 'assistive-device', 3)).toMatchObject({ phones: [], address: '银川市金凤区黄河路1号' });
      expect(find(result, 'medical', 1)).toMatchObject({ grade: null, creditCode: '12640100454040971K' });
      expect(
        result.warnings.map(
          (warning) => `${warning.kind}#${warning.seq} ${warning.name} ${warning.code} ${warning.message}`,
        ),
      ).toEqual([
        'medical#1 甲医院 MISSING_FIELD missing 医疗等级 (grade)',
        'assistive-device#2 辅具公司2 MISSING_FIELD missing 联系电话 (phones)',
        'assistive-device#2 辅具公司2 MISSING_FIELD missing 地址 (address)',
        'assistive-device#3 辅具公司3 MISSING_FIELD missing 联系电话 (phones)',
      ]);
    });

    it('reports an empty cell as MISSING_FIELD', () => {
      const row = medicalRow(1, '甲医院');
      row[8] = '';
      const result = parseInstitutionAnnexes(fullText([row], [deviceRow(1)]));
      expect(find(result, 'medical', 1)?.ownership).toBeNull();
      expect(result.warnings).toEqual([
        expect.objectContaining({ seq: 1, code: 'MISSING_FIELD', message: 'empty 医院属性 (ownership)' }),
      ]);
    });

    it('still finds a row whose 序号 line lost its TAB', () => {
      const text = fullText([medicalRow(1, '甲医院'), medicalRow(2, '乙医院')], [deviceRow(1)]).replace(
        '\n\t2\n',
        '\n2\n',
      );
      const result = parseInstitutionAnnexes(text);
      expect(find(result, 'medical', 2)?.name).toBe('乙医院');
      expect(find(result, 'medical', 1)?.insurerOfficePhones).toEqual(['0951-5555107']);
      expect(result.warnings).toEqual([]);
    });

    it('keeps a row with a misprinted region code and warns about it', () => {
      const row = medicalRow(2, '乙医院');
      row[2] = '64010';
      const result = parseInstitutionAnnexes(fullText([medicalRow(1, '甲医院'), row], [deviceRow(1)]));
      expect(ofKind(result, 'medical').map((institution) => institution.name)).toEqual(['甲医院', '乙医院']);
      expect(find(result, 'medical', 2)?.regionCode).toBe('64010');
      expect(result.warnings).toEqual([
        expect.objectContaining({ kind: 'medical', seq: 2, name: '乙医院', code: 'REGION_CODE_MALFORMED' }),
      ]);
    });

    it('reports a gap in the numbering', () => {
      const result = parseInstitutionAnnexes(
        fullText([medicalRow(1, '甲医院'), medicalRow(3, '丙医院')], [deviceRow(1)]),
      );
      expect(result.warnings).toEqual([expect.objectContaining({ kind: 'medical', seq: 3, code: 'SEQUENCE' })]);
    });

    it('reports missing annexes and an absent version instead of throwing', () => {
      const result = parseInstitutionAnnexes(annex(4, '协议医疗机构表', MEDICAL_HEADER, [medicalRow(1, '甲医院')]));
      expect(result.institutions).toHaveLength(1);
      expect(result.version).toBeNull();
      expect(result.warnings.map((warning) => [warning.kind, warning.code])).toEqual([
        ['medical', 'VERSION_MISSING'],
        ['rehab', 'ANNEX_MISSING'],
        ['assistive-device', 'ANNEX_MISSING'],
      ]);
    });

    it('falls back to the 2026 layout when a header is not understood', () => {
      const result = parseInstitutionAnnexes(fullText([medicalRow(1, '甲医院')], [deviceRow(1)]));
      const odd = parseInstitutionAnnexes(
        fullText([medicalRow(1, '甲医院')], [deviceRow(1)]).replace('\t医院属性', '\t备用列'),
      );
      expect(odd.institutions).toEqual(result.institutions);
      expect(odd.warnings).toEqual([
        expect.objectContaining({ kind: 'medical', seq: null, code: 'HEADER_UNRECOGNISED' }),
      ]);
    });

    it('never throws on random text', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
          const result = parseInstitutionAnnexes(text);
          expect(Array.isArray(result.institutions)).toBe(true);
        }),
      );
    });

    it('never throws on random arrangements of table-like lines', () => {
      const line = fc.oneof(
        fc.constantFrom('附件4', '附件5', '\t附件6', '', '\t', '\t1', '\t2', '\t640104', '\t宁夏银川市', '管理中心'),
        fc.constantFrom(
          '\t12640000454003273X',
          '\tA1100000MK0054/7650',
          '\t0951-5555107',
          '13995407569',
          '（2026年3月）',
        ),
        fc.constantFrom('\t序号', '\t联系电话', '\t地址', '\t经办机构联系电话', '\t统一社会信用代码', '\t医疗', '等级'),
        fc.string({ maxLength: 12 }).map((text) => `\t${text}`),
        fc.string({ maxLength: 12 }),
      );
      fc.assert(
        fc.property(fc.array(line, { maxLength: 120 }), (lines) => {
          const result = parseInstitutionAnnexes(lines.join('\n'));
          for (const warning of result.warnings) {
            expect(typeof warning.message).toBe('string');
          }
          for (const institution of result.institutions) {
            expect(Number.isInteger(institution.seq)).toBe(true);
          }
        }),
      );
    });
  });
});

describe(parseAnnexVersion.name, () => {
  it.each([
    ['宁夏工伤保险协议医疗机构基础信息情况表（2026年3月）', '2026-03'],
    ['情况表(2025年12月)', '2025-12'],
    ['情况表（ 2026 年 3 月 ）', '2026-03'],
    ['情况表', null],
    ['情况表（2026年13月）', null],
  ])('%s → %s', (title, version) => {
    expect(parseAnnexVersion(title)).toBe(version);
  });
});

describe(normalizeCellText.name, () => {
  it.each([
    ['银川友善假肢矫形器有限 公司', '银川友善假肢矫形器有限公司'],
    ['银川市兴庆区胜利南街 804 号', '银川市兴庆区胜利南街804号'],
    ['苏商总部园 C 座四层', '苏商总部园C座四层'],
    ['  银川市贺兰县 ', '银川市贺兰县'],
    ['银川市社会保险事业 管理中心', '银川市社会保险事业管理中心'],
    ['Room 3  B', 'Room 3 B'],
    ['小区 15-A 座', '小区15-A座'],
  ])('%s → %s', (input, output) => {
    expect(normalizeCellText(input)).toBe(output);
  });
});

describe(splitPhoneNumbers.name, () => {
  it.each<[string[], string[]]>([
    [
      ['0951-8949795', '13995407569'],
      ['0951-8949795', '13995407569'],
    ],
    [['0951-8234268/8234278'], ['0951-8234268', '0951-8234278']],
    [['0952—2650318'], ['0952-2650318']],
    [['0951-4078114转38320'], ['0951-4078114转38320']],
    [['0952-6626800-8816'], ['0952-6626800-8816']],
    [['0953-1234567、 13800000000'], ['0953-1234567', '13800000000']],
    [[], []],
  ])('%j → %j', (input, output) => {
    expect(splitPhoneNumbers(input)).toEqual(output);
  });
});
