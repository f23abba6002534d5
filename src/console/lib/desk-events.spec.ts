import {
  allDesksEventsUrl,
  backoffDelay,
  DeskEvents,
  deskEventsUrl,
  type LinkState,
  type SocketLike,
} from './desk-events';

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closedWith: number | undefined;
  constructor(readonly url: string) {}
  close(code?: number): void {
    this.closedWith = code;
  }
  /** The server drops the connection (or refuses the upgrade). */
  drop(code = 1006): void {
    this.onerror?.({});
    this.onclose?.({ code });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const states: [LinkState, number | undefined][] = [];
  const messages: unknown[] = [];
  const ended: number[] = [];
  const sut = new DeskEvents({
    onSessionEnded: () => ended.push(1),
    url: 'ws://gw/api/v1/devices/events?desk=%E9%97%A8%E8%AF%8A',
    onMessage: (m) => messages.push(m),
    onState: (s, retry) => states.push([s, retry]),
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    setTimer: (fn, ms) => {
      const timer = { fn, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (t) => {
      (t as { cleared: boolean }).cleared = true;
    },
    random: () => 0,
  });
  /** Runs the pending reconnect timer. */
  const fire = (): void => {
    const timer = timers.find((t) => !t.cleared);
    if (!timer) {
      throw new Error('no reconnect timer pending');
    }
    timer.cleared = true;
    timer.fn();
  };
  return { sut, sockets, timers, states, messages, ended, fire };
}

describe(DeskEvents.name, () => {
  it('connects, reports open and passes each JSON message on', () => {
    const h = harness();
    h.sut.start();
    expect(h.states).toEqual([['connecting', undefined]]);
    h.sockets[0].onopen?.({});
    h.sockets[0].onmessage?.({ data: '{"type":"hello","desk":"门诊","devices":[]}' });
    h.sockets[0].onmessage?.({ data: 'not json' });
    expect(h.states.at(-1)).toEqual(['open', undefined]);
    expect(h.messages).toEqual([{ type: 'hello', desk: '门诊', devices: [] }]);
  });

  it('reports a drop as lost with the wait, reconnects after it, and reports restored', () => {
    const h = harness();
    h.sut.start();
    h.sockets[0].onopen?.({});
    h.sockets[0].drop();
    expect(h.states.at(-1)).toEqual(['lost', 1000]);
    expect(h.timers[0].ms).toBe(1000);
    h.fire();
    expect(h.sockets).toHaveLength(2);
    h.sockets[1].onopen?.({});
    expect(h.states.at(-1)).toEqual(['restored', undefined]);
  });

  it('waits longer after each failed attempt and starts again at 1 s once connected', () => {
    const h = harness();
    h.sut.start();
    h.sockets[0].drop();
    h.fire();
    h.sockets[1].drop();
    h.fire();
    h.sockets[2].drop();
    expect(h.timers.map((t) => t.ms)).toEqual([1000, 2000, 4000]);
    h.fire();
    h.sockets[3].onopen?.({});
    h.sockets[3].drop();
    expect(h.timers.at(-1)?.ms).toBe(1000);
  });

  it('stops for good: closes the socket, cancels a pending reconnect, and never reconnects', () => {
    const h = harness();
    h.sut.start();
    h.sockets[0].onopen?.({});
    h.sut.stop();
    expect(h.sockets[0].closedWith).toBe(1000);
    expect(h.states.at(-1)).toEqual(['closed', undefined]);

    const g = harness();
    g.sut.start();
    g.sockets[0].drop();
    g.sut.stop();
    expect(g.timers[0].cleared).toBe(true);
    expect(g.sockets).toHaveLength(1);
  });
});

describe(backoffDelay.name, () => {
  it('stops for good when the gateway says the staff session ended (4401), and tells the page', () => {
    const h = harness();
    h.sut.start();
    h.sockets[0].onopen?.({});
    h.sockets[0].drop(4401);
    expect(h.states.at(-1)).toEqual(['closed', undefined]);
    expect(h.ended).toEqual([1]);
    expect(h.timers).toEqual([]);
    // Any other close is a drop: reconnect, and the page is not sent to the login.
    const other = harness();
    other.sut.start();
    other.sockets[0].drop(1011);
    expect(other.ended).toEqual([]);
    expect(other.timers).toHaveLength(1);
  });

  it('doubles from 1 s up to 30 s and adds at most 20 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelay(a, () => 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(backoffDelay(0, () => 0.999)).toBe(1200);
  });
});

describe(deskEventsUrl.name, () => {
  it('uses ws: or wss: like the page and encodes the desk name', () => {
    expect(deskEventsUrl({ protocol: 'http:', host: '127.0.0.1:8080' }, '门诊挂号1')).toBe(
      'ws://127.0.0.1:8080/api/v1/devices/events?desk=%E9%97%A8%E8%AF%8A%E6%8C%82%E5%8F%B71',
    );
    expect(deskEventsUrl({ protocol: 'https:', host: 'gw.hospital' }, 'a&b')).toBe(
      'wss://gw.hospital/api/v1/devices/events?desk=a%26b',
    );
  });
});

describe(allDesksEventsUrl.name, () => {
  it('names no desk: every desk at once', () => {
    expect(allDesksEventsUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe(
      'ws://127.0.0.1:8080/api/v1/devices/events',
    );
    expect(allDesksEventsUrl({ protocol: 'https:', host: 'gw.hospital' })).toBe(
      'wss://gw.hospital/api/v1/devices/events',
    );
  });
});
