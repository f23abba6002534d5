/**
 * Desk agents: a device event's latency through a desk agent against the same device plugged into the
 * gateway's own machine, side by side in one run (see run.ts; printed, never asserted). Issue 15's aim:
 * under 2 ms added at the median on loopback.
 *
 * All in this process, on loopback (127.0.0.1):
 *   - the centre: the whole gateway as the e2e specs start it (startTestApp: sandbox mode, SQLite in a
 *     temp data folder, logging silent), listening on an ephemeral port. Desk A has a simulated scanner
 *     and a simulated ID-card reader of the gateway's own machine (host: gateway); desk B the same two on
 *     a desk agent (host: agent, transport: simulated);
 *   - the agent: enrolled as a desk PC is (POST /api/v1/agents/enrolments with an admin key, then
 *     enrolAgent into a temp data folder), run by DeskAgent.start with a quiet logger, over ws://;
 *   - one WebSocket client per desk on /api/v1/devices/events?desk=…, as a desk console (one key with admin,
 *     identity and trace-codes: admin enrols; a desk's scans and ID-card reads go to identity / trace-codes keys).
 *
 * Per sample, local and agent alternating (the order flipped every round so drift hits both alike):
 *   - scan: `simulation.scan(text)` (bytes through the real scanner driver) until the desk's client has
 *     the 'scan' message with that text. On the agent a scan is the exactly-once path: appended to the
 *     agent's journal and fsynced, sent with its seq, stored at the centre (agent_event + the agent's
 *     seq in one transaction), then passed on, acknowledged, and the ack written to the journal. The
 *     next sample waits until the agent's journal has no record pending, so acks do not overlap samples;
 *   - ID card: `simulation.present(fields)` until the desk's client has the 'id-card' message (sent
 *     live by the agent, never journalled), then the card is removed and the reader's status awaited.
 *     The reader polls for a card every 300 ms, so present → message holds a wait of 0–300 ms on
 *     both sides; the reader's event → message is the part a desk agent can add to. A random pause of
 *     0–300 ms before each card keeps the presentations from locking onto the poll's phase (the previous
 *     sample ends on a poll: the card taken away was seen there).
 * Printed per kind: median and p90 from the simulator call and from the reader's event (the centre's
 * event bus for a local device; for the agent, the read handed to DeskAgent.read's waiter, in a
 * microtask after the agent's synchronous handling — a live read is already written to the link then);
 * for the agent also its reader's event → the centre's event bus and, for scans, the centre's
 * transaction. Then the added ms at the median (agent − local), the ratio, and whether the aim is met.
 * For scans, the journal's own append + fsync is measured alone after the run (EventJournal in a temp
 * folder on the same disk, the same record), so the reader sees where the added time goes.
 *
 * Knob: BENCH_AGENT_EVENTS (100 scans per side, and a quarter as many ID-card reads, after 3 warm-up each;
 * about 35 s in all).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { SAMPLE_ID_CARD } from '../../drivers/readers/id-card-reader.contract';
import { enrolAgent } from '../../src/agents/agent/agent-credentials';
import { loadAgentSettings } from '../../src/agents/agent/agent-settings';
import { type AgentLogger, DeskAgent } from '../../src/agents/agent/desk-agent';
import { EventJournal } from '../../src/agents/agent/journal/event-journal';
import { encodeDeviceEvent, type LinkValue } from '../../src/agents/link/event-codec';
import type { DeviceSimulation } from '../../src/devices/device-factory';
import { type DeviceEvent, DeviceEvents } from '../../src/devices/device-events';
import { DeviceRegistry } from '../../src/devices/device-registry';
import { Transactions } from '../../src/platform/database/transactions';
import { startTestApp } from '../support/e2e-app';

/** Scans per side; ID-card reads per side are a quarter of it (each waits for the reader's 300 ms poll). */
const EVENTS = Number(process.env.BENCH_AGENT_EVENTS ?? 100);
const ID_CARD_EVENTS = Math.max(1, Math.ceil(EVENTS / 4));
/** The ID-card reader's poll interval (DEFAULT_ID_CARD_READER_OPTIONS): a card waits 0–300 ms to be seen. */
const ID_POLL_MS = 300;
const WARMUP = 3;
const JOURNAL_APPENDS = 200;
const AIM_MS = 2;
const WAIT_MS = 10_000;
const DESK_LOCAL = '门诊挂号A';
const DESK_AGENT = '门诊挂号B';
const DEVICES = {
  local: { scanner: 'bench-a-scanner', idCard: 'bench-a-idcard' },
  agent: { scanner: 'bench-b-scanner', idCard: 'bench-b-idcard' },
} as const;
type Side = keyof typeof DEVICES;
const READY_STATES = new Set(['connected', 'waiting']);

