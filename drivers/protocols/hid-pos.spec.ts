import fc from 'fast-check';
import { encodeGbk } from './gbk-codec';
import { ProtocolError } from './protocol-error';
import {
  encodeHidPosReports,
  HID_POS_DATA_SIZE,
  HidPosAssembler,
  HidPosEvent,
  HidPosOptions,
  parseHidPosReport,
} from './hid-pos';

/** Hex with spaces, for byte layouts written out by hand. */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const zeros = (n: number): Buffer => Buffer.alloc(n);
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

/*
 * Reports as a scanner sends them (see the layout in hid-pos.ts): report ID, count, AIM, data,
 * zero padding to 56 bytes, vendor byte, 00, flags. Written out here, not produced by the
 * encoder, so that encoder and decoder cannot share a mistake.
 */

/** A 码上放心 trace code read from Code 128: `]C0`, Honeywell code ID 'j' (0x6a). */
const TRACE = '81234567890123456789';
const TRACE_REPORT = Buffer.concat([
  hex('02 14 5d 43 30'),
  hex('38 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39'),
  zeros(36),
  hex('6a 00 00'),
]);

/** GS1 DataMatrix on a drug pack: `]d2`, (01)(21) GS (17)(10), Honeywell code ID 'w' (0x77). */
const GS1 = '010690123456789221ABC123\u001d1727123110LOT7';
const GS1_REPORT = Buffer.concat([
  hex('02 27 5d 64 32'),
  ascii('010690123456789221ABC123'),
  hex('1d'),
  ascii('1727123110LOT7'),
  zeros(56 - 39),
  hex('77 00 00'),
]);

/** A 100-byte QR token in two reports: 56 bytes with the continuation bit, then 44. */
const TOKEN =
  'https://ecard.example.invalid/v1/qr?t=' + 'Zm9vYmFyMTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJDEF';
const TOKEN_REPORTS = [
  Buffer.concat([hex('02 38 5d 51 31'), ascii(TOKEN.slice(0, 56)), hex('73 00 01')]),
  Buffer.concat([hex('02 2c 5d 51 31'), ascii(TOKEN.slice(56)), zeros(12), hex('73 00 00')]),
];

/*
 * Two reports from a byte dump of a Honeywell Voyager 1602g in HID POS mode (the last two
 * reports of its REVINF reply, github.com/HenkVanAsselt/python_hon_usbhid): the end of a
 * `]X0` message, and a complete `]Z6` message (the command echoed, ACK 0x06, '.').
 */
const HONEYWELL_X0_LAST = Buffer.concat([hex('02 09 5d 58 30'), ascii('um: N/A\r\n'), zeros(47), hex('3f 00 00')]);
const HONEYWELL_Z6 = Buffer.concat([hex('02 08 5d 5a 36'), ascii('REVINF'), hex('06 2e'), zeros(48), hex('36 00 00')]);

const withoutId = (report: Buffer): Buffer => report.subarray(1);

function run(reports: Buffer[], options: HidPosOptions = {}): HidPosEvent[] {
  const assembler = new HidPosAssembler(options);
  return reports.flatMap((r) => assembler.push(r));
}

const summary = (events: HidPosEvent[]): string[] => events.map((e) => (e.kind === 'scan' ? e.text : `<${e.reason}>`));

