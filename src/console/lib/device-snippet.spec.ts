import { parse } from 'yaml';
import { deviceSnippet, kindsFor, masked, suggestedId, testReadLines, yamlScalar } from './device-snippet';

describe(deviceSnippet.name, () => {
  it('gives a serial ID-card reader with its port and baud rate, under devices:', () => {
    expect(deviceSnippet({ source: 'serial', path: '/dev/ttyUSB0', desk: '门诊挂号2' })).toBe(
      [
        '  - id: idcard-ttyusb0',
        '    kind: id-card',
        '    transport: serial',
        '    desk: 门诊挂号2',
        '    path: /dev/ttyUSB0',
        '    baudRate: 115200',
        '',
      ].join('\n'),
    );
  });

  it('gives a serial scanner with its terminator, and a placeholder desk when none is typed', () => {
    const snippet = deviceSnippet({ source: 'serial', path: 'COM3', kind: 'scanner' });
    expect(snippet).toContain('  - id: scanner-com3\n    kind: scanner\n    transport: serial\n');
    expect(snippet).toContain('    desk: 门诊挂号1   # 改为该设备所在的工作站\n');
    expect(snippet).toContain('    path: COM3\n    baudRate: 115200\n    terminator: CR');
  });

  it('quotes a HID VID:PID and a PC/SC reader name, and sets the card reader to the insurer HSM', () => {
    expect(deviceSnippet({ source: 'hid', path: '0c2e:0b61', desk: '西药房1' })).toBe(
      [
        '  - id: scanner-0c2e-0b61',
        '    kind: scanner',
        '    transport: hid        # 扫码枪须设为 HID POS 模式',
        '    desk: 西药房1',
        '    path: "0c2e:0b61"',
        '',
      ].join('\n'),
    );
    const pcsc = deviceSnippet({ source: 'pcsc', path: 'ACS ACR39U ICC Reader 00 00', desk: 'a: b' });
    expect(pcsc).toContain('  - id: card-acs-acr39u-icc-reader-00-00\n    kind: ssse-card\n    transport: pcsc\n');
    expect(pcsc).toContain('    desk: "a: b"\n    path: "ACS ACR39U ICC Reader 00 00"\n    cardAuth: hsm');
  });

  it('parses, under devices:, as the YAML the gateway’s config loader reads, with the values unchanged', () => {
    const cases = [
      { source: 'serial' as const, path: 'COM3', kind: 'scanner' as const, desk: 'yes' },
      { source: 'hid' as const, path: '0c2e:0b61', desk: '西药房 #1' },
      { source: 'pcsc' as const, path: 'ACS ACR39U ICC Reader 00 00', desk: '门诊挂号1' },
      { source: 'serial' as const, path: '/dev/ttyUSB0' },
    ];
    for (const input of cases) {
      const config = parse(`devices:\n${deviceSnippet(input)}`) as { devices: Array<Record<string, unknown>> };
      expect(config.devices).toHaveLength(1);
      const [device] = config.devices;
      expect(device.path).toBe(input.path);
      expect(device.desk).toBe(input.desk ?? '门诊挂号1');
      expect(device.id).toMatch(/^[a-z0-9][a-z0-9-]{0,39}$/);
      expect(
        Object.keys(device).every((k) =>
          ['id', 'kind', 'transport', 'desk', 'path', 'baudRate', 'terminator', 'cardAuth'].includes(k),
        ),
      ).toBe(true);
    }
  });

  it('offers the kinds a source can be', () => {
    expect(kindsFor('serial')).toEqual(['id-card', 'scanner']);
    expect(kindsFor('hid')).toEqual(['scanner']);
    expect(kindsFor('pcsc')).toEqual(['ssse-card']);
  });
});

describe(suggestedId.name, () => {
  it('makes an id the config accepts, at most 40 characters', () => {
    const id = suggestedId('ssse-card', 'Some Very Long Reader Name With Many Words 00 01');
    expect(id).toMatch(/^[a-z0-9][a-z0-9-]{0,39}$/);
    expect(id.endsWith('-')).toBe(false);
    expect(suggestedId('id-card', '/dev/ttyACM1')).toBe('idcard-ttyacm1');
  });
});

describe(yamlScalar.name, () => {
  it('quotes what YAML would read otherwise', () => {
    expect(yamlScalar('门诊挂号1')).toBe('门诊挂号1');
    expect(yamlScalar('yes')).toBe('"yes"');
    expect(yamlScalar('a#b c')).toBe('"a#b c"');
    expect(yamlScalar('0c2e:0b61')).toBe('"0c2e:0b61"');
  });
});

describe(testReadLines.name, () => {
  it('says what an ID card, a card and a scan gave, with the numbers masked', () => {
    expect(
      testReadLines({
        deviceId: 'desk1-idcard',
        host: 'gateway',
        agentId: null,
        read: { type: 'id-card', identity: { name: '马建国', idNumber: '640104198503120319' } },
        message: '设备「desk1-idcard」工作正常：读到一次身份证',
      }),
    ).toEqual([
      '读到身份证',
      '姓名：马建国',
      '身份证号：640104********0319',
      '设备「desk1-idcard」工作正常：读到一次身份证',
    ]);
    expect(
      testReadLines({
        deviceId: 'c',
        host: 'gateway',
        agentId: null,
        read: {
          type: 'ssse-card',
          result: 'complete',
          card: { name: '李', ssn: '640104198503120319', cardNo: 'A12345678' },
        },
        message: 'ok',
      }),
    ).toEqual(['读到社保卡', '姓名：李', '社会保障号码：640104********0319', '卡号：******678', 'ok']);
    expect(
      testReadLines({
        deviceId: 's',
        host: 'gateway',
        agentId: null,
        read: { type: 'scan', text: '81234567890123456789', classification: { kind: 'trace-code' } },
        message: 'ok',
      }),
    ).toEqual(['扫到：81234567890123456789', '类型：药品追溯码', 'ok']);
  });

  it('gives the gateway’s message when nothing was read', () => {
    expect(testReadLines({ deviceId: 's', host: 'gateway', agentId: null, read: null, message: '没有读到' })).toEqual([
      '没有读到',
    ]);
    expect(masked('1234')).toBe('*234');
  });
});