const out = (text: string): void => void process.stdout.write(text);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const median = (values: number[]): number => pct(values, 50);
const fmt = (n: number, digits = 2): string => n.toFixed(digits);

/** Items with the time they came; `next` waits for the first matching one that comes after the call. */
class Arrivals<T> {
  private readonly waiters = new Set<{ match: (item: T) => boolean; done: (at: number, item: T) => void }>();

  push(at: number, item: T): void {
    for (const w of [...this.waiters]) {
      if (w.match(item)) {
        this.waiters.delete(w);
        w.done(at, item);
      }
    }
  }

  next(match: (item: T) => boolean, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        done: (at: number) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`agents bench: no ${what} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.waiters.add(waiter);
    });
  }
}

type WireMessage = Record<string, unknown>;

async function deskClient(
  base: string,
  desk: string,
  token: string,
): Promise<{ ws: WebSocket; got: Arrivals<WireMessage> }> {
  const got = new Arrivals<WireMessage>();
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(desk)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  ws.on('message', (data: Buffer) => {
    const at = performance.now();
    got.push(at, JSON.parse(data.toString('utf8')) as WireMessage);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, got };
}

async function until(ok: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) {
      throw new Error(`agents bench: ${what} not within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}

interface Sample {
  /** Simulator call → the desk's WebSocket client has the message. */
  fromActionMs: number;
  /** The reader's event → the desk's WebSocket client has the message. */
  fromEventMs: number;
  /** Agent only: its reader's event → the centre's event bus. */
  toCentreMs?: number;
  /** Agent scans only: the centre's transactions inside the window (agent_event + seq). */
  centreTxMs?: number;
}

const quiet: AgentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: (fields, message) =>
    void process.stderr.write(`agents bench: agent error: ${message} ${JSON.stringify(fields)}\n`),
};

