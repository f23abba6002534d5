/**
 * Parser for Annexes 4–6 of the 2026 agreement templates (the lists of
 * agreement institutions), as plain text extracted from the Word tables.
 *
 * Shape of the source, which the design below follows:
 * - each annex starts with a line `附件N`, then a title line carrying the
 *   version, e.g. `宁夏工伤保险协议医疗机构基础信息情况表（2026年3月）`;
 * - every table cell starts on a new line that begins with a TAB; a cell that
 *   wraps continues on following lines WITHOUT a leading TAB, possibly after a
 *   blank line (`\t银川市社会保险事业` / `` / `管理中心`);
 * - the first cells are the column headers, which differ by annex;
 * - a row starts with its 序号, then the city cell, then a 6-digit region code.
 *
 * The parser is pure and never throws on odd input: anything it cannot place
 * becomes an {@link ImportWarning} naming the row, and rows are never dropped.
 */
import { CREDIT_CODE_ALPHABET, CREDIT_CODE_LENGTH, checkCreditCode } from './credit-code';
import {
  ANNEX_NUMBER_BY_KIND,
  INSTITUTION_KINDS,
  type ImportWarning,
  type ImportWarningCode,
  type Institution,
  type InstitutionKind,
} from './institution';

export interface AnnexParseResult {
  institutions: Institution[];
  warnings: ImportWarning[];
  /** Version from the annex titles (e.g. `2026-03`), or null when no title carries one. */
  version: string | null;
}

/** A table column, named after the {@link Institution} property it fills. */
type Field = Exclude<keyof Institution, 'kind'>;

const FIELD_LABELS: Readonly<Record<Field, string>> = {
  seq: '序号',
  city: '地市名称',
  regionCode: '行政区划代码',
  name: '协议机构名称',
  grade: '医疗等级',
  creditCode: '统一社会信用代码',
  address: '地址',
  phones: '联系电话',
  ownership: '医院属性',
  insurerOffice: '经办机构',
  insurerOfficePhones: '经办机构联系电话',
};

/** Columns every annex must have; without them a row cannot be identified. */
const REQUIRED_FIELDS: readonly Field[] = ['seq', 'city', 'regionCode', 'name', 'creditCode'];

/** The medical and rehabilitation annexes share one layout. */
const HOSPITAL_COLUMNS: readonly Field[] = [
  'seq',
  'city',
  'regionCode',
  'name',
  'grade',
  'creditCode',
  'address',
  'phones',
  'ownership',
  'insurerOffice',
  'insurerOfficePhones',
];

/** Column layouts as printed in the 2026 edition, used only if a header cannot be read. */
const DEFAULT_COLUMNS: Readonly<Record<InstitutionKind, readonly Field[]>> = {
  medical: HOSPITAL_COLUMNS,
  rehab: HOSPITAL_COLUMNS,
  'assistive-device': ['seq', 'city', 'regionCode', 'name', 'creditCode', 'phones', 'address'],
};

const PHONE_FIELDS: ReadonlySet<Field> = new Set<Field>(['phones', 'insurerOfficePhones']);

const ANNEX_MARKER = /^\s*附件\s*(\d+)\s*$/;
const VERSION_IN_TITLE = /[（(]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*[）)]/;
const SEQ_TEXT = /^\d{1,4}$/;
const REGION_CODE_TEXT = /^\d{6}$/;
/** A cell starts on a line whose first non-space character is a TAB. */
const CELL_START = /^[ \u3000]*\t/;
/** Hyphen look-alikes that Word puts into phone numbers (em dash in 0952—2650318). */
const DASH_VARIANTS = /[\u2010-\u2015\u2212\uFF0D]/g;

// ---------------------------------------------------------------------------
// Public helpers

/**
 * Derives the dataset version from an annex title: `…情况表（2026年3月）` →
 * `2026-03`. Returns null when the title carries no (valid) year and month.
 */
export function parseAnnexVersion(title: string): string | null {
  const match = VERSION_IN_TITLE.exec(title);
  if (!match) {
    return null;
  }
  const month = Number(match[2]);
  if (month < 1 || month > 12) {
    return null;
  }
  return `${match[1]}-${String(month).padStart(2, '0')}`;
}

