import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * pcscd with vsmartcard's vpcd driver: real PC/SC for the integration tier. vpcd gives pcscd
 * two virtual readers, each with a TCP port a virtual card (VpcdCard) connects to. Each test
 * tier uses its own slot so that tiers running at once never share a reader.
 * In CI pcscd and vpcd are required (CI fails without them); on a developer machine without
 * them the PC/SC tests are skipped with a note saying how to enable them.
 */
export interface VpcdSlot {
  /** vpcd's TCP port for this reader. */
  readonly port: number;
  /** The reader name pcscd gives it. */
  readonly readerName: string;
}

/** Used by the integration tier (test/integration/pcsc-vpcd.spec.ts). */
export const VPCD_SLOT_0: VpcdSlot = { port: 35963, readerName: 'Virtual PCD 00 00' };
/** Left for another tier. */
export const VPCD_SLOT_1: VpcdSlot = { port: 35964, readerName: 'Virtual PCD 00 01' };

const HOW_TO =
  'apt-get install pcscd libpcsclite1 vsmartcard-vpcd, then start pcscd (systemctl start pcscd.socket, or run pcscd); ' +
  'then npm install again if it ran before libpcsclite-dev was there (the PC/SC module is optional and was skipped)';

/** True when pcscd answers, vpcd listens on the slot's port and pcscd lists the slot's reader. */
export function pcscdAvailable(slot: VpcdSlot = VPCD_SLOT_0): boolean {
  const problem = pcscdProblem(slot);
  if (problem !== undefined && process.env.CI === 'true') {
    throw new Error(`pcscd with vpcd is required in CI for the PC/SC tests (${problem}): ${HOW_TO}`);
  }
  if (problem !== undefined) {
    process.stderr.write(`\n[skip] PC/SC tests skipped (${problem}): to run them, ${HOW_TO} (CI always does).\n`);
  }
  return problem === undefined;
}

/** What is missing, or undefined when the slot is usable. Never connects to vpcd's port (that would insert a card). */
export function pcscdProblem(slot: VpcdSlot): string | undefined {
  const socketPath = process.env.PCSCLITE_CSOCK_NAME || '/run/pcscd/pcscd.comm';
  if (!existsSync(socketPath)) {
    return `pcscd is not running: no ${socketPath}`;
  }
  if (!tcpListening(slot.port)) {
    return `nothing listens on vpcd's port ${slot.port}: vsmartcard-vpcd is not installed or pcscd was started before it`;
  }
  const listing = listReadersInChild(socketPath);
  if ('error' in listing) {
    return listing.error;
  }
  if (!listing.readers.includes(slot.readerName)) {
    return `pcscd does not list "${slot.readerName}" (it lists ${listing.readers.map((r) => `"${r}"`).join(', ') || 'no readers'})`;
  }
  return undefined;
}

/** Reads the kernel's table of listening TCP sockets (state 0A) instead of connecting. */
function tcpListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 3 && fields[1].endsWith(`:${hexPort}`) && fields[3] === '0A') {
        return true;
      }
    }
  }
  return false;
}

/**
 * Lists pcscd's readers with @pokusew/pcsclite in a child process: synchronous (test files
 * decide at load time whether to run), and a hung pcscd cannot hang the test run.
 */
function listReadersInChild(socketPath: string): { readers: string[] } | { error: string } {
  const script = `
    const net = require('node:net');
    const say = (o) => { process.stdout.write(JSON.stringify(o)); process.exit(0); };
    const probe = net.connect({ path: process.argv[1] });
    probe.on('error', (e) => say({ error: 'pcscd does not answer on ' + process.argv[1] + ' (' + e.code + ')' }));
    probe.on('connect', () => {
      probe.destroy();
      let pcsc;
      try { pcsc = require('@pokusew/pcsclite')(); } catch (e) { say({ error: '@pokusew/pcsclite cannot be loaded (' + e.message + ')' }); }
      pcsc.on('error', (e) => say({ error: 'pcsc-lite: ' + e.message }));
      const start = pcsc.start.bind(pcsc);
      pcsc.start = (cb) => start((err, data) => {
        cb(err, data);
        if (!err) {
          const readers = Object.keys(pcsc.readers);
          setImmediate(() => { for (const r of Object.values(pcsc.readers)) { r.on('error', () => {}); r.close(); } pcsc.close(); say({ readers }); });
        }
      });
    });
  `;
  const child = spawnSync(process.execPath, ['-e', script, socketPath], {
    cwd: resolve(__dirname, '../..'),
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (child.error || child.status !== 0) {
    return {
      error: `listing PC/SC readers failed (${child.error?.message ?? `exit ${child.status}`}${child.stderr ? `: ${child.stderr.trim().slice(0, 200)}` : ''})`,
    };
  }
  try {
    return JSON.parse(child.stdout) as { readers: string[] } | { error: string };
  } catch {
    return { error: `listing PC/SC readers printed ${JSON.stringify(child.stdout.slice(0, 200))}` };
  }
}
