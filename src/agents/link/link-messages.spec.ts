import { frame, MAX_FRAME_BYTES, parseAgentMessage, parseCentreMessage } from './link-messages';
import { judgeSequence, reconnectDelayMs } from './inbound-sequence';

describe('the agent link’s messages', () => {
  it('reads each message an agent sends, and only those', () => {
    expect(
      parseAgentMessage(frame({ type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'GH-03', platform: 'win32' })),
    ).toEqual({
      ok: true,
      message: { type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'GH-03', platform: 'win32' },
    });
    expect(parseAgentMessage('{"type":"event","seq":7,"replayed":true,"event":{"type":"scan"}}')).toEqual({
      ok: true,
      message: { type: 'event', seq: 7, replayed: true, event: { type: 'scan' } },
    });
    expect(parseAgentMessage('{"type":"event","seq":null,"event":{"type":"status"}}')).toMatchObject({
      ok: true,
      message: { seq: null, replayed: false },
    });
    expect(parseAgentMessage('{"type":"welcome"}')).toEqual({
      ok: false,
      problem: 'type: not a message an agent sends (welcome)',
    });
  });

  it('reads each message the centre sends', () => {
    const welcome = {
      type: 'welcome' as const,
      v: 1,
      agentId: 'a1',
      desk: '门诊挂号3',
      devices: [{ id: 'scan-1', kind: 'scanner', options: { port: 'COM3', baudRate: 9600 } }],
      ackedSeq: 0,
    };
    expect(parseCentreMessage(frame(welcome))).toEqual({ ok: true, message: welcome });
    expect(parseCentreMessage(frame({ type: 'ack', upto: 500 }))).toEqual({
      ok: true,
      message: { type: 'ack', upto: 500 },
    });
    expect(
      parseCentreMessage(frame({ type: 'refused', code: 'AGENT_REVOKED', message: '该代理已被吊销' })),
    ).toMatchObject({ ok: true });
  });

  it.each([
    ['not JSON', 'hello', 'frame is not JSON'],
    ['a list', '[1]', 'not a JSON object'],
    ['a negative seq', '{"type":"event","seq":-1,"event":{}}', 'seq: not a whole number ≥ 1'],
    ['a fractional seq', '{"type":"event","seq":1.5,"event":{}}', 'seq'],
    ['an event without its event', '{"type":"event","seq":1}', 'event: missing'],
    [
      'a host name of a novel',
      JSON.stringify({ type: 'hello', v: 1, agentVersion: '1', hostname: 'x'.repeat(300), platform: 'linux' }),
      'hostname',
    ],
    ['a frame over the limit', JSON.stringify({ type: 'pong', at: 'x'.repeat(MAX_FRAME_BYTES) }), 'over the'],
  ])('refuses %s, saying why', (_, text, problem) => {
    const parsed = parseAgentMessage(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });

  it('refuses a welcome whose devices are not a list of devices', () => {
    expect(
      parseCentreMessage('{"type":"welcome","v":1,"agentId":"a","desk":"d","devices":[{"id":"x"}],"ackedSeq":0}'),
    ).toEqual({
      ok: false,
      problem: 'devices[0].options: not an object',
    });
  });
});

describe('exactly once, in order', () => {
  it('records the next seq, re-acks a duplicate, refuses a gap', () => {
    expect(judgeSequence(0, 1)).toBe('next');
    expect(judgeSequence(41, 42)).toBe('next');
    expect(judgeSequence(42, 42)).toBe('duplicate');
    expect(judgeSequence(42, 7)).toBe('duplicate');
    expect(judgeSequence(42, 44)).toBe('gap');
    expect(() => judgeSequence(0, 0)).toThrow(RangeError);
  });

  it('500 events resent in part after a lost ack are recorded once each, in order', () => {
    let last = 0;
    const recorded: number[] = [];
    const deliver = (seqs: number[]): void => {
      for (const seq of seqs) {
        if (judgeSequence(last, seq) === 'next') {
          recorded.push(seq);
          last = seq;
        }
      }
    };
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    deliver(range(1, 300)); // the link drops after 300; the centre's ack of 251–300 was lost
    deliver(range(251, 500)); // the agent resends from its last ack
    expect(recorded).toEqual(range(1, 500));
  });
});

describe('reconnecting', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };
  it('waits longer after each failure, never beyond the cap, with full jitter', () => {
    expect(reconnectDelayMs(1, policy, () => 1)).toBe(500);
    expect(reconnectDelayMs(4, policy, () => 1)).toBe(4_000);
    expect(reconnectDelayMs(40, policy, () => 1)).toBe(30_000);
    expect(reconnectDelayMs(40, policy, () => 0.5)).toBe(15_000);
    expect(reconnectDelayMs(3, policy, () => 0)).toBe(100);
  });
});