/**
 * Normalises the text of a cell. Whitespace runs collapse to one space, and a
 * space is then kept only when it separates two ASCII letters/digits. Chinese
 * text is written without spaces, so a space next to a Chinese character (or
 * next to punctuation) is an artefact of the PDF/Word conversion:
 * `银川友善假肢矫形器有限 公司` → `银川友善假肢矫形器有限公司`,
 * `胜利南街 804 号` → `胜利南街804号`, `苏商总部园 C 座` → `苏商总部园C座`.
 * A space between two Latin words or numbers (`Room 3`) would still be kept.
 */
export function normalizeCellText(text: string): string {
  const collapsed = text.replace(/\s+/gu, ' ').trim();
  return collapsed.replace(/ /g, (space: string, offset: number) =>
    isAsciiAlnum(collapsed[offset - 1]) && isAsciiAlnum(collapsed[offset + 1]) ? space : '',
  );
}

/**
 * Splits a phone cell into separate numbers. Numbers are separated by line
 * breaks, `/`, `、`, commas, semicolons or spaces; dash look-alikes become `-`.
 * A bare local number after a number with an area code inherits that area code
 * (`0951-8234268/8234278` → `0951-8234268`, `0951-8234278`) so that every
 * entry can be dialled on its own. Extensions (`转38320`, `-8816`) stay attached.
 */
export function splitPhoneNumbers(fragments: readonly string[]): string[] {
  const phones: string[] = [];
  let areaCode: string | null = null;
  for (const fragment of fragments) {
    for (const raw of fragment.split(/[/、,，;；\s]+/u)) {
      const phone = raw.replace(DASH_VARIANTS, '-');
      if (phone === '') {
        continue;
      }
      const withArea = /^0\d{2,3}-/.exec(phone);
      if (withArea) {
        areaCode = withArea[0];
        phones.push(phone);
      } else if (areaCode !== null && /^[2-9]\d{6,7}$/.test(phone)) {
        phones.push(areaCode + phone);
      } else {
        phones.push(phone);
      }
    }
  }
  return phones;
}

// ---------------------------------------------------------------------------
// Entry point

export function parseInstitutionAnnexes(text: string): AnnexParseResult {
  const lines = splitLines(text);
  const warnings: ImportWarning[] = [];
  const institutions: Institution[] = [];
  const versions: Array<{ kind: InstitutionKind; version: string }> = [];
  const sections = locateAnnexSections(lines, warnings);

  for (const kind of INSTITUTION_KINDS) {
    const section = sections.get(kind);
    if (section === undefined) {
      warnings.push(sectionWarning(kind, 'ANNEX_MISSING', `附件${ANNEX_NUMBER_BY_KIND[kind]} not found in the text`));
      continue;
    }
    const parsed = parseSection(kind, section);
    institutions.push(...parsed.institutions);
    warnings.push(...parsed.warnings);
    if (parsed.version !== null) {
      versions.push({ kind, version: parsed.version });
    }
  }

  return { institutions, warnings, version: reconcileVersions(versions, warnings) };
}

// ---------------------------------------------------------------------------
// Sections

interface SourceLine {
  text: string;
  /** 1-based line number in the whole text, for warnings. */
  number: number;
}

const KIND_BY_ANNEX_NUMBER: ReadonlyMap<number, InstitutionKind> = new Map(
  INSTITUTION_KINDS.map((kind) => [ANNEX_NUMBER_BY_KIND[kind], kind]),
);

function splitLines(text: string): SourceLine[] {
  return text.split(/\r\n|\r|\n/).map((line, index) => ({ text: line, number: index + 1 }));
}

/**
 * Cuts the text into annexes at the `附件N` lines. Each annex runs until the
 * next marker of any number; only annexes 4–6 are returned. The agreement
 * body and Annexes 1–3 precede them and are ignored.
 */
