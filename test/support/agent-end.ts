import { WebSocket } from 'ws';
import { AGENT_LINK_PATH, type AgentMessage, frame } from '../../src/agents/link/link-messages';

/** An agent's end of the link, by hand: what it sent, what the centre answered, how it ended. */
export interface AgentEnd {
  received: Array<Record<string, unknown>>;
  closed: Promise<number>;
  send(message: AgentMessage): void;
  sendRaw(text: string): void;
  close(): void;
}

/**
 * Opens the agent link (`/api/v1/agents/link` under `base`) with a credential, as an agent would,
 * without the agent: the tests of the centre's end speak the protocol frame by frame. A refused
 * upgrade rejects with its `status` and the response (`res`).
 */
export async function connectAgentEnd(base: string, credential: string): Promise<AgentEnd> {
  const socket = new WebSocket(`${base.replace('http', 'ws')}${AGENT_LINK_PATH}`, {
    headers: { authorization: `Agent ${credential}` },
  });
  const received: Array<Record<string, unknown>> = [];
  socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
  const closed = new Promise<number>((resolve) => socket.on('close', (c: number) => resolve(c)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, res })),
    );
    socket.once('error', reject);
  });
  return {
    received,
    closed,
    send: (m) => socket.send(frame(m)),
    sendRaw: (text) => socket.send(text),
    close: () => socket.close(),
  };
}

/** The hello an agent sends first. */
export const HELLO: AgentMessage = {
  type: 'hello',
  v: 1,
  agentVersion: '0.1.0',
  hostname: 'XYF-02',
  platform: 'win32',
};
