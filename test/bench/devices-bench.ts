/**
 * Device layer benchmarks, printed as ratios measured side by side in one run (see run.ts).
 *
 *  1. One resident ID-card read over a real pty pair (socat), 115200 baud set on both ends: the
 *     real driver (IdCardReader on NodeSerialTransport) against the virtual reader
 *     (IdCardSimulator on NodeSerialTransport at the other end), both in this process. A pty does
 *     not throttle to the baud rate, so the measured time is our processing (driver, simulator,
 *     kernel pty, event loop); the wire time (bytes both ways x 10 bits for 8N1 / 115200) is what
 *     a real cable adds. Printed side by side, with their ratio.
 *  2. Parser throughput in MB/s (10^6 bytes/s), each parser next to a bare scan of the same bytes
 *     for its delimiter (Buffer.indexOf; for HID POS reports, reading the count byte and the
 *     continuation bit), alternating, so the ratio parser/bare is the price of framing: the
 *     ID-card frame parser, the serial scanner framer, and the HID POS assembler on the same codes.
 *
 * Without socat part 1 is skipped with a note; part 2 always runs.
 * Knobs: BENCH_ID_READS (30 per round), BENCH_ID_ROUNDS (3), BENCH_PARSER_ROUNDS (7),
 * BENCH_PARSER_BYTES (2,000,000 per stream).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildReadReply,
  commands,
  HEADER_LENGTH,
  ID_CARD_PHOTO_LENGTH,
  IdCardFrameParser,
  PREAMBLE,
  type Command,
  type IdCardTextFields,
} from '../../drivers/protocols/id-card-frame';
import { encodeHidPosReports, HID_POS_REPORT_SIZE, HidPosAssembler } from '../../drivers/protocols/hid-pos';
import { ScannerFramer } from '../../drivers/protocols/scanner-framing';
import type { DeviceStatus } from '../../drivers/readers/device-status';
import { IdCardReader } from '../../drivers/readers/id-card-reader';
import { SAMPLE_ID_CARD } from '../../drivers/readers/id-card-reader.contract';
import { transportLine } from '../../drivers/simulators/fake-device-line';
import { IdCardSimulator } from '../../drivers/simulators/id-card-simulator';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import type { SerialTransport } from '../../drivers/transports/serial-transport';
import type { TransportError } from '../../drivers/transports/transport-errors';
import { startPtyPair } from '../support/socat';

const BAUD = 115_200;
/** 8N1: start bit, 8 data bits, stop bit. */
const BITS_PER_BYTE = 10;
const POLL_MS = 5;
const ID_READS = Number(process.env.BENCH_ID_READS ?? 30);
const ID_ROUNDS = Number(process.env.BENCH_ID_ROUNDS ?? 3);
const ID_WARMUP_READS = 3;
const PARSER_ROUNDS = Number(process.env.BENCH_PARSER_ROUNDS ?? 7);
const PARSER_BYTES = Number(process.env.BENCH_PARSER_BYTES ?? 2_000_000);

