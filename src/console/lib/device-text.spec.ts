import { eventText, stateTone } from './device-text';

describe(eventText.name, () => {
  it('says what happened at the desk in Chinese', () => {
    expect(eventText({ type: 'status', deviceId: 'desk1-card', state: 'disconnected', message: '读卡器已拔出' })).toBe(
      'desk1-card：未连接 — 读卡器已拔出',
    );
    expect(
      eventText({
        type: 'trace-code',
        outcome: 'refused',
        code: null,
        refusal: { code: 'TRACE_CODE_COMMODITY_BARCODE', message: '这是商品条码，请扫描追溯码' },
      }),
    ).toBe('追溯码拒收 — 这是商品条码，请扫描追溯码');
    expect(eventText({ type: 'verdict', verdict: 'MATCH' })).toBe('核验结果：人、卡、码相符');
    expect(eventText({ type: 'verdict', verdict: 'INCOMPLETE' })).toBe('核验结果：核验未完成');
    expect(eventText({ type: 'verdict', verdict: 'MISMATCH' })).toBe('核验结果：人、卡、码不符，拒绝记账');
    expect(eventText({ type: 'hello', devices: [] })).toBeNull();
    expect(stateTone('error')).toBe('danger');
  });
});