function locateAnnexSections(lines: SourceLine[], warnings: ImportWarning[]): Map<InstitutionKind, SourceLine[]> {
  const markers: Array<{ annex: number; index: number }> = [];
  lines.forEach((line, index) => {
    const match = ANNEX_MARKER.exec(line.text);
    if (match) {
      markers.push({ annex: Number(match[1]), index });
    }
  });

  const sections = new Map<InstitutionKind, SourceLine[]>();
  markers.forEach((marker, i) => {
    const kind = KIND_BY_ANNEX_NUMBER.get(marker.annex);
    if (kind === undefined) {
      return;
    }
    const end = i + 1 < markers.length ? markers[i + 1].index : lines.length;
    if (sections.has(kind)) {
      // Keeping the first keeps the result deterministic; the warning makes sure
      // nobody loses the second copy's rows without noticing.
      warnings.push({
        ...sectionWarning(
          kind,
          'UNPARSED_LINE',
          `second 附件${marker.annex} marker; its ${end - marker.index - 1} lines were not parsed`,
        ),
        line: lines[marker.index].number,
      });
      return;
    }
    sections.set(kind, lines.slice(marker.index + 1, end));
  });
  return sections;
}

interface SectionResult {
  institutions: Institution[];
  warnings: ImportWarning[];
  version: string | null;
}

function parseSection(kind: InstitutionKind, lines: SourceLine[]): SectionResult {
  const warnings: ImportWarning[] = [];
  const { title, body } = takeTitle(lines);
  const version = title === null ? null : parseAnnexVersion(title.text);
  if (version === null) {
    warnings.push({
      ...sectionWarning(
        kind,
        'VERSION_MISSING',
        `no （YYYY年M月） version in the title ${quote(title?.text.trim() ?? '')}`,
      ),
      ...(title === null ? {} : { line: title.number }),
    });
  }

  const { cells, orphans } = tokenizeCells(body);
  for (const orphan of orphans) {
    warnings.push({
      ...sectionWarning(kind, 'UNPARSED_LINE', `line ${quote(orphan.text)} is not part of any table cell`),
      line: orphan.line,
    });
  }

  const starts = findRowStarts(cells);
  if (starts.length === 0) {
    warnings.push(sectionWarning(kind, 'ANNEX_EMPTY', `附件${ANNEX_NUMBER_BY_KIND[kind]} has no recognisable rows`));
    return { institutions: [], warnings, version };
  }

  const columns = resolveColumns(kind, cells.slice(0, starts[0]), warnings);
  const institutions: Institution[] = [];
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] : cells.length;
    const row = parseRow(kind, columns, cells.slice(start, end), institutions.length + 1);
    institutions.push(row.institution);
    warnings.push(...row.warnings);
  });
  warnings.push(...checkSequence(kind, institutions));
  return { institutions, warnings, version };
}

/** The title is the first non-blank line after the marker, unless the table starts straight away. */
function takeTitle(lines: SourceLine[]): { title: SourceLine | null; body: SourceLine[] } {
  const index = lines.findIndex((line) => line.text.trim() !== '');
  if (index === -1 || lines[index].text.trim() === FIELD_LABELS.seq) {
    return { title: null, body: lines };
  }
  return { title: lines[index], body: lines.slice(index + 1) };
}

function reconcileVersions(
  versions: ReadonlyArray<{ kind: InstitutionKind; version: string }>,
  warnings: ImportWarning[],
): string | null {
  if (versions.length === 0) {
    return null;
  }
  const first = versions[0];
  for (const other of versions.slice(1)) {
    if (other.version !== first.version) {
      warnings.push(
        sectionWarning(
          other.kind,
          'VERSION_MISMATCH',
          `title version ${other.version} differs from 附件${ANNEX_NUMBER_BY_KIND[first.kind]}'s ${first.version}; using ${first.version}`,
        ),
      );
    }
  }
  return first.version;
}

// ---------------------------------------------------------------------------
// Cells

interface Fragment {
  /** Trimmed text of one physical line of the cell. */
  text: string;
  line: number;
  /** Whether a blank line separates this fragment from the previous one. */
  afterBlank: boolean;
}

interface Cell {
  fragments: Fragment[];
}

function tokenizeCells(lines: SourceLine[]): { cells: Cell[]; orphans: Fragment[] } {
  const cells: Cell[] = [];
  const orphans: Fragment[] = [];
  let afterBlank = false;
  for (const line of lines) {
    if (CELL_START.test(line.text) || isStructuralAnchor(line.text)) {
      cells.push({ fragments: [{ text: line.text.trim(), line: line.number, afterBlank }] });
      afterBlank = false;
    } else if (line.text.trim() === '') {
      afterBlank = true;
    } else {
      const fragment = { text: line.text.trim(), line: line.number, afterBlank };
      const current = cells.at(-1);
      if (current === undefined) {
        orphans.push(fragment);
      } else {
        current.fragments.push(fragment);
      }
      afterBlank = false;
    }
  }
  return { cells, orphans };
}

