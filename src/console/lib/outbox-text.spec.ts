import {
  attemptOutcomeText,
  beijingSeconds,
  canCancel,
  canRerun,
  cancelText,
  infnoChoices,
  infnoText,
  outboxStatusText,
  outboxStatusTone,
  rerunText,
} from './outbox-text';
import type { OutboxMessageDto } from '../api/outbox';

const message = (over: Partial<OutboxMessageDto>): OutboxMessageDto => ({
  id: '00000000-0000-0000-0000-000000000001',
  msgid: 'H64010600001202612031030000001',
  infno: '3401',
  subjectKey: null,
  status: 'pending',
  attempts: 0,
  nextAttemptAt: '2026-12-03T02:30:00.000Z',
  infcode: null,
  lastError: null,
  createdAt: '2026-12-03T02:30:00.000Z',
  finishedAt: null,
  cancelReason: null,
  ...over,
});

describe('outbox text', () => {
  it('names states with their colour, outcomes and transactions in Chinese', () => {
    expect(outboxStatusText('rejected')).toBe('被拒绝');
    expect(outboxStatusTone('rejected')).toBe('danger');
    expect(outboxStatusTone('delivered')).toBe('success');
    expect(outboxStatusText('something-new')).toBe('something-new');
    expect(attemptOutcomeText('not-sent')).toBe('未发出（连接被拒绝），可安全重发');
    expect(infnoText('2207')).toBe('2207 门诊结算');
    expect(infnoText('7777')).toBe('7777');
    expect(infnoChoices()[0]).toEqual({ value: '1101', label: '1101 人员信息获取' });
  });

  it('allows rerun of a rejected message only, and cancel of a pending one only', () => {
    expect(canRerun(message({ status: 'rejected' }))).toBe(true);
    for (const status of ['pending', 'unknown', 'sending', 'delivered', 'cancelled'] as const) {
      expect(canRerun(message({ status }))).toBe(false);
    }
    expect(canCancel(message({ status: 'pending' }))).toBe(true);
    for (const status of ['unknown', 'sending', 'delivered', 'rejected', 'cancelled'] as const) {
      expect(canCancel(message({ status }))).toBe(false);
    }
  });

  it('says what a rerun and a cancel did', () => {
    expect(rerunText(message({}), message({ msgid: 'H64010600001202612031031000002', status: 'pending' }))).toBe(
      '已重新发送：原报文 H64010600001202612031030000001 作为新报文 H64010600001202612031031000002 进入队列（待发送）',
    );
    expect(cancelText(message({ status: 'cancelled', cancelReason: '重复申报' }))).toBe(
      '已撤销报文 H64010600001202612031030000001（原因：重复申报）',
    );
  });

  it('shows times in Beijing time to the second', () => {
    expect(beijingSeconds('2026-12-03T16:05:09.000Z')).toBe('2026-12-04 00:05:09');
    expect(beijingSeconds(null)).toBe('—');
  });
});
