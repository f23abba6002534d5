import {
  beijingTimes,
  dispensedWhere,
  isTraceCodeEvent,
  parseCodes,
  scanView,
  splitMessage,
  type TraceCodeEvent,
} from './trace-scan';

const base: TraceCodeEvent = {
  type: 'trace-code',
  deviceId: 'pharmacy-scanner',
  desk: '西药房1',
  at: '2026-12-03T02:30:00.000Z',
  outcome: 'accepted',
  code: '81234567890123456789',
  form: 'trace20',
  productCode: '8123456',
  refusal: null,
  context: null,
  line: { visitId: 'MZ001', lineNo: '1', held: 1, needed: 2, status: 'missing-codes' },
};

describe(scanView.name, () => {
  it('shows an accepted scan with the line’s count', () => {
    const view = scanView(base);
    expect(view).toMatchObject({
      tone: 'accepted',
      outcome: '已采集',
      headline: '已采集',
      count: '1/2',
      instruction: '本行已采集 1 个，需 2 个',
      code: '81234567890123456789',
      at: '2026-12-03 10:30',
      where: null,
    });
  });

  it('shows a duplicate with its reason and when and where the box went out (Beijing time)', () => {
    const view = scanView({
      ...base,
      outcome: 'duplicate',
      line: null,
      refusal: {
        code: 'TRACE_CODE_ALREADY_DISPENSED',
        message: '该追溯码已发药，同一盒药品不能重复发药：请核对药盒；如为退药后再发，请先办理退药',
      },
      context: { dispensedAt: '2026-12-02T16:05:00.000Z', visitId: 'MZ000', lineNo: '3' },
    });
    expect(view).toMatchObject({
      tone: 'refused',
      outcome: '重复',
      headline: '该追溯码已发药，同一盒药品不能重复发药',
      instruction: '请核对药盒；如为退药后再发，请先办理退药',
      where: '已于 2026-12-03 00:05 发药（就诊 MZ000，处方行 3）',
      refusalCode: 'TRACE_CODE_ALREADY_DISPENSED',
      count: null,
    });
  });

  it('names a duplicate on another line in the gateway’s words (Beijing time), without saying where twice', () => {
    const view = scanView({
      ...base,
      outcome: 'duplicate',
      line: null,
      refusal: {
        code: 'TRACE_CODE_ALREADY_DISPENSED',
        message:
          '该追溯码已于 2026-12-02T16:05:00.000Z 在就诊 MZ000 第 3 行发药，同一盒药品不能重复发药：请核对药盒；如为退药后再发，请先办理退药',
      },
      context: { dispensedAt: '2026-12-02T16:05:00.000Z', visitId: 'MZ000', lineNo: '3' },
    });
    expect(view.headline).toBe('该追溯码已于 2026-12-03 00:05 在就诊 MZ000 第 3 行发药，同一盒药品不能重复发药');
    expect(view.instruction).toBe('请核对药盒；如为退药后再发，请先办理退药');
    expect(view.where).toBeNull();
  });

  it('says what to scan instead of a commodity barcode (the instruction of the refusal message)', () => {
    const view = scanView({
      ...base,
      outcome: 'refused',
      code: null,
      line: null,
      refusal: {
        code: 'TRACE_CODE_COMMODITY_BARCODE',
        message: '这是商品条码，不是药品追溯码：请扫描药品最小包装上的追溯码（20位数字，或药品二维码）',
      },
    });
    expect(view.headline).toBe('这是商品条码，不是药品追溯码');
    expect(view.instruction).toBe('请扫描药品最小包装上的追溯码（20位数字，或药品二维码）');
    expect(view.outcome).toBe('拒收');
    expect(view.where).toBeNull();
  });
});

describe(splitMessage.name, () => {
  it('splits at the first full-width colon, and keeps a message without one whole', () => {
    expect(splitMessage('甲：乙：丙')).toEqual({ reason: '甲', instruction: '乙：丙' });
    expect(splitMessage('已发药')).toEqual({ reason: '已发药', instruction: null });
    expect(splitMessage('结尾：')).toEqual({ reason: '结尾：', instruction: null });
  });
});

describe(beijingTimes.name, () => {
  it('turns every ISO time of a message into Beijing time', () => {
    expect(beijingTimes('已在本处方行录入（2026-12-03T17:00:29.287Z），无需重复扫描')).toBe(
      '已在本处方行录入（2026-12-04 01:00），无需重复扫描',
    );
    expect(beijingTimes('没有时间')).toBe('没有时间');
  });
});

describe(dispensedWhere.name, () => {
  it('names what the context holds, nothing when it is empty', () => {
    expect(dispensedWhere(null)).toBeNull();
    expect(dispensedWhere({})).toBeNull();
    expect(dispensedWhere({ visitId: 'ZY9' })).toBe('已发药（就诊 ZY9）');
    expect(dispensedWhere({ dispensedAt: '2026-12-03T02:30:00.000Z' })).toBe('已于 2026-12-03 10:30 发药');
  });
});

describe(isTraceCodeEvent.name, () => {
  it('takes only trace-code events with a known outcome', () => {
    expect(isTraceCodeEvent(base)).toBe(true);
    expect(isTraceCodeEvent({ ...base, outcome: 'other' })).toBe(false);
    expect(isTraceCodeEvent({ type: 'scan' })).toBe(false);
    expect(isTraceCodeEvent(null)).toBe(false);
  });
});

describe(parseCodes.name, () => {
  it('reads one code per line or separated by spaces and commas, once each, in order', () => {
    expect(parseCodes(' 111\n222，333 111\r\n\n444;')).toEqual(['111', '222', '333', '444']);
    expect(parseCodes('  \n ')).toEqual([]);
  });
});