/**
 * A bare 序号 or region code always starts a cell, TAB or not: a wrapped cell
 * never continues with a lone number, and losing the TAB before a 序号 would
 * otherwise merge two rows into one.
 */
function isStructuralAnchor(line: string): boolean {
  const text = line.trim();
  return SEQ_TEXT.test(text) || REGION_CODE_TEXT.test(text);
}

function cellText(cell: Cell): string {
  return cell.fragments.map((fragment) => fragment.text).join(' ');
}

/**
 * A row starts at a cell holding only a 序号, followed by a 6-digit region code
 * as the next-but-one cell (after the city) or, if the city cell is missing,
 * the next one. No other column holds a bare 1–4 digit number. If the region
 * code is misprinted, the expected next 序号 followed by a city name will do.
 */
function findRowStarts(cells: Cell[]): number[] {
  const starts: number[] = [];
  let previousSeq = 0;
  cells.forEach((cell, index) => {
    const text = cellText(cell);
    const previousStart = starts.at(-1);
    // The two cells after a row start are its own city and region code.
    if (!SEQ_TEXT.test(text) || (previousStart !== undefined && index - previousStart <= 2)) {
      return;
    }
    const followedByRegion = [1, 2].some((offset) => {
      const next = cells.at(index + offset);
      return next !== undefined && REGION_CODE_TEXT.test(cellText(next));
    });
    const city = cells.at(index + 1);
    const expectedSeqBeforeCity =
      Number(text) === previousSeq + 1 && city !== undefined && fieldFit('city', city) === 'yes';
    if (followedByRegion || expectedSeqBeforeCity) {
      starts.push(index);
      previousSeq = Number(text);
    }
  });
  return starts;
}

// ---------------------------------------------------------------------------
// Header

/** Maps a header label (whitespace removed) to its column; order matters, e.g. 经办机构联系电话 before 联系电话. */
function classifyHeader(label: string): Field | null {
  const rules: ReadonlyArray<[RegExp, Field]> = [
    [/序号/, 'seq'],
    [/经办.*电话/, 'insurerOfficePhones'],
    [/经办/, 'insurerOffice'],
    [/电话/, 'phones'],
    [/信用代码/, 'creditCode'],
    [/区划|区域代码/, 'regionCode'],
    [/地市|市县|城市/, 'city'],
    [/名称/, 'name'],
    [/等级/, 'grade'],
    [/属性|性质/, 'ownership'],
    [/地址/, 'address'],
  ];
  return rules.find(([pattern]) => pattern.test(label))?.[1] ?? null;
}

/**
 * Reads the column layout from the header cells. Falls back to the layout of
 * the 2026 edition, with a warning, when the header is absent, has a label we
 * do not know, repeats a column or lacks one that identifies a row.
 */
function resolveColumns(kind: InstitutionKind, headerCells: Cell[], warnings: ImportWarning[]): readonly Field[] {
  const labels = headerCells.map((cell) =>
    cell.fragments
      .map((fragment) => fragment.text)
      .join('')
      .replace(/\s+/gu, ''),
  );
  const fields = labels.map(classifyHeader);
  const known = fields.filter((field): field is Field => field !== null);
  const problem =
    labels.length === 0
      ? 'no header row'
      : known.length !== labels.length
        ? `unknown header ${labels
            .filter((_, i) => fields[i] === null)
            .map(quote)
            .join(', ')}`
        : new Set(known).size !== known.length
          ? 'a column appears twice'
          : REQUIRED_FIELDS.some((field) => !known.includes(field))
            ? `missing ${REQUIRED_FIELDS.filter((field) => !known.includes(field))
                .map((field) => FIELD_LABELS[field])
                .join(', ')}`
            : null;
  if (problem === null) {
    return known;
  }
  warnings.push({
    ...sectionWarning(
      kind,
      'HEADER_UNRECOGNISED',
      `${problem} in [${labels.join(' | ')}]; assuming the 2026 column layout`,
    ),
    ...(headerCells.length > 0 ? { line: headerCells[0].fragments[0].line } : {}),
  });
  return DEFAULT_COLUMNS[kind];
}

