/**
 * The HTTP bench's load client, a child process of the bench (child_process.fork) so that the
 * client's work (making requests, reading answers) is not done by, nor billed to, the process whose
 * servers it measures. Both servers of a comparison are loaded by this same client in the same way.
 * Keep-alive connections, like a HIS client's connection pool: `concurrency` requests in flight.
 */
import { Agent, request } from 'node:http';

export interface LoadOrder {
  url: string;
  headers: Record<string, string>;
  requests: number;
  concurrency: number;
}

export interface LoadResult {
  seconds: number;
  latenciesMs: number[];
  /** The first status other than 200, if any (the round is then worthless). */
  failure?: string;
}

function once(agent: Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(order: LoadOrder): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: order.concurrency });
  const url = new URL(order.url);
  const latenciesMs: number[] = [];
  let next = 0;
  let failure: string | undefined;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < order.requests && !failure) {
      next++;
      const t0 = process.hrtime.bigint();
      const status = await once(agent, url, order.headers);
      if (status !== 200) {
        failure = `${order.url} answered ${status}`;
        return;
      }
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  try {
    await Promise.all(Array.from({ length: order.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs, failure };
}

process.on('message', (order: LoadOrder) => {
  load(order).then(
    (result) => process.send?.(result),
    (err: unknown) => process.send?.({ seconds: 0, latenciesMs: [], failure: String(err) } satisfies LoadResult),
  );
});
process.on('disconnect', () => process.exit(0));