export async function benchAgents(): Promise<void> {
  const t = await startTestApp({
    devices: [
      { id: DEVICES.local.scanner, kind: 'scanner', transport: 'simulated', desk: DESK_LOCAL },
      { id: DEVICES.local.idCard, kind: 'id-card', transport: 'simulated', desk: DESK_LOCAL },
      { id: DEVICES.agent.scanner, kind: 'scanner', transport: 'simulated', desk: DESK_AGENT, host: 'agent' },
      { id: DEVICES.agent.idCard, kind: 'id-card', transport: 'simulated', desk: DESK_AGENT, host: 'agent' },
    ],
  });
  const { app, config } = t;
  const agentDir = mkdtempSync(join(tmpdir(), 'gw-bench-agent-'));
  const journalDir = mkdtempSync(join(tmpdir(), 'gw-bench-journal-'));
  let agent: DeskAgent | undefined;
  const sockets: WebSocket[] = [];
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    // admin to enrol; the desk's WebSocket carries scans and ID-card reads only to identity / trace-codes keys.
    const key = await t.token(['admin', 'identity', 'trace-codes']);

    // The centre's event bus: a local device's reads, and an agent's as the link passes them on.
    const bus = new Arrivals<DeviceEvent>();
    let sampleScan: DeviceEvent | undefined;
    app.get(DeviceEvents).prependListener('event', (event) => {
      const at = performance.now();
      if (event.type === 'scan' && event.deviceId === DEVICES.local.scanner) {
        sampleScan ??= event;
      }
      bus.push(at, event);
    });
    // The centre's transactions (only the link's agent_event + seq runs one while the bench scans).
    const txSpans: { start: number; end: number }[] = [];
    const transactions = app.get(Transactions);
    const run = transactions.run.bind(transactions);
    transactions.run = async <R>(work: Parameters<Transactions['run']>[0]): Promise<R> => {
      const start = performance.now();
      try {
        return (await run(work)) as R;
      } finally {
        txSpans.push({ start, end: performance.now() });
      }
    };

    // Enrolled as a desk PC is, then started in this process.
    const res = await fetch(`${base}/api/v1/agents/enrolments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ desk: DESK_AGENT, name: 'bench agent' }),
    });
    const enrolment = (await res.json()) as { code?: string };
    if (res.status !== 201 || enrolment.code === undefined) {
      throw new Error(
        `agents bench: POST /api/v1/agents/enrolments answered ${res.status} ${JSON.stringify(enrolment)}`,
      );
    }
    const central = `ws://127.0.0.1:${port}`;
    const { credential } = await enrolAgent({
      central,
      code: enrolment.code,
      dataDir: agentDir,
      agentVersion: 'bench',
    });
    const settings = loadAgentSettings(agentDir, { central: credential.central });
    const started = await DeskAgent.start({
      dataDir: agentDir,
      settings,
      credential,
      agentVersion: 'bench',
      logger: quiet,
    });
    agent = started;
    const registry = app.get(DeviceRegistry);
    const allIds = [...Object.values(DEVICES.local), ...Object.values(DEVICES.agent)];
    await until(
      () =>
        started.status().link.state === 'online' &&
        allIds.every((id) => READY_STATES.has(registry.get(id)?.status.state ?? 'disconnected')),
      'the agent online and all four devices up',
    );

    const clients = {
      local: await deskClient(base, DESK_LOCAL, key),
      agent: await deskClient(base, DESK_AGENT, key),
    };
    sockets.push(clients.local.ws, clients.agent.ws);
    const simulation = (side: Side, kind: 'scanner' | 'idCard'): DeviceSimulation => {
      const id = DEVICES[side][kind];
      const sim = side === 'local' ? registry.simulation(id) : started.simulation(id);
      if (sim === undefined) {
        throw new Error(`agents bench: ${id} has no simulation controls`);
      }
      return sim;
    };
    /** When the reader of `side` emitted its next read of `type` (`match` picks ours). */
    const readerEvent = (
      side: Side,
      deviceId: string,
      type: DeviceEvent['type'],
      match: (e: DeviceEvent) => boolean,
    ) => {
      if (side === 'local') {
        return bus.next(
          (e) => e.deviceId === deviceId && e.type === type && match(e),
          `${type} of ${deviceId} on the bus`,
        );
      }
      // maxAgeMs −1: no read the agent already holds counts, only the next one.
      return started.read({ kinds: [type], deviceId, maxAgeMs: -1, waitMs: WAIT_MS }).then((read) => {
        const at = performance.now();
        if (read === null || !match(read)) {
          throw new Error(`agents bench: the agent's ${deviceId} did not read what was presented`);
        }
        return at;
      });
    };

    let n = 0;
    const scanOnce = async (side: Side): Promise<Sample> => {
      const text = `8${String(++n).padStart(19, '0')}`;
      const deviceId = DEVICES[side].scanner;
      const isOurs = (e: DeviceEvent): boolean => e.type === 'scan' && e.scan.text === text;
      const arrived = clients[side].got.next((m) => m.type === 'scan' && m.text === text, `scan ${text} at ${side}`);
      const emitted = readerEvent(side, deviceId, 'scan', isOurs);
      const atCentre =
        side === 'agent' ? bus.next((e) => e.deviceId === deviceId && isOurs(e), `scan ${text} at the centre`) : null;
      const sim = simulation(side, 'scanner');
      if (sim.kind !== 'scanner') {
        throw new Error(`agents bench: ${deviceId} is not a scanner`);
      }
      const t0 = performance.now();
      await sim.scan(text);
      const [tEvent, tWs, tCentre] = await Promise.all([emitted, arrived, atCentre]);
      const sample: Sample = { fromActionMs: tWs - t0, fromEventMs: tWs - tEvent };
      if (tCentre !== null) {
        sample.toCentreMs = tCentre - tEvent;
        sample.centreTxMs = txSpans
          .filter((s) => s.start >= t0 && s.end <= tWs)
          .reduce((sum, s) => sum + (s.end - s.start), 0);
        // The centre's ack written to the journal before the next sample.
        await until(() => started.status().journal.pendingRecords === 0, 'the agent’s journal acknowledged', WAIT_MS);
      }
      txSpans.length = 0;
      return sample;
    };
    const idCardOnce = async (side: Side): Promise<Sample> => {
      const deviceId = DEVICES[side].idCard;
      const got = clients[side].got;
      const isOurs = (e: DeviceEvent): boolean =>
        e.type === 'id-card' && e.read.identity.idNumber === SAMPLE_ID_CARD.idNumber;
      const arrived = got.next((m) => m.type === 'id-card' && m.deviceId === deviceId, `ID-card read at ${side}`);
      // The reader says 'reading', emits the read, then 'waiting' (take the card away): all three come.
      const afterRead = got.next(
        (m) => m.type === 'status' && m.deviceId === deviceId && m.state === 'waiting',
        `${deviceId} waiting after the read`,
      );
      const emitted = readerEvent(side, deviceId, 'id-card', isOurs);
      const atCentre =
        side === 'agent' ? bus.next((e) => e.deviceId === deviceId && isOurs(e), `ID-card read at the centre`) : null;
      const sim = simulation(side, 'idCard');
      if (sim.kind !== 'id-card') {
        throw new Error(`agents bench: ${deviceId} is not an ID-card reader`);
      }
      await new Promise((r) => setTimeout(r, Math.random() * ID_POLL_MS));
      const t0 = performance.now();
      sim.present(SAMPLE_ID_CARD);
      const [tEvent, tWs, tCentre] = await Promise.all([emitted, arrived, atCentre]);
      await afterRead;
      const gone = got.next(
        (m) => m.type === 'status' && m.deviceId === deviceId && m.state === 'waiting',
        `${deviceId} waiting after the card was taken away`,
      );
      sim.remove();
      await gone;
      return {
        fromActionMs: tWs - t0,
        fromEventMs: tWs - tEvent,
        ...(tCentre !== null ? { toCentreMs: tCentre - tEvent } : {}),
      };
    };

    const kinds = [
      { label: 'scan', once: scanOnce, count: EVENTS, local: [] as Sample[], agent: [] as Sample[] },
      { label: 'ID card', once: idCardOnce, count: ID_CARD_EVENTS, local: [] as Sample[], agent: [] as Sample[] },
    ];
    const benchStarted = performance.now();
    for (const kind of kinds) {
      for (let i = 0; i < WARMUP; i++) {
        await kind.once('local');
        await kind.once('agent');
      }
      for (let i = 0; i < kind.count; i++) {
        const order: Side[] = i % 2 === 0 ? ['local', 'agent'] : ['agent', 'local'];
        for (const side of order) {
          kind[side].push(await kind.once(side));
        }
      }
    }
    const seconds = (performance.now() - benchStarted) / 1000;

    // The journal alone, on the same disk, with the record a scan makes.
    if (sampleScan === undefined) {
      throw new Error('agents bench: no local scan was seen on the bus');
    }
    const record = encodeDeviceEvent(sampleScan);
    const journal = await EventJournal.open<LinkValue>(journalDir, {
      maxRecords: settings.journalMaxRecords,
      maxBytes: settings.journalMaxBytes,
    });
    const appendMs: number[] = [];
    try {
      for (let i = 0; i < JOURNAL_APPENDS; i++) {
        const a0 = performance.now();
        await journal.append(record);
        appendMs.push(performance.now() - a0);
      }
    } finally {
      await journal.close();
    }

    printResults(kinds, seconds, appendMs);
  } finally {
    for (const ws of sockets) {
      if (ws.readyState !== WebSocket.CLOSED) {
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        ws.close();
        await closed;
      }
    }
    await agent?.stop();
    await app.close();
    for (const dir of [config.dataDir, agentDir, journalDir]) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function printResults(
  kinds: { label: string; local: Sample[]; agent: Sample[] }[],
  seconds: number,
  appendMs: number[],
): void {
  out(
    `\nDesk agents: a device event through a desk agent vs the same simulated device on the gateway's machine\n` +
      `  one process on loopback: centre (SQLite, logging silent), DeskAgent over ws://, one desk WebSocket client per desk;\n` +
      `  ${kinds.map((k) => `${k.local.length} ${k.label}s`).join(' and ')} per side after ${WARMUP} warm-up each, local/agent alternating (order flipped every round), ` +
      `${fmt(seconds, 1)} s measured\n`,
  );
  const cell = (values: number[]): string => `${fmt(median(values)).padStart(7)} ${fmt(pct(values, 90)).padStart(7)}`;
  const row = (label: string, values: number[]): string => `    ${label.padEnd(60)}${cell(values)}\n`;
  for (const { label, local, agent } of kinds) {
    const isScan = label === 'scan';
    const action = isScan ? 'scan()' : 'present()';
    const verdict = (measure: 'fromActionMs' | 'fromEventMs'): { added: number; ratio: number; met: boolean } => {
      const l = median(local.map((s) => s[measure]));
      const a = median(agent.map((s) => s[measure]));
      return { added: a - l, ratio: a / l, met: a - l < AIM_MS };
    };
    const fromAction = verdict('fromActionMs');
    const fromEvent = verdict('fromEventMs');
    out(
      `\n  ${isScan ? 'scan (agent: journal append + fsync, link, centre transaction, ack)' : 'ID card (agent: sent live, never journalled)'}\n` +
        `    ${''.padEnd(60)}${'median'.padStart(7)} ${'p90'.padStart(7)} ms\n` +
        row(
          `local  ${action} → desk WebSocket client`,
          local.map((s) => s.fromActionMs),
        ) +
        row(
          `agent  ${action} → desk WebSocket client`,
          agent.map((s) => s.fromActionMs),
        ) +
        row(
          `local  reader's event → desk WebSocket client`,
          local.map((s) => s.fromEventMs),
        ) +
        row(
          `agent  reader's event → desk WebSocket client`,
          agent.map((s) => s.fromEventMs),
        ) +
        row(
          `  of which agent's reader event → the centre's event bus`,
          agent.map((s) => s.toCentreMs ?? NaN),
        ) +
        (isScan
          ? row(
              `  of which the centre's transaction (agent_event + seq)`,
              agent.map((s) => s.centreTxMs ?? NaN),
            ) + row(`journal append + fsync alone (${appendMs.length} appends, same disk)`, appendMs)
          : '') +
        `    added at the median (agent − local): ${action} → client ${fmt(fromAction.added)} ms (ratio ${fmt(fromAction.ratio)}), ` +
        `reader's event → client ${fmt(fromEvent.added)} ms (ratio ${fmt(fromEvent.ratio)})\n` +
        (isScan
          ? `    aim (< ${AIM_MS} ms added at the median, scan() → client): ${fromAction.met ? 'met' : 'MISSED'}` +
            `${fromAction.met ? '' : ` — the journal's fsync alone takes ${fmt(median(appendMs))} ms at the median`}\n`
          : `    aim (< ${AIM_MS} ms added at the median, reader's event → client; present() → client holds the reader's ` +
            `0–300 ms poll wait on both sides): ${fromEvent.met ? 'met' : 'MISSED'}\n`),
    );
  }
}