// ---------------------------------------------------------------------------
// Rows

type Fit = 'yes' | 'maybe' | 'no';

const FIT_SCORE: Readonly<Record<Fit, number>> = { yes: 1, maybe: 0, no: -0.5 };
/** Leaving a column empty or a cell unused costs more than any single misfit, so a full row maps 1:1. */
const SKIP_SCORE = -1;

const PHONE_LIKE = /^[0-9()（）+\-\u2010-\u2015\u2212\uFF0D转/、,，;；\s]+$/u;

function isPhoneLike(text: string): boolean {
  return PHONE_LIKE.test(text) && (text.match(/\d/g)?.length ?? 0) >= 5;
}

function isCreditCodeLike(text: string): boolean {
  const compact = text.replace(/\s+/gu, '');
  return /^[0-9A-Za-z/-]{15,22}$/.test(compact) && (compact.match(/\d/g)?.length ?? 0) >= 8;
}

/** How plausible it is that a cell belongs to a column; drives the alignment of rows with missing cells. */
function fieldFit(field: Field, cell: Cell): Fit {
  const text = cellText(cell);
  if (text === '') {
    return 'maybe';
  }
  const hasDigit = /\d/.test(text);
  switch (field) {
    case 'seq':
      return SEQ_TEXT.test(text) ? 'yes' : 'no';
    case 'regionCode':
      return REGION_CODE_TEXT.test(text) ? 'yes' : 'no';
    case 'creditCode':
      return isCreditCodeLike(text) ? 'yes' : 'no';
    case 'phones':
    case 'insurerOfficePhones':
      return cell.fragments.every((fragment) => isPhoneLike(fragment.text)) ? 'yes' : 'no';
    case 'city':
      return hasDigit ? 'no' : /宁夏|[市县区旗]$/.test(text) ? 'yes' : 'maybe';
    case 'grade':
      return /级|甲等|乙等|丙等|未评|未定/.test(text) ? 'yes' : hasDigit || text.length > 10 ? 'no' : 'maybe';
    case 'ownership':
      return /^(公立|私立|民营|民办|公办|国有|集体|非?营利性?|其他|其它)$/.test(text)
        ? 'yes'
        : hasDigit || text.length > 6
          ? 'no'
          : 'maybe';
    case 'insurerOffice':
      return /社会保险|社保|经办|服务中心|管理中心/.test(text) ? 'yes' : hasDigit ? 'no' : 'maybe';
    case 'name':
      return isPhoneLike(text) || isCreditCodeLike(text)
        ? 'no'
        : /医院|公司|中心|院|所|部/.test(text)
          ? 'yes'
          : 'maybe';
    case 'address':
      return isPhoneLike(text) || isCreditCodeLike(text)
        ? 'no'
        : /号|路|街|巷|镇|乡|村|大道|国道|交汇|交叉|交会|对面|以[东南西北]|楼|座/.test(text)
          ? 'yes'
          : 'maybe';
  }
}

interface Alignment {
  byField: Map<Field, Cell>;
  missing: Field[];
  extra: Cell[];
}

/**
 * Aligns a row's cells with the columns, keeping both in order (an edit-distance
 * style dynamic programme). A complete row maps one-to-one; when cells are
 * missing or superfluous, the alignment that makes the most cells look like
 * their column wins, so a missing phone does not shift the address into it.
 */