const out = (text: string): void => void process.stdout.write(text);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const median = (values: number[]): number => pct(values, 50);
const wireMs = (bytes: number): number => ((bytes * BITS_PER_BYTE) / BAUD) * 1000;
const fmt = (n: number, digits = 2): string => n.toFixed(digits);
const range = (values: number[], digits = 2): string =>
  `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;

/** Seeded, so every run (and both sides of a comparison) cut the same chunks. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// 1. ID-card read over a pty
// ---------------------------------------------------------------------------------------------

type CommandName = 'find' | 'select' | 'read' | 'sam' | 'other';

interface WireEvent {
  at: number;
  dir: 'out' | 'in';
  bytes: number;
  command?: CommandName;
}

const COMMAND_NAMES: [Command, CommandName][] = [
  [commands.findCard, 'find'],
  [commands.selectCard, 'select'],
  [commands.readTextAndPhoto, 'read'],
  [commands.samStatus, 'sam'],
];

function commandName(frame: Buffer): CommandName {
  const [cmd, para] = [frame[HEADER_LENGTH], frame[HEADER_LENGTH + 1]];
  return COMMAND_NAMES.find(([c]) => c.cmd === cmd && c.para === para)?.[1] ?? 'other';
}

/** One end of the line, logging every write (with the command it carries) and every received chunk. */
class RecordingTransport implements SerialTransport {
  readonly events: WireEvent[] = [];

  constructor(private readonly inner: SerialTransport) {
    // Registered before the reader's listener, so a chunk is logged before the reader sees it.
    inner.onData((chunk) => this.events.push({ at: performance.now(), dir: 'in', bytes: chunk.length }));
  }

  get path(): string {
    return this.inner.path;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  write(data: Buffer): Promise<void> {
    this.events.push({ at: performance.now(), dir: 'out', bytes: data.length, command: commandName(data) });
    return this.inner.write(data);
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    return this.inner.onData(listener);
  }

  onDisconnect(listener: (error: TransportError) => void): () => void {
    return this.inner.onDisconnect(listener);
  }
}

interface ReadSample {
  /** Discovering find-card written → 'card' event. */
  totalMs: number;
  findMs: number;
  selectMs: number;
  readMs: number;
  /** In the driver: from each reply's last chunk arriving to the next command written (or the card event). */
  driverMs: number;
  /** In the simulator: from each command's last chunk arriving to its reply being written. */
  simulatorMs: number;
  /** present() → 'card' event: includes waiting for the next poll. */
  presentMs: number;
  bytesOut: number;
  bytesIn: number;
  findBytes: number;
  selectBytes: number;
  readBytes: number;
  /** The read reply: its bytes and the chunks it arrived in at the host end. */
  readReplyBytes: number;
  readChunks: number;
}

/** Cuts one read out of the host's log: the last read, the select before it, the find before that. */
function analyseRead(
  events: WireEvent[],
  end: number,
  device: WireEvent[],
  presentedAt: number,
  cardAt: number,
): ReadSample {
  const lastOut = (name: CommandName, before: number): number => {
    for (let i = before - 1; i >= 0; i--) {
      if (events[i].dir === 'out' && events[i].command === name) {
        return i;
      }
    }
    throw new Error(`no ${name} command in the log before the card event`);
  };
  const iRead = lastOut('read', end);
  const iSelect = lastOut('select', iRead);
  const iFind = lastOut('find', iSelect);
  const lastInBefore = (i: number): number => {
    for (let j = i - 1; j >= 0; j--) {
      if (events[j].dir === 'in') {
        return j;
      }
    }
    throw new Error('no reply in the log');
  };
  const driverMs =
    events[iSelect].at -
    events[lastInBefore(iSelect)].at +
    (events[iRead].at - events[lastInBefore(iRead)].at) +
    (cardAt - events[lastInBefore(end)].at);
  // The device end: every reply written during the read, less the arrival of the command it answers.
  let simulatorMs = 0;
  let lastIn: number | undefined;
  for (const e of device) {
    if (e.at < events[iFind].at || e.at > cardAt) {
      continue;
    }
    if (e.dir === 'in') {
      lastIn = e.at;
    } else if (lastIn !== undefined) {
      simulatorMs += e.at - lastIn;
      lastIn = undefined;
    }
  }
  const sum = (from: number, to: number, dir?: 'in' | 'out'): number =>
    events.slice(from, to).reduce((s, e) => s + (dir === undefined || e.dir === dir ? e.bytes : 0), 0);
  return {
    totalMs: cardAt - events[iFind].at,
    findMs: events[iSelect].at - events[iFind].at,
    selectMs: events[iRead].at - events[iSelect].at,
    readMs: cardAt - events[iRead].at,
    driverMs,
    simulatorMs,
    presentMs: cardAt - presentedAt,
    bytesOut: sum(iFind, end, 'out'),
    bytesIn: sum(iFind, end, 'in'),
    findBytes: sum(iFind, iSelect),
    selectBytes: sum(iSelect, iRead),
    readBytes: sum(iRead, end),
    readReplyBytes: sum(iRead, end, 'in'),
    readChunks: events.slice(iRead, end).filter((e) => e.dir === 'in').length,
  };
}

function nextCard(
  reader: IdCardReader,
  host: RecordingTransport,
  timeoutMs: number,
): Promise<{ at: number; logLength: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`no card event within ${timeoutMs} ms (reader: ${reader.status.state} ${reader.status.message})`),
        ),
      timeoutMs,
    );
    reader.once('card', () => {
      const at = performance.now();
      clearTimeout(timer);
      resolve({ at, logLength: host.events.length });
    });
  });
}

function statusWhere(
  reader: IdCardReader,
  check: (s: DeviceStatus) => boolean,
  what: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const listener = (s: DeviceStatus): void => {
      if (check(s)) {
        clearTimeout(timer);
        reader.off('status', listener);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      reader.off('status', listener);
      reject(new Error(`timed out waiting for ${what} (reader: ${reader.status.state} ${reader.status.message})`));
    }, timeoutMs);
    reader.on('status', listener);
    listener(reader.status);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function socatInstalled(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

async function benchIdCardPty(): Promise<void> {
  out(
    `\nID-card read over a real pty pair (socat), NodeSerialTransport at ${BAUD} baud on both ends, IdCardReader <-> IdCardSimulator in this process\n`,
  );
  if (!socatInstalled()) {
    out(
      '  skipped: socat is not installed (apt-get install socat, or brew install socat); the parser benchmarks below still run\n',
    );
    return;
  }
  out(
    `  poll interval ${POLL_MS} ms for the bench (production default 300 ms), so polling does not dominate; ${ID_ROUNDS} rounds x ${ID_READS} reads after ${ID_WARMUP_READS} warm-up reads\n` +
      "  read-to-event: from writing the find-card command (20 01) that discovers the card to the reader emitting 'card'\n" +
      `  wire: the bytes both ways during that read x ${BITS_PER_BYTE} bits (8N1) / ${BAUD} baud, what a real cable adds; a pty does not throttle to the baud rate\n` +
      '  measured/wire: our processing (driver + simulator + kernel pty + event loop) per unit of cable time\n',
  );
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-idcard-'));
  const pair = await startPtyPair(dir, 'idcard');
  const device = new RecordingTransport(new NodeSerialTransport({ path: pair.devicePath, baudRate: BAUD }));
  const host = new RecordingTransport(new NodeSerialTransport({ path: pair.hostPath, baudRate: BAUD }));
  const simulator = new IdCardSimulator(transportLine(device));
  const reader = new IdCardReader(host, {
    pollIntervalMs: POLL_MS,
    replyTimeoutMs: 3000,
    reconnectBaseMs: 50,
    reconnectMaxMs: 200,
  });
  const rand = mulberry32(7);
  try {
    await device.open();
    reader.start();
    await statusWhere(reader, (s) => s.state === 'waiting', 'the reader to wait for a card', 5000);

    const oneRead = async (): Promise<ReadSample> => {
      await sleep(rand() * POLL_MS); // present at a random phase of the poll
      const card = nextCard(reader, host, 5000);
      const presentedAt = performance.now();
      simulator.present(SAMPLE_ID_CARD);
      const { at, logLength } = await card;
      const sample = analyseRead(host.events, logLength, device.events, presentedAt, at);
      host.events.length = 0;
      device.events.length = 0;
      // The status after the read ('waiting', take the card away) was emitted with the card event;
      // the next status change is the reader noticing the card is gone.
      const before = reader.status;
      simulator.remove();
      await statusWhere(reader, (s) => s !== before, 'the reader to notice the card was taken away', 5000);
      if (reader.status.state !== 'waiting') {
        throw new Error(`reader: ${reader.status.state} ${reader.status.message}`);
      }
      return sample;
    };

    for (let i = 0; i < ID_WARMUP_READS; i++) {
      await oneRead();
    }
    const rounds: ReadSample[][] = [];
    for (let r = 0; r < ID_ROUNDS; r++) {
      const samples: ReadSample[] = [];
      for (let i = 0; i < ID_READS; i++) {
        samples.push(await oneRead());
      }
      rounds.push(samples);
    }
    printIdCardResults(rounds);
  } finally {
    await reader.stop();
    await device.close();
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printIdCardResults(rounds: ReadSample[][]): void {
  const all = rounds.flat();
  const bytesOut = median(all.map((s) => s.bytesOut));
  const bytesIn = median(all.map((s) => s.bytesIn));
  const varying =
    new Set(all.map((s) => s.bytesOut + s.bytesIn)).size > 1
      ? ` (varied ${range(
          all.map((s) => s.bytesOut + s.bytesIn),
          0,
        )})`
      : '';
  out(
    `  bytes per read: ${bytesOut + bytesIn}${varying} = host->reader ${bytesOut} + reader->host ${bytesIn}; ` +
      `the ${median(all.map((s) => s.readReplyBytes))}-byte read reply reached the host in ${median(all.map((s) => s.readChunks))} chunk(s) (median; ${range(
        all.map((s) => s.readChunks),
        0,
      )})\n` +
      '  (a real line spreads that reply over ~113 ms in small chunks; the 1–64 byte parser run below is that case)\n',
  );
  out(
    `  ${''.padEnd(40)}${'median'.padStart(9)}${'p90'.padStart(10)}   ${'round medians'.padEnd(16)}${'wire'.padStart(10)}   measured/wire (median, p90)\n`,
  );
  const row = (
    label: string,
    pick: (s: ReadSample) => number,
    bytes: ((s: ReadSample) => number) | undefined,
  ): void => {
    const values = all.map(pick);
    const m = median(values);
    const p90 = pct(values, 90);
    const roundMedians = `${range(rounds.map((r) => median(r.map(pick))))} ms`;
    const wire = bytes === undefined ? undefined : wireMs(median(all.map(bytes)));
    const wireText = wire === undefined ? '—' : `${fmt(wire)} ms`;
    const ratioText = wire === undefined ? '' : `${fmt(m / wire, 3)}, ${fmt(p90 / wire, 3)}`;
    out(
      `  ${label.padEnd(40)}${fmt(m).padStart(6)} ms${fmt(p90).padStart(7)} ms   ${roundMedians.padEnd(16)}${wireText.padStart(10)}   ${ratioText}\n`,
    );
  };
  row(
    'read-to-event (total)',
    (s) => s.totalMs,
    (s) => s.bytesOut + s.bytesIn,
  );
  row(
    '  find   20 01 -> select',
    (s) => s.findMs,
    (s) => s.findBytes,
  );
  row(
    '  select 20 02 -> read',
    (s) => s.selectMs,
    (s) => s.selectBytes,
  );
  row(
    '  read   30 01 -> card event',
    (s) => s.readMs,
    (s) => s.readBytes,
  );
  const wholeRead = (s: ReadSample): number => s.bytesOut + s.bytesIn;
  row('  in the driver (reply in -> next out)', (s) => s.driverMs, wholeRead);
  row('  in the simulator (command in -> reply)', (s) => s.simulatorMs, wholeRead);
  row('  the rest (pty, serialport, event loop)', (s) => s.totalMs - s.driverMs - s.simulatorMs, wholeRead);
  row('present-to-event', (s) => s.presentMs, undefined);
  const total = median(all.map((s) => s.totalMs));
  const wire = wireMs(median(all.map((s) => s.bytesOut + s.bytesIn)));
  out(
    '  (the three phases run from one command written to the next and add up to the total, as do driver + simulator + rest;\n' +
      '   present-to-event also waits for the next poll, up to one interval plus timer lateness)\n' +
      `  on a real cable at ${BAUD} a read would take about wire + processing = ${fmt(wire, 1)} + ${fmt(total, 1)} ms, ` +
      `the cable ${fmt((wire / (wire + total)) * 100, 0)}% of it (an upper bound for processing: on a cable it overlaps the transfer)\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// 2. Parser throughput
