import type { GatewayConfig } from '../platform';
import { CliError } from './cli-io';

/** Where the running gateway listens, seen from this machine. */
export function localGatewayUrl(config: GatewayConfig): string {
  const host = ['0.0.0.0', '::', ''].includes(config.server.host) ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}

/**
 * One request to the running gateway, for CLI commands that act on it. Errors become a
 * CliError with the gateway's code and message, or say that nothing answers at the address.
 */
export async function gatewayRequest<T>(
  config: GatewayConfig,
  request: { method: 'GET' | 'POST'; path: string; url?: string; key?: string; body?: unknown },
): Promise<T> {
  const base = (request.url ?? localGatewayUrl(config)).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}${request.path}`, {
      method: request.method,
      headers: {
        ...(request.key ? { authorization: `Bearer ${request.key}` } : {}),
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new CliError(
      `the gateway does not answer at ${base} (${cause}): is it running? Give another address with --url`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const error = body as { code?: string; message?: string } | undefined;
    throw new CliError(`the gateway answered ${response.status} ${error?.code ?? ''}: ${error?.message ?? text}`);
  }
  return body as T;
}