function alignCells(columns: readonly Field[], cells: readonly Cell[]): Alignment {
  type Move = 'match' | 'skipColumn' | 'skipCell';
  const m = columns.length;
  const n = cells.length;
  const score: number[][] = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(-Infinity));
  const move: Move[][] = Array.from({ length: m + 1 }, () => new Array<Move>(n + 1).fill('match'));
  score[0][0] = 0;
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      if (i === 0 && j === 0) {
        continue;
      }
      // Candidates in order of preference, so ties resolve towards matching.
      const candidates: Array<[number, Move]> = [];
      if (i > 0 && j > 0) {
        candidates.push([score[i - 1][j - 1] + FIT_SCORE[fieldFit(columns[i - 1], cells[j - 1])], 'match']);
      }
      if (i > 0) {
        candidates.push([score[i - 1][j] + SKIP_SCORE, 'skipColumn']);
      }
      if (j > 0) {
        candidates.push([score[i][j - 1] + SKIP_SCORE, 'skipCell']);
      }
      const [bestScore, bestMove] = candidates.reduce((best, candidate) => (candidate[0] > best[0] ? candidate : best));
      score[i][j] = bestScore;
      move[i][j] = bestMove;
    }
  }

  const alignment: Alignment = { byField: new Map(), missing: [], extra: [] };
  let i = m;
  let j = n;
  while (i > 0 || j > 0) {
    const step = move[i][j];
    if (step === 'match') {
      alignment.byField.set(columns[i - 1], cells[j - 1]);
      i--;
      j--;
    } else if (step === 'skipColumn') {
      alignment.missing.unshift(columns[i - 1]);
      i--;
    } else {
      alignment.extra.unshift(cells[j - 1]);
      j--;
    }
  }
  return alignment;
}

interface RowResult {
  institution: Institution;
  warnings: ImportWarning[];
}

/** Values of one row before they are typed into an {@link Institution}. */
type RowValues = Partial<Record<Field, string[]>>;

function parseRow(kind: InstitutionKind, columns: readonly Field[], cells: Cell[], expectedSeq: number): RowResult {
  const alignment = alignCells(columns, cells);
  const lastCell = cells.at(-1);
  const values: RowValues = {};
  const stray: Fragment[] = [];

  for (const [field, cell] of alignment.byField) {
    const { kept, rejected } = separateStrayFragments(field, cell, cell === lastCell);
    values[field] = kept.map((fragment) => fragment.text);
    stray.push(...rejected);
  }

  const institution = buildInstitution(kind, columns, values, expectedSeq);
  const warnings: ImportWarning[] = [];
  const warn = (code: ImportWarningCode, message: string, line?: number): void => {
    warnings.push({
      kind,
      seq: institution.seq,
      name: institution.name === '' ? null : institution.name,
      code,
      message,
      ...(line === undefined ? {} : { line }),
    });
  };
  const rowLine = cells[0].fragments[0].line;

  if (values.seq === undefined) {
    warn('SEQUENCE', `row has no readable 序号; numbered ${expectedSeq} by position`, rowLine);
  }
  for (const field of columns) {
    if (field !== 'seq' && isBlank(values[field])) {
      const state = alignment.missing.includes(field) ? 'missing' : 'empty';
      warn('MISSING_FIELD', `${state} ${FIELD_LABELS[field]} (${field})`, rowLine);
    }
  }
  for (const cell of alignment.extra) {
    warn(
      'UNPARSED_LINE',
      `cell ${quote(cellText(cell))} fits no column of the row; not imported`,
      cell.fragments[0].line,
    );
  }
  for (const fragment of stray) {
    warn(
      'UNPARSED_LINE',
      `line ${quote(fragment.text)} does not belong to the row's cell; not imported`,
      fragment.line,
    );
  }
  if (institution.regionCode !== '' && !REGION_CODE_TEXT.test(institution.regionCode)) {
    warn(
      'REGION_CODE_MALFORMED',
      `region code ${quote(institution.regionCode)} is not 6 digits — kept as printed`,
      rowLine,
    );
  }
  const creditWarning = creditCodeWarning(institution.creditCode);
  if (creditWarning !== null) {
    warn(creditWarning.code, creditWarning.message, alignment.byField.get('creditCode')?.fragments[0].line);
  }
  return { institution, warnings };
}

/**
 * Decides which continuation lines really belong to a cell. In a phone column
 * only phone numbers do. In the row's last cell, a line after a blank line is
 * text that follows the table (a note, a footer), not a wrapped cell: blank
 * lines separate rows, whereas a wrapped cell in mid-row may contain one.
 */