// ---------------------------------------------------------------------------------------------

function randomChunks(stream: Buffer, rand: () => number, min: number, max: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length;) {
    const size = min + Math.floor(rand() * (max - min + 1));
    chunks.push(stream.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

function idCardStream(targetBytes: number, rand: () => number): { stream: Buffer; frames: number } {
  const people: IdCardTextFields[] = [
    SAMPLE_ID_CARD,
    { ...SAMPLE_ID_CARD, name: '马建国', nationCode: '01', idNumber: '640104198503120319', birthDate: '1985-03-12' },
  ];
  // Real photos are compressed (WLT), so random bytes are the fair stand-in.
  const replies = Array.from({ length: 16 }, (_, i) => {
    const photo = Buffer.alloc(ID_CARD_PHOTO_LENGTH);
    for (let j = 0; j < photo.length; j++) {
      photo[j] = Math.floor(rand() * 256);
    }
    return buildReadReply(people[i % people.length], photo);
  });
  const frames = Math.ceil(targetBytes / replies[0].length);
  return { stream: Buffer.concat(Array.from({ length: frames }, (_, i) => replies[i % replies.length])), frames };
}

interface ScannedCode {
  /** AIM symbology identifier, when the scanner is set to send it. */
  aim?: string;
  data: string;
}

/** Codes as a pharmacy desk scans them; about `targetBytes` of data in all. */
function scannedCodes(targetBytes: number, rand: () => number): ScannedCode[] {
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const makers: (() => ScannedCode)[] = [
    // 20-digit drug traceability code (药品追溯码), the bulk of what a pharmacy desk scans.
    () => ({ data: `8${digits(19)}` }),
    // GS1 DataMatrix on a drug pack: GTIN, expiry, batch, GS, serial.
    () => ({ aim: ']d2', data: `01${digits(14)}17${digits(6)}10B${digits(5)}\x1d21${digits(12)}` }),
    // A QR code with Chinese text (UTF-8); longer than one HID POS report.
    () => ({ aim: ']Q1', data: `https://example.gov.cn/ningxia/gs?no=${digits(10)}&name=宁夏工伤` }),
    // An EAN-13 commodity barcode.
    () => ({ aim: ']E0', data: digits(13) }),
  ];
  const codes: ScannedCode[] = [];
  for (let bytes = 0; bytes < targetBytes;) {
    const code = makers[codes.length % makers.length]();
    codes.push(code);
    bytes += Buffer.byteLength(code.data) + (code.aim?.length ?? 0);
  }
  return codes;
}

/** A serial (virtual COM) scanner's byte stream: AIM id, data, CR. */
function serialScannerStream(codes: ScannedCode[]): Buffer {
  return Buffer.concat(codes.map((c) => Buffer.from(`${c.aim ?? ''}${c.data}\r`, 'utf8')));
}

interface Side {
  label: string;
  /** Runs one pass over the chunks and checks its result (throws if wrong). */
  pass: (chunks: Buffer[]) => void;
}

/** One timed sample repeats the pass until it lasts about this long, so timer resolution does not matter. */
const SAMPLE_MS = 50;

/** What the stream carries and the link it comes over, to put a parser's rate in proportion. */
interface StreamContext {
  items: number;
  unit: string;
  link: string;
  linkBytesPerSecond: number;
}

const SERIAL_LINK = { link: `a ${BAUD} baud serial line`, linkBytesPerSecond: BAUD / BITS_PER_BYTE };
/** Full-speed USB HID interrupt endpoint at a 1 ms interval: one 64-byte report per frame. */
const HID_LINK = { link: 'full-speed USB HID (a 64-byte report per 1 ms)', linkBytesPerSecond: 64_000 };

/** Alternates the two sides (order flipped every round) after one warm-up pass each. */
function throughput(
  title: string,
  chunks: Buffer[],
  bytes: number,
  context: StreamContext,
  ours: Side,
  bare: Side,
): void {
  const once = (side: Side): number => {
    const t0 = performance.now();
    side.pass(chunks);
    return performance.now() - t0;
  };
  once(ours);
  once(bare); // warm-up, discarded; the second pass sets how many passes make one sample
  const passes = new Map<Side, number>(
    [ours, bare].map((side) => [side, Math.max(1, Math.ceil(SAMPLE_MS / Math.max(once(side), 0.01)))]),
  );
  const time = (side: Side): number => {
    const n = passes.get(side) ?? 1;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      side.pass(chunks);
    }
    return (n * bytes) / 1e6 / ((performance.now() - t0) / 1000);
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < PARSER_ROUNDS; r++) {
    if (r % 2 === 0) {
      a.push(time(ours));
      b.push(time(bare));
    } else {
      b.push(time(bare));
      a.push(time(ours));
    }
  }
  const ratios = a.map((x, i) => x / b[i]);
  const lineRate = context.linkBytesPerSecond / 1e6;
  const perSecond = (median(a) * 1e6 * context.items) / bytes;
  out(
    `\n  ${title}\n` +
      `    ${ours.label.padEnd(40)}${fmt(median(a), 1).padStart(9)} MB/s  (${range(a, 1)}; ${passes.get(ours)} pass(es) per sample) = ${fmt(perSecond, 0)} ${context.unit}/s\n` +
      `    ${bare.label.padEnd(40)}${fmt(median(b), 1).padStart(9)} MB/s  (${range(b, 1)}; ${passes.get(bare)} pass(es) per sample)\n` +
      `    ratio parser/bare: median ${fmt(median(ratios), 3)} (${range(ratios, 3)} over rounds); ` +
      `the parser runs ${fmt(median(a) / lineRate, 0)}x faster than ${context.link} delivers (${fmt(lineRate * 1000, 2)} kB/s)\n`,
  );
}

function benchParsers(): void {
  out(
    `\nDevice protocol parsers: throughput in MB/s (10^6 bytes/s), ${PARSER_ROUNDS} rounds of ~${SAMPLE_MS} ms samples after a warm-up, parser and bare scan alternating; median (min–max over rounds)\n` +
      '  bare = only finding where frames end in the same chunks (Buffer.indexOf of the delimiter; for HID reports the count byte and\n' +
      '  continuation bit): no framing, no copies, no decoding, the floor any parser pays\n',
  );
  const rand = mulberry32(2026);
  const preamble = Buffer.from(PREAMBLE);
  const { stream: idStream, frames } = idCardStream(PARSER_BYTES, rand);
  const idCardSides = (): [Side, Side] => [
    {
      label: 'IdCardFrameParser',
      pass: (chunks) => {
        const parser = new IdCardFrameParser();
        let got = 0;
        for (const chunk of chunks) {
          for (const event of parser.push(chunk)) {
            if (event.kind !== 'frame') {
              throw new Error(`IdCardFrameParser: unexpected ${event.kind} event in a stream of valid replies`);
            }
            got++;
          }
        }
        if (got !== frames) {
          throw new Error(`IdCardFrameParser found ${got} frames, expected ${frames}`);
        }
      },
    },
    {
      label: 'bare Buffer.indexOf(AA AA AA 96 69)',
      pass: (chunks) => {
        let hits = 0;
        for (const chunk of chunks) {
          for (let i = chunk.indexOf(preamble); i >= 0; i = chunk.indexOf(preamble, i + preamble.length)) {
            hits++;
          }
        }
        if (hits === 0 || hits > frames) {
          throw new Error(`bare scan found ${hits} preambles in ${frames} frames`);
        }
      },
    },
  ];
  const mb = (n: number): string => fmt(n / 1e6, 2);
  for (const [min, max, why] of [
    [1, 64, 'the sizes a serial line delivers'],
    [64, 4096, 'large reads'],
  ] as const) {
    const chunks = randomChunks(idStream, rand, min, max);
    throughput(
      `ID-card frame parser: ${frames} read replies (1,295 bytes each, ${mb(idStream.length)} MB) in ${chunks.length} chunks of ${min}–${max} bytes (${why})`,
      chunks,
      idStream.length,
      { items: frames, unit: 'replies', ...SERIAL_LINK },
      ...idCardSides(),
    );
  }

  const scanned = scannedCodes(PARSER_BYTES, rand);
  const codes = scanned.length;
  const scanStream = serialScannerStream(scanned);
  const scanChunks = randomChunks(scanStream, rand, 1, 64);
  throughput(
    `Scanner framer (terminator CR): ${codes} codes (trace codes, GS1 DataMatrix, QR with Chinese, EAN-13; ${mb(scanStream.length)} MB) in ${scanChunks.length} chunks of 1–64 bytes`,
    scanChunks,
    scanStream.length,
    { items: codes, unit: 'codes', ...SERIAL_LINK },
    {
      label: 'ScannerFramer',
      pass: (chunks) => {
        const framer = new ScannerFramer({ terminator: 'CR' });
        let got = 0;
        chunks.forEach((chunk, i) => {
          for (const event of framer.push(chunk, i)) {
            if (event.kind !== 'scan') {
              throw new Error(`ScannerFramer: unexpected ${event.kind} event`);
            }
            got++;
          }
        });
        if (got !== codes) {
          throw new Error(`ScannerFramer found ${got} codes, expected ${codes}`);
        }
      },
    },
    {
      label: 'bare Buffer.indexOf(0D)',
      pass: (chunks) => {
        let hits = 0;
        for (const chunk of chunks) {
          for (let i = chunk.indexOf(0x0d); i >= 0; i = chunk.indexOf(0x0d, i + 1)) {
            hits++;
          }
        }
        if (hits !== codes) {
          throw new Error(`bare scan found ${hits} terminators, expected ${codes}`);
        }
      },
    },
  );

  // USB HID POS: the same codes as 64-byte input reports (report ID first, as hidraw delivers them).
  const reports = scanned.flatMap((c) =>
    encodeHidPosReports(Buffer.from(c.data, 'utf8'), c.aim === undefined ? {} : { aim: c.aim }),
  );
  const reportBytes = reports.length * HID_POS_REPORT_SIZE;
  throughput(
    `HID POS assembler: the same ${codes} codes as ${reports.length} input reports of ${HID_POS_REPORT_SIZE} bytes (${mb(reportBytes)} MB of reports); MB/s counts report bytes`,
    reports,
    reportBytes,
    { items: codes, unit: 'codes', ...HID_LINK },
    {
      label: 'HidPosAssembler',
      pass: (chunks) => {
        const assembler = new HidPosAssembler();
        let got = 0;
        chunks.forEach((report, i) => {
          for (const event of assembler.push(report, i)) {
            if (event.kind !== 'scan') {
              throw new Error(`HidPosAssembler: unexpected ${event.reason} error`);
            }
            got++;
          }
        });
        if (got !== codes) {
          throw new Error(`HidPosAssembler found ${got} codes, expected ${codes}`);
        }
      },
    },
    {
      label: 'bare: count byte + continuation bit',
      pass: (chunks) => {
        let ends = 0;
        let bytes = 0;
        for (const report of chunks) {
          bytes += report[1];
          ends += report[HID_POS_REPORT_SIZE - 1] & 0x01 ? 0 : 1;
        }
        if (ends !== codes || bytes === 0) {
          throw new Error(`bare HID loop found ${ends} codes, expected ${codes}`);
        }
      },
    },
  );
  out(
    '    (the bare HID loop reads 2 bytes of each 64-byte report, so this ratio is not comparable with the byte-scanning ones above)\n',
  );
}

export async function benchDevices(): Promise<void> {
  await benchIdCardPty();
  benchParsers();
}
