import { request as httpRequest } from 'node:http';

/**
 * A bare HTTP client for specs that must see socket-level failures (ECONNREFUSED, hang-ups) as
 * they are, without retries or pooling that would hide them.
 */
export interface RawResponse {
  status: number;
  body: unknown;
}

/**
 * One POST/PUT/GET on a new connection; rejects with the socket error (code ECONNREFUSED, ECONNRESET…).
 * The default timeout only turns a hang into an error before jest's own 30 s: a first signed request
 * takes over a second on a busy CI machine, so it is far from that.
 */
export function httpJson(method: string, url: string, body?: unknown, timeoutMs = 20_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method,
        agent: false,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}