function separateStrayFragments(
  field: Field,
  cell: Cell,
  isLastCellOfRow: boolean,
): { kept: Fragment[]; rejected: Fragment[] } {
  const kept: Fragment[] = [];
  const rejected: Fragment[] = [];
  cell.fragments.forEach((fragment, index) => {
    const afterRowEnd = isLastCellOfRow && index > 0 && fragment.afterBlank && !PHONE_FIELDS.has(field);
    const notAPhone = PHONE_FIELDS.has(field) && fragment.text !== '' && !isPhoneLike(fragment.text);
    if (afterRowEnd || notAPhone || rejected.length > 0) {
      rejected.push(fragment);
    } else {
      kept.push(fragment);
    }
  });
  return { kept, rejected };
}

function isBlank(fragments: string[] | undefined): boolean {
  return fragments === undefined || fragments.every((text) => text.trim() === '');
}

function buildInstitution(
  kind: InstitutionKind,
  columns: readonly Field[],
  values: RowValues,
  expectedSeq: number,
): Institution {
  const text = (field: Field): string => normalizeCellText((values[field] ?? []).join(' '));
  const optionalText = (field: Field): string | null => {
    const value = text(field);
    return columns.includes(field) && value !== '' ? value : null;
  };
  const seqText = text('seq');
  return {
    kind,
    seq: SEQ_TEXT.test(seqText) ? Number(seqText) : expectedSeq,
    city: text('city'),
    regionCode: text('regionCode'),
    name: text('name'),
    grade: optionalText('grade'),
    creditCode: (values.creditCode ?? []).join('').replace(/\s+/gu, ''),
    address: optionalText('address'),
    phones: splitPhoneNumbers(values.phones ?? []),
    ownership: optionalText('ownership'),
    insurerOffice: optionalText('insurerOffice'),
    insurerOfficePhones: splitPhoneNumbers(values.insurerOfficePhones ?? []),
  };
}

function creditCodeWarning(code: string): { code: ImportWarningCode; message: string } | null {
  if (code === '') {
    return null; // reported as MISSING_FIELD
  }
  const check = checkCreditCode(code);
  if (check.valid) {
    return null;
  }
  if (check.reason === 'malformed') {
    return {
      code: 'CREDIT_CODE_MALFORMED',
      message: `credit code ${code} is malformed (${describeMalformation(code)}; GB 32100 wants 18 characters from 0-9 and A-Y without I, O, S, V, Z)${repairHint(code)} — kept as printed`,
    };
  }
  return {
    code: 'CREDIT_CODE_CHECKSUM',
    message: `credit code ${code} fails the GB 32100 check (expected check character ${check.expectedCheck ?? '?'}) — kept as printed`,
  };
}

/**
 * Suggests the code a human probably meant when dropping punctuation or
 * upper-casing yields a valid one (附件4 #8 prints A1100000MK0054/7650). Only a
 * hint: the printed value is what the annex says, so it is what we keep.
 */
function repairHint(code: string): string {
  const candidate = code.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return candidate !== code && checkCreditCode(candidate).valid ? `; ${candidate} would pass the check` : '';
}

function describeMalformation(code: string): string {
  const characters = [...code];
  const foreign = [...new Set(characters.filter((ch) => !CREDIT_CODE_ALPHABET.includes(ch)))];
  const problems = [
    ...(characters.length === CREDIT_CODE_LENGTH ? [] : [`${characters.length} characters`]),
    ...(foreign.length === 0 ? [] : [`contains ${foreign.map(quote).join(', ')}`]),
  ];
  return problems.join(', ');
}

/** 序号 should run 1..N; gaps, repeats and disorder are reported, never repaired. */
function checkSequence(kind: InstitutionKind, institutions: readonly Institution[]): ImportWarning[] {
  const warnings: ImportWarning[] = [];
  institutions.forEach((institution, index) => {
    const expected = index === 0 ? 1 : institutions[index - 1].seq + 1;
    if (institution.seq !== expected) {
      warnings.push({
        kind,
        seq: institution.seq,
        name: institution.name === '' ? null : institution.name,
        code: 'SEQUENCE',
        message: `序号 ${institution.seq} where ${expected} was expected`,
      });
    }
  });
  return warnings;
}

// ---------------------------------------------------------------------------
// Small utilities

function sectionWarning(kind: InstitutionKind, code: ImportWarningCode, message: string): ImportWarning {
  return { kind, seq: null, name: null, code, message };
}

function quote(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}…` : text;
  return `"${short}"`;
}

function isAsciiAlnum(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z0-9]$/.test(ch);
}
