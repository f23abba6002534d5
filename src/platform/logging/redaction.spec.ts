import fc from 'fast-check';
import {
  harvestSensitiveValues,
  isSensitiveKey,
  redactLogLine,
  redactUrl,
  scrubText,
  scrubTextEveryPattern,
} from './redaction';

describe(redactLogLine.name, () => {
  it('removes values of personal fields at any depth', () => {
    const line = JSON.stringify({
      msg: 'ok',
      body: { worker: { name: '张三', idNumber: 'abc', phone: 'x', address: '银川市' } },
      hospitalName: 'keep',
    });
    const out = redactLogLine(line);
    expect(out).not.toMatch(/张三|银川市/);
    expect(out).toContain('"name":"[REDACTED]"');
  });

  it('removes ID numbers, mobiles and landlines inside messages', () => {
    const out = redactLogLine(
      JSON.stringify({
        msg: 'worker 11010519491231002X called from 13812345678 and 0951-6997018; old id 110105491231002',
      }),
    );
    expect(out).not.toMatch(/11010519491231002X|13812345678|0951-6997018|110105491231002/);
    expect(out).toContain('[ID]');
    expect(out).toContain('[PHONE]');
  });

  it('removes names labelled in free text', () => {
    expect(scrubText('姓名：买买提·艾力 到院')).toBe('姓名：[REDACTED] 到院');
    expect(scrubText('name=Zhang, ok')).toBe('name=[REDACTED], ok');
  });

  it('removes values known from the request wherever they appear', () => {
    const out = redactLogLine(JSON.stringify({ msg: 'no determination for 李四 yet' }), new Set(['李四']));
    expect(out).toBe(JSON.stringify({ msg: 'no determination for [REDACTED] yet' }));
  });

  it('leaves request ids, trace codes, timestamps and msgids alone', () => {
    const line = JSON.stringify({
      reqId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      code: '81234567890123456789',
      time: 1764032000000,
      msgid: 'H64010400001202611250101010001',
    });
    expect(redactLogLine(line)).toBe(line);
  });

  it('never throws and never grows a line unboundedly (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const out = redactLogLine(JSON.stringify({ msg: s }));
        expect(out.length).toBeLessThanOrEqual(JSON.stringify({ msg: s }).length + 300);
      }),
    );
  });
});

describe(isSensitiveKey.name, () => {
  it.each([
    'name',
    'patientName',
    'psn_name',
    'idNumber',
    'psn_cert_no',
    'phone',
    'address',
    'authorization',
    'worker_name',
  ])('%s is sensitive', (k) => {
    expect(isSensitiveKey(k)).toBe(true);
  });
  it.each(['hostname', 'fileName', 'institutionName', 'fixmedins_name', 'status', 'kind', 'reqId'])(
    '%s is not',
    (k) => {
      expect(isSensitiveKey(k)).toBe(false);
    },
  );
});

describe(harvestSensitiveValues.name, () => {
  it('collects values under sensitive keys, in nested objects and arrays', () => {
    const found = new Set<string>();
    harvestSensitiveValues({ visit: { patients: [{ name: ' 王五 ', note: 'x' }] }, phone: '13900000000', n: 1 }, found);
    expect([...found].sort()).toEqual(['13900000000', '王五']);
  });
});

describe(redactUrl.name, () => {
  it('hides sensitive query values and scrubs the others', () => {
    expect(redactUrl('/api/v1/x?name=%E5%BC%A0%E4%B8%89&kind=medical&q=11010519491231002X')).toBe(
      '/api/v1/x?name=[REDACTED]&kind=medical&q=[ID]',
    );
    expect(redactUrl('/health')).toBe('/health');
  });
});

describe('redaction shortcuts', () => {
  it('scrubText skips only texts no pattern can match: it agrees with every pattern applied', () => {
    const pieces = [
      '1',
      '0',
      '9',
      '5',
      '13812345678',
      '0951-',
      '6997018',
      '110105',
      '19491231',
      '002X',
      'X',
      '-',
      ' ',
      '姓名',
      '患者',
      '：',
      '=',
      'name',
      'Name',
      '张三',
      'a',
      '"',
      ',',
      '+86',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect(scrubText(text)).toBe(scrubTextEveryPattern(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers a key the same the second time (the answers are remembered)', () => {
    for (const key of ['Patient_Name', 'patient-name', 'hostname', 'ID_NUMBER', 'kind']) {
      const first = isSensitiveKey(key);
      expect(isSensitiveKey(key)).toBe(first);
    }
    expect(isSensitiveKey('Patient_Name')).toBe(true);
    expect(isSensitiveKey('hostname')).toBe(false);
  });
});
