import type { SessionCheck } from '../api/identity';
import { coverageText, refusals, sourceText, tokenView, verdictView } from './verdict-text';

const check = (code: string, passed: boolean, effect: SessionCheck['effect'], message: string): SessionCheck => ({
  code,
  passed,
  effect,
  message,
  evidence: ['card'],
});

describe('verdict-text', () => {
  it('shows the API verdict code with a Chinese line and its colour', () => {
    expect(verdictView('MATCH')).toEqual({ code: 'MATCH', text: '人、卡、码相符，可以记账', tone: 'success' });
    expect(verdictView('MISMATCH').tone).toBe('danger');
    expect(verdictView('NOT_COVERED').tone).toBe('danger');
    expect(verdictView('INCOMPLETE').tone).toBe('warning');
    expect(verdictView('SOMETHING_NEW')).toEqual({ code: 'SOMETHING_NEW', text: '未知的核验结果', tone: 'info' });
  });

  it('names sources and coverage in Chinese, unknown ones as they are', () => {
    expect(sourceText('idCard')).toBe('身份证');
    expect(sourceText('staff')).toBe('人工核验');
    expect(sourceText('future')).toBe('future');
    expect(coverageText('cached')).toContain('缓存');
    expect(coverageText('pending')).toBe('待经办机构确认');
  });

  it('gives the token state in Beijing time: none, issued, run out', () => {
    const now = new Date('2026-12-03T08:00:00.000Z');
    expect(tokenView({ token: null, tokenExpiresAt: null }, now).tone).toBe('info');
    expect(tokenView({ token: 'gvt1.a.b', tokenExpiresAt: '2026-12-03T08:30:00.000Z' }, now)).toEqual({
      text: '已签发，有效至 2026-12-03 16:30（北京时间）',
      tone: 'success',
    });
    expect(tokenView({ token: 'gvt1.a.b', tokenExpiresAt: '2026-12-03T08:00:00.000Z' }, now).tone).toBe('danger');
  });

  it('lists the failed checks that decide a refusal, and none otherwise', () => {
    const checks = [
      check('CARD_LOST', false, 'mismatch', '该社保卡已挂失：拒绝记账，请核实持卡人身份'),
      check('CARD_EXPIRED', false, 'unusable', '社保卡已过期'),
      check('NOT_INSURED', false, 'not-covered', '未参加工伤保险'),
      check('ID_NUMBER_MISMATCH', true, 'mismatch', '身份证号一致'),
    ];
    expect(refusals({ verdict: 'MISMATCH', checks })).toEqual(['该社保卡已挂失：拒绝记账，请核实持卡人身份']);
    expect(refusals({ verdict: 'NOT_COVERED', checks })).toEqual(['未参加工伤保险']);
    expect(refusals({ verdict: 'INCOMPLETE', checks })).toEqual([]);
  });
});
