import type { IdentitySession } from '../api/identity';
import { CurrentSession, type CurrentSessionState } from './current-session';

function session(id: string, verdict: IdentitySession['verdict'] = 'INCOMPLETE'): IdentitySession {
  return {
    id,
    desk: '门诊挂号1',
    visitId: 'MZ1',
    visitKind: 'outpatient',
    verdict,
    offline: false,
    coverage: 'pending',
    checks: [],
    missing: [],
    sources: [],
    token: null,
    tokenExpiresAt: null,
    updatedAt: '2026-12-03T08:00:00.000Z',
  };
}

class Gone extends Error {}

/** A loader whose answers the test releases one by one, in any order. */
function harness() {
  const pending: { id: string; resolve(s: IdentitySession): void; reject(e: unknown): void }[] = [];
  const states: CurrentSessionState[] = [];
  const remembered: (string | null)[] = [];
  const sut = new CurrentSession({
    load: (id) => new Promise((resolve, reject) => pending.push({ id, resolve, reject })),
    onChange: (s) => states.push(s),
    messageOf: (e) => `失败：${(e as Error).message}`,
    isGone: (e) => e instanceof Gone,
    remember: (id) => remembered.push(id),
  });
  return { sut, pending, states, remembered, last: () => states[states.length - 1] };
}

describe(CurrentSession.name, () => {
  it('reads the session a verdict message names and shows it', async () => {
    const { sut, pending, last, remembered } = harness();
    const done = sut.onDeskMessage({ type: 'verdict', sessionId: 's1', verdict: 'MATCH' });
    expect(pending.map((p) => p.id)).toEqual(['s1']);
    pending[0].resolve(session('s1', 'MATCH'));
    await done;
    expect(last()).toEqual({ session: session('s1', 'MATCH'), error: null });
    expect(sut.currentId).toBe('s1');
    expect(remembered).toEqual(['s1']);
  });

  it('ignores messages that are not verdicts or carry no session id', async () => {
    const { sut, pending, states } = harness();
    await sut.onDeskMessage({ type: 'status', deviceId: 'desk1-card' });
    await sut.onDeskMessage({ type: 'verdict' });
    await sut.onDeskMessage('verdict');
    await sut.onDeskMessage(null);
    expect(pending).toHaveLength(0);
    expect(states).toHaveLength(0);
  });

  it('drops an answer that arrives after a newer one', async () => {
    const { sut, pending, states, last } = harness();
    const first = sut.onDeskMessage({ type: 'verdict', sessionId: 's1' });
    const second = sut.onDeskMessage({ type: 'verdict', sessionId: 's2' });
    pending[1].resolve(session('s2', 'MATCH'));
    await second;
    pending[0].resolve(session('s1', 'MISMATCH'));
    await first;
    expect(states).toHaveLength(1);
    expect(last().session?.id).toBe('s2');
  });

  it('shows a session it was handed at once, and a read started before it does not overwrite it', async () => {
    const { sut, pending, states, last } = harness();
    const read = sut.follow('s1');
    sut.show(session('s2'));
    pending[0].resolve(session('s1'));
    await read;
    expect(states).toHaveLength(1);
    expect(last().session?.id).toBe('s2');
    expect(sut.currentId).toBe('s2');
  });

  it('reads an action’s session again when a verdict came while the action was on its way: its answer may be older', async () => {
    // The QR code's POST holds the session's lock; the ID card read waits for it, is added right after,
    // and its verdict message reaches the page (which reads the session: MATCH) before the QR's answer.
    const { sut, pending, last } = harness();
    let answer!: (s: IdentitySession) => void;
    const acted = sut.showAnswer(() => new Promise<IdentitySession>((resolve) => (answer = resolve)));
    const read = sut.onDeskMessage({ type: 'verdict', sessionId: 's1', verdict: 'MATCH' });
    pending[0].resolve(session('s1', 'MATCH'));
    await read;
    expect(last().session?.verdict).toBe('MATCH');
    answer(session('s1', 'INCOMPLETE'));
    await new Promise(setImmediate);
    // The older answer is shown for a moment, then the session as it is now.
    expect(pending.map((p) => p.id)).toEqual(['s1', 's1']);
    pending[1].resolve(session('s1', 'MATCH'));
    await acted;
    expect(last()).toEqual({ session: session('s1', 'MATCH'), error: null });
  });

  it('shows an action’s answer without reading it again when no verdict came meanwhile, and throws its failure', async () => {
    const { sut, pending, last } = harness();
    await sut.showAnswer(() => Promise.resolve(session('s1', 'MATCH')));
    expect(last()).toEqual({ session: session('s1', 'MATCH'), error: null });
    expect(sut.currentId).toBe('s1');
    expect(pending).toHaveLength(0);
    await expect(sut.showAnswer(() => Promise.reject(new Error('二维码无效')))).rejects.toThrow('二维码无效');
    expect(last().session?.id).toBe('s1');
  });

  it('keeps the last session shown with the error when a read fails', async () => {
    const { sut, pending, last } = harness();
    sut.show(session('s1', 'MATCH'));
    const refreshed = sut.refresh();
    expect(pending.map((p) => p.id)).toEqual(['s1']);
    pending[0].reject(new Error('网关无应答'));
    await refreshed;
    expect(last()).toEqual({ session: session('s1', 'MATCH'), error: '失败：网关无应答' });
  });

  it('forgets a session that no longer exists', async () => {
    const { sut, pending, last, remembered } = harness();
    const read = sut.follow('old');
    pending[0].reject(new Gone('gone'));
    await read;
    expect(last()).toEqual({ session: null, error: null });
    expect(sut.currentId).toBeNull();
    expect(remembered).toEqual(['old', null]);
  });

  it('has nothing to refresh before a session is shown, and clear() shows nothing', async () => {
    const { sut, pending, last } = harness();
    await sut.refresh();
    expect(pending).toHaveLength(0);
    sut.show(session('s1'));
    sut.clear();
    expect(last()).toEqual({ session: null, error: null });
    expect(sut.currentId).toBeNull();
  });
});
