/**
 * What IT staff paste into config/*.yaml under `devices:` for a port or reader the discovery found
 * (GET /api/v1/devices/discovery), following the devices config schema (src/devices/devices.config.ts:
 * id, kind, transport, desk, path, baudRate, terminator, cardAuth), and a test read's answer in words.
 */
import type { Schemas } from '../api/openapi.generated';

export type FoundSource = 'serial' | 'hid' | 'pcsc';
export type SnippetKind = 'id-card' | 'scanner' | 'ssse-card';

export interface SnippetInput {
  source: FoundSource;
  /** Serial port path, HID VID:PID, or PC/SC reader name. */
  path: string;
  /** Serial ports only: what is on the port (an ID-card reader or a virtual-COM scanner). */
  kind?: SnippetKind;
  /** The workstation; a placeholder the staff member replaces when empty. */
  desk?: string;
}

/** The kinds a found attachment can be configured as, the first being the usual one. */
export function kindsFor(source: FoundSource): SnippetKind[] {
  switch (source) {
    case 'serial':
      return ['id-card', 'scanner'];
    case 'hid':
      return ['scanner'];
    case 'pcsc':
      return ['ssse-card'];
  }
}

const ID_PREFIX: Record<SnippetKind, string> = { 'id-card': 'idcard', scanner: 'scanner', 'ssse-card': 'card' };

/** A device id the config accepts (/^[a-z0-9][a-z0-9-]{0,39}$/) made from the kind and the port. */
export function suggestedId(kind: SnippetKind, path: string): string {
  const tail = path
    .toLowerCase()
    .replace(/^\/dev\//, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${ID_PREFIX[kind]}${tail ? `-${tail}` : ''}`.slice(0, 40).replace(/-+$/, '');
}

/** A YAML scalar: plain when safe, else double-quoted (JSON's escaping is valid YAML). */
export function yamlScalar(value: string): string {
  const plain =
    /^[A-Za-z\u4e00-\u9fff/][A-Za-z0-9_./\u4e00-\u9fff-]*$/.test(value) &&
    !/^(true|false|null|yes|no|on|off)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

/** The list item, indented for pasting under `devices:`. */
export function deviceSnippet(input: SnippetInput): string {
  const kind = input.kind ?? kindsFor(input.source)[0];
  const desk = input.desk?.trim() ? yamlScalar(input.desk.trim()) : '门诊挂号1   # 改为该设备所在的工作站';
  const lines = [`  - id: ${suggestedId(kind, input.path)}`, `    kind: ${kind}`, `    desk: ${desk}`];
  switch (input.source) {
    case 'serial':
      lines.splice(2, 0, '    transport: serial');
      lines.push(`    path: ${yamlScalar(input.path)}`, '    baudRate: 115200');
      if (kind === 'scanner') {
        lines.push('    terminator: CR        # 扫码枪出厂设置一般为 CR');
      }
      break;
    case 'hid':
      lines.splice(2, 0, '    transport: hid        # 扫码枪须设为 HID POS 模式');
      lines.push(`    path: ${JSON.stringify(input.path)}`);
      break;
    case 'pcsc':
      lines.splice(2, 0, '    transport: pcsc');
      lines.push(
        `    path: ${JSON.stringify(input.path)}`,
        '    cardAuth: hsm         # 第三代社保卡经经办机构加密机认证',
      );
      break;
  }
  return `${lines.join('\n')}\n`;
}

/** POST /api/v1/devices/{id}/test-read. */
export type TestReadResultDto = Schemas['TestReadResultDto'];

/** An ID number with its middle hidden (640104********0319); a short number shows its last 3 only. */
export function masked(value: string): string {
  if (value.length <= 10) {
    return `${'*'.repeat(Math.max(0, value.length - 3))}${value.slice(-3)}`;
  }
  return `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
}

const CODE_KINDS: Record<string, string> = {
  'trace-code': '药品追溯码',
  gs1: 'GS1 追溯码',
  'commodity-barcode': '商品条码',
  'id-number': '身份证号',
  'qr-token': '电子社保卡/医保码',
  refused: '无法识别',
};

/** What a test read found, in lines; the numbers of people masked. */
export function testReadLines(result: TestReadResultDto): string[] {
  const read = result.read;
  if (read === null) {
    return [result.message];
  }
  const field = (from: unknown, key: string): string => {
    const v = typeof from === 'object' && from !== null ? (from as Record<string, unknown>)[key] : undefined;
    return typeof v === 'string' ? v : '';
  };
  const lines: string[] = [];
  switch (read.type) {
    case 'id-card':
      lines.push('读到身份证');
      lines.push(`姓名：${field(read.identity, 'name')}`);
      lines.push(`身份证号：${masked(field(read.identity, 'idNumber'))}`);
      break;
    case 'ssse-card':
      lines.push(read.result === 'complete' ? '读到社保卡' : '读到社保卡（未完成认证，只有公开信息）');
      if (field(read.card, 'name')) {
        lines.push(`姓名：${field(read.card, 'name')}`);
      }
      if (field(read.card, 'ssn')) {
        lines.push(`社会保障号码：${masked(field(read.card, 'ssn'))}`);
      }
      if (field(read.card, 'cardNo')) {
        lines.push(`卡号：${masked(field(read.card, 'cardNo'))}`);
      }
      if (field(read.reason, 'message')) {
        lines.push(field(read.reason, 'message'));
      }
      break;
    case 'scan': {
      const kind = field(read.classification, 'kind');
      lines.push(`扫到：${typeof read.text === 'string' ? read.text : ''}`);
      lines.push(`类型：${CODE_KINDS[kind] ?? kind}`);
      break;
    }
    default:
      lines.push(`读到：${typeof read.type === 'string' ? read.type : ''}`);
  }
  lines.push(result.message);
  return lines;
}
