import { promises as fs } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from './journal/durable-files';

/** The agent's credential file in its data directory, readable by its own account only (mode 0600). */
export const CREDENTIAL_FILE = 'credential.json';

export interface AgentCredentialFile {
  v: 1;
  /** The central gateway, as enrolled against (ws:// or wss://). */
  central: string;
  agentId: string;
  desk: string;
  name: string;
  /** `gwa_<agent id>_<secret>`: the agent's credential, sent at every connection. */
  credential: string;
  enrolledAt: string;
}

/** Enrolment failed: `code` is the centre's (AGENT_ENROLMENT_USED …) or AGENT_ENROL_UNREACHABLE / AGENT_ENROL_ANSWER. */
export class AgentEnrolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function readCredential(dataDir: string): Promise<AgentCredentialFile | null> {
  const file = join(dataDir, CREDENTIAL_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw e;
  }
  let o: Partial<AgentCredentialFile>;
  try {
    o = JSON.parse(text) as Partial<AgentCredentialFile>;
  } catch {
    throw new Error(`${file} is not JSON: enrol the agent again (gateway agent --central … --enrol <code>)`);
  }
  for (const k of ['central', 'agentId', 'desk', 'name', 'credential', 'enrolledAt'] as const) {
    if (typeof o[k] !== 'string' || o[k] === '') {
      throw new Error(`${file} has no ${k}: enrol the agent again (gateway agent --central … --enrol <code>)`);
    }
  }
  return o as AgentCredentialFile;
}

/** Written atomically, mode 0600 (on Windows the data directory's ACL protects it: docs/agents.md). */
export async function writeCredential(dataDir: string, credential: AgentCredentialFile): Promise<string> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, CREDENTIAL_FILE);
  await writeFileAtomically(file, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600).catch(() => undefined);
  return file;
}

/** The HTTP(S) base of a central link URL: wss://gw:8443 → https://gw:8443. */
export function httpBase(central: string): string {
  return central.replace(/^ws(s?):\/\//i, 'http$1://').replace(/\/+$/, '');
}

/**
 * Exchanges a one-time enrolment code for this agent's credential (POST /api/v1/agents/enrol) and
 * stores it in the data directory. The credential exists nowhere else: the centre keeps its hash.
 */
export async function enrolAgent(options: {
  central: string;
  code: string;
  dataDir: string;
  agentVersion: string;
  ca?: Buffer;
  hostname?: string;
}): Promise<{ credential: AgentCredentialFile; file: string }> {
  const url = `${httpBase(options.central)}/api/v1/agents/enrol`;
  const answer = await postJson(
    url,
    {
      code: options.code,
      hostname: (options.hostname ?? osHostname()).slice(0, 255),
      agentVersion: options.agentVersion,
    },
    options.ca,
  );
  const body = answer.body as Record<string, unknown> | null;
  if (answer.status !== 201) {
    const code = typeof body?.code === 'string' ? body.code : 'AGENT_ENROL_ANSWER';
    const message = typeof body?.message === 'string' ? body.message : `HTTP ${answer.status}`;
    throw new AgentEnrolError(code, `the centre refused the enrolment code: ${code} ${message}`);
  }
  for (const k of ['agentId', 'credential', 'desk', 'name']) {
    if (typeof body?.[k] !== 'string') {
      throw new AgentEnrolError('AGENT_ENROL_ANSWER', `the centre's answer to the enrolment has no ${k}`);
    }
  }
  const credential: AgentCredentialFile = {
    v: 1,
    central: options.central.replace(/\/+$/, ''),
    agentId: body?.agentId as string,
    desk: body?.desk as string,
    name: body?.name as string,
    credential: body?.credential as string,
    enrolledAt: new Date().toISOString(),
  };
  const file = await writeCredential(options.dataDir, credential);
  return { credential, file };
}

function postJson(url: string, body: unknown, ca?: Buffer): Promise<{ status: number; body: unknown }> {
  const data = Buffer.from(JSON.stringify(body));
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': data.length },
        timeout: 15_000,
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', (e) =>
      reject(new AgentEnrolError('AGENT_ENROL_UNREACHABLE', `cannot reach the centre at ${url}: ${e.message}`)),
    );
    req.end(data);
  });
}
