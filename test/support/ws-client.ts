import { WebSocket } from 'ws';
import { eventually } from './eventually';

export interface EventClient {
  messages: Array<Record<string, unknown>>;
  /** Waits for a message that matches and returns it. */
  waitFor(predicate: (m: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
  /** Settles when the server (or the client) closes the connection, with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Connects a WebSocket client and collects every JSON message it receives. */
export async function connectEvents(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<EventClient> {
  const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
  const messages: Array<Record<string, unknown>> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
  );
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () =>
        reject(
          Object.assign(new Error(`refused with ${res.statusCode}`), {
            status: res.statusCode,
            body: JSON.parse(body) as unknown,
          }),
        ),
      );
    });
  });
  return {
    messages,
    closed,
    waitFor: async (predicate, what) => {
      await eventually(() => messages.some(predicate), what);
      return messages.find(predicate) as Record<string, unknown>;
    },
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) {
        return;
      }
      socket.close();
      await closed;
    },
  };
}

/** The HTTP answer a refused upgrade gets: status and the error body. */
export async function refusedUpgrade(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const client = await connectEvents(url, options);
    await client.close();
  } catch (e) {
    const refusal = e as { status?: number; body?: Record<string, unknown> };
    if (refusal.status !== undefined) {
      return { status: refusal.status, body: refusal.body ?? {} };
    }
    throw e;
  }
  throw new Error(`the upgrade to ${url} was accepted`);
}