describe('hid-pos', () => {
  it('has written-out fixtures of the documented size', () => {
    for (const report of [TRACE_REPORT, GS1_REPORT, ...TOKEN_REPORTS, HONEYWELL_X0_LAST, HONEYWELL_Z6]) {
      expect(report).toHaveLength(64);
    }
  });

  describe(HidPosAssembler.name, () => {
    it('decodes a trace code from one report', () => {
      expect(run([TRACE_REPORT])).toEqual([
        {
          kind: 'scan',
          text: TRACE,
          symbology: expect.objectContaining({ id: ']C0', name: 'Code 128', gs1: false }),
          encoding: 'utf-8',
          raw: ascii(TRACE),
          reports: 1,
        },
      ]);
    });

    it('keeps the GS separators of a GS1 DataMatrix and reports ]d2', () => {
      const [event] = run([GS1_REPORT]);
      expect(event).toMatchObject({
        kind: 'scan',
        text: GS1,
        symbology: { id: ']d2', name: 'Data Matrix', gs1: true },
      });
      expect(event.kind === 'scan' && event.text.split('\u001d')).toEqual([
        '010690123456789221ABC123',
        '1727123110LOT7',
      ]);
    });

    it('joins a code that spans several reports', () => {
      expect(run(TOKEN_REPORTS)).toEqual([
        expect.objectContaining({
          kind: 'scan',
          text: TOKEN,
          reports: 2,
          symbology: expect.objectContaining({ id: ']Q1' }),
        }),
      ]);
    });

    it('decodes the reports of a real Honeywell dump, one code each', () => {
      const events = run([HONEYWELL_X0_LAST, HONEYWELL_Z6]);
      expect(summary(events)).toEqual(['um: N/A\r\n', 'REVINF\u0006.']);
      expect(events[1]).toMatchObject({ symbology: { id: ']Z6', code: 'Z', modifier: '6' } });
    });

    it('reads reports without the report ID the same way (63 bytes, or when told)', () => {
      const stripped = [TRACE_REPORT, GS1_REPORT, ...TOKEN_REPORTS].map(withoutId);
      expect(summary(run(stripped))).toEqual([TRACE, GS1, TOKEN]);
      expect(summary(run(stripped, { reportId: 'omitted' }))).toEqual([TRACE, GS1, TOKEN]);
      // Told the ID is there, a report starting with its count (0x14) is not a scan report.
      expect(run(stripped.slice(0, 1), { reportId: 'included' })).toEqual([]);
    });

    it('ignores reports with other report IDs, even in the middle of a code', () => {
      const keyboard = hex('01 00 00 1e 00 00 00 00 00');
      const status = Buffer.concat([hex('04 38'), zeros(62)]);
      expect(summary(run([keyboard, TOKEN_REPORTS[0], status, TOKEN_REPORTS[1], Buffer.alloc(0)]))).toEqual([TOKEN]);
    });

    it('takes a 0 AIM field as "no symbology" and leaves the data alone', () => {
      const report = Buffer.concat([hex('02 06 00 00 00'), ascii(']Q1abc'), zeros(50), hex('00 00 00')]);
      const [event] = run([report]);
      expect(event).toMatchObject({ kind: 'scan', text: ']Q1abc' });
      expect(event).not.toHaveProperty('symbology');
    });

    it('decodes GBK when the data is not UTF-8', () => {
      const gbk = encodeGbk('宁夏融合码:马晓燕');
      expect(run(encodeHidPosReports(gbk, { aim: ']Q1' }))[0]).toMatchObject({
        kind: 'scan',
        text: '宁夏融合码:马晓燕',
        encoding: 'gbk',
      });
    });

    describe('damaged input', () => {
      it('reports a count larger than the report', () => {
        const bad = Buffer.from(TRACE_REPORT);
        bad[1] = 57;
        expect(run([bad, GS1_REPORT])).toEqual([
          { kind: 'error', reason: 'bad-length', message: expect.stringContaining('重新扫码'), raw: bad },
          expect.objectContaining({ kind: 'scan', text: GS1 }),
        ]);
      });

      it('reports a count that disagrees with the zero padding, either way', () => {
        const shorter = Buffer.from(TRACE_REPORT);
        shorter[1] = 15; // would cut the trace code to 15 digits
        const longer = Buffer.from(TRACE_REPORT);
        longer[1] = 22; // would add two NULs
        expect(summary(run([shorter, longer]))).toEqual(['<bad-length>', '<bad-length>']);
        // A scanner that does not zero-pad: only impossible counts can be caught.
        expect(summary(run([shorter], { zeroPadded: false }))).toEqual([TRACE.slice(0, 15)]);
      });

      it('drops the whole code when one of its reports is damaged, once, and goes on', () => {
        const first = Buffer.from(TOKEN_REPORTS[0]);
        first[1] = 0x30;
        expect(summary(run([first, TOKEN_REPORTS[1], TRACE_REPORT]))).toEqual(['<bad-length>', TRACE]);
        const second = Buffer.from(TOKEN_REPORTS[1]);
        second[1] = 0xff;
        const events = run([TOKEN_REPORTS[0], second, TRACE_REPORT]);
        expect(summary(events)).toEqual(['<bad-length>', TRACE]);
        expect(events[0].raw).toEqual(ascii(TOKEN.slice(0, 56))); // what was dropped
      });

      it('reports a report too short to hold the layout', () => {
        expect(summary(run([hex('02 05 5d 51 31 00 00')]))).toEqual(['<truncated>']);
      });

      it('drops a continued code whose next report is another code', () => {
        expect(summary(run([TOKEN_REPORTS[0], TRACE_REPORT]))).toEqual(['<unfinished>', TRACE]);
      });

      it('drops a continued code whose next report does not come in time, with its late tail', () => {
        const assembler = new HidPosAssembler({ continuationTimeoutMs: 100 });
        expect(assembler.push(TOKEN_REPORTS[0], 1000)).toEqual([]);
        expect(assembler.pending).toBe(true);
        expect(assembler.flush(1099)).toEqual([]);
        expect(summary(assembler.flush(1100))).toEqual(['<unfinished>']);
        // The tail arriving late is not a code of its own (it would be a cut-off token).
        expect(assembler.push(TOKEN_REPORTS[1], 1150)).toEqual([]);
        expect(assembler.pending).toBe(false);
        // A rescan after the pause comes through whole.
        assembler.push(TOKEN_REPORTS[0], 2000);
        expect(summary(assembler.flush(2100))).toEqual(['<unfinished>']);
        expect(assembler.push(TOKEN_REPORTS[0], 2300)).toEqual([]);
        expect(summary(assembler.push(TOKEN_REPORTS[1], 2301))).toEqual([TOKEN]);
      });

      it('drops a continued code when the device goes away', () => {
        const assembler = new HidPosAssembler();
        assembler.push(TOKEN_REPORTS[0]);
        expect(summary(assembler.end())).toEqual(['<unfinished>']);
        expect(assembler.pending).toBe(false);
        expect(assembler.end()).toEqual([]);
        expect(summary(assembler.push(TOKEN_REPORTS[1]))).toEqual([TOKEN.slice(56)]); // nothing to join it to
      });

      it('reports an overlong code once and drops its tail', () => {
        const events = run([...TOKEN_REPORTS, TRACE_REPORT], { maxLength: 60 });
        expect(events).toEqual([
          { kind: 'error', reason: 'overflow', message: expect.stringContaining('60'), raw: ascii(TOKEN.slice(0, 60)) },
          expect.objectContaining({ kind: 'scan', text: TRACE }),
        ]);
      });

      it('reports data that is no text, and an empty code', () => {
        const notText = Buffer.concat([hex('02 02 5d 51 31 41 ff'), zeros(54), hex('00 00 00')]);
        const empty = Buffer.concat([hex('02 00 5d 51 31'), zeros(56), hex('00 00 00')]);
        expect(run([notText, empty])).toEqual([
          expect.objectContaining({ kind: 'error', reason: 'not-text', raw: hex('41 ff') }),
          expect.objectContaining({ kind: 'error', reason: 'empty' }),
        ]);
      });
    });

    it('refuses bad options', () => {
      expect(() => new HidPosAssembler({ maxLength: 0 })).toThrow(ProtocolError);
      expect(() => new HidPosAssembler({ continuationTimeoutMs: 0 })).toThrow(
        expect.objectContaining({ code: 'HID_POS_BAD_OPTIONS' }),
      );
    });
  });

  describe(encodeHidPosReports.name, () => {
    it('produces exactly the written-out reports', () => {
      expect(encodeHidPosReports(ascii(TRACE), { aim: ']C0', vendorSymbology: 0x6a })).toEqual([TRACE_REPORT]);
      expect(encodeHidPosReports(Buffer.from(GS1), { aim: ']d2', vendorSymbology: 0x77 })).toEqual([GS1_REPORT]);
      expect(encodeHidPosReports(ascii(TOKEN), { aim: ']Q1', vendorSymbology: 0x73 })).toEqual(TOKEN_REPORTS);
      expect(encodeHidPosReports(ascii('REVINF\u0006.'), { aim: ']Z6', vendorSymbology: 0x36 })).toEqual([
        HONEYWELL_Z6,
      ]);
      expect(encodeHidPosReports(ascii(TRACE), { reportId: false })[0]).toHaveLength(63);
      expect(() => encodeHidPosReports(ascii(TRACE), { aim: ']Q' })).toThrow(ProtocolError);
    });
  });

  describe(parseHidPosReport.name, () => {
    it('takes the layout apart', () => {
      expect(parseHidPosReport(TOKEN_REPORTS[0])).toEqual({
        kind: 'report',
        report: {
          count: 56,
          aim: ascii(']Q1'),
          data: ascii(TOKEN.slice(0, 56)),
          continued: true,
          vendor: hex('73 00'),
        },
      });
    });
  });

  describe('properties', () => {
    /** Codes as scanners send them: UTF-8 text with GS separators, never NUL. */
    const code = fc
      .array(
        fc.oneof(
          { weight: 5, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
          { weight: 1, arbitrary: fc.constant('\u001d') },
        ),
        {
          minLength: 1,
          maxLength: 12,
        },
      )
      .map((parts) => parts.join(''))
      .filter((s) => !s.includes('\u0000'));
    const aim = fc.constantFrom(undefined, ']C0', ']d2', ']Q1', ']E0');

    it('gives back every code exactly once, unchanged, however many reports it takes', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ text: code, aim }), { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          (codes, reportId) => {
            const assembler = new HidPosAssembler();
            const events: HidPosEvent[] = [];
            let now = 0;
            for (const c of codes) {
              for (const report of encodeHidPosReports(Buffer.from(c.text, 'utf8'), { aim: c.aim, reportId })) {
                now += 1;
                events.push(...assembler.push(report, now));
              }
            }
            expect(events.map((e) => (e.kind === 'scan' ? [e.text, e.symbology?.id] : e.reason))).toEqual(
              codes.map((c) => [c.text, c.aim]),
            );
            expect(assembler.pending).toBe(false);
          },
        ),
      );
    });

    it('reports a corrupted byte count and never turns it into a code', () => {
      fc.assert(
        fc.property(code, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (text, which, count, reportId) => {
          const reports = encodeHidPosReports(Buffer.from(text, 'utf8'), { aim: ']Q1', reportId });
          const index = which % reports.length;
          const at = reportId ? 1 : 0;
          fc.pre(reports[index][at] !== count);
          reports[index][at] = count;
          const next = encodeHidPosReports(Buffer.from(TRACE), { aim: ']C0', reportId });
          const events = run([...reports, ...next]);
          expect(summary(events)).toEqual(['<bad-length>', TRACE]);
        }),
      );
    });

    it('never throws on random reports and times, and never emits more than maxLength bytes', () => {
      const header = fc.record({
        id: fc.constantFrom(2, 2, 2, 4),
        count: fc.integer({ min: 0, max: 70 }),
        more: fc.integer({ min: 0, max: 3 }),
      });
      const shaped = fc.tuple(header, fc.uint8Array({ minLength: 0, maxLength: 66 })).map(([h, body]) => {
        const r = Buffer.alloc(64);
        Buffer.from(body).copy(r, 2);
        r[0] = h.id;
        r[1] = h.count;
        r[63] = h.more;
        return r;
      });
      const report = fc.oneof(
        shaped,
        fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
      );
      const options = fc.record({
        reportId: fc.constantFrom<HidPosOptions['reportId']>('auto', 'included', 'omitted'),
        maxLength: fc.integer({ min: 1, max: 200 }),
        continuationTimeoutMs: fc.integer({ min: 1, max: 100 }),
        zeroPadded: fc.boolean(),
      });
      fc.assert(
        fc.property(
          options,
          fc.array(fc.record({ report, dt: fc.integer({ min: 0, max: 150 }) }), { maxLength: 25 }),
          (opts, steps) => {
            const assembler = new HidPosAssembler(opts);
            let now = 0;
            const events: HidPosEvent[] = [];
            for (const { report: r, dt } of steps) {
              now += dt;
              events.push(...assembler.flush(now), ...assembler.push(r, now));
            }
            events.push(...assembler.end());
            for (const e of events) {
              expect(e.raw.length).toBeLessThanOrEqual(Math.max(opts.maxLength, 80));
              if (e.kind === 'scan') {
                expect(e.raw.length).toBeLessThanOrEqual(opts.maxLength);
                expect(e.text.length).toBeGreaterThan(0);
              }
            }
            expect(assembler.pending).toBe(false);
          },
        ),
      );
    });
  });

  it('fits 56 data bytes in a report', () => {
    expect(HID_POS_DATA_SIZE).toBe(64 - 1 - 1 - 3 - 3);
  });
});
