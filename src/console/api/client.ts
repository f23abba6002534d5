/**
 * The console's one way to call the gateway's HTTP API (same origin; the staff cookie rides along).
 * - Unsafe methods (POST, PUT, PATCH, DELETE) carry the session's CSRF token in `x-csrf-token`
 *   (the gateway refuses them without it: CSRF_TOKEN_INVALID).
 * - An error answer `{ code, message }` becomes an ApiError whose message is the gateway's Chinese
 *   message, ready to show; answers that are not the gateway's (a proxy's HTML, a dropped
 *   connection) get a Chinese message of their own.
 * Framework-free so it is unit-tested without a browser.
 */

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
  correlationId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

import type { Operations, Route } from './openapi.generated';

/** What a call of one route takes besides the route: its path and query parameters and its body. */
export type CallArgs<R extends Route> = Omit<Operations[R], 'response'>;
/** The successful answer of one route, as the gateway's OpenAPI document declares it. */
export type Answer<R extends Route> = Operations[R]['response'];
type CallRest<R extends Route> = object extends CallArgs<R> ? [args?: CallArgs<R>] : [args: CallArgs<R>];

/** The status the client reports when no HTTP answer arrived at all. */
export const NO_ANSWER = 0;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Prefix of every path, '' for the same origin. */
  baseUrl?: string;
  fetch?: Fetch;
}

export class ApiClient {
  private csrfToken: string | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: Fetch;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Set from the session (login or GET /api/v1/staff/session); cleared on logout. */
  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  /**
   * Calls one route of the gateway by its OpenAPI name, `'<METHOD> <path template>'`, with its path
   * parameters (encoded), its query (undefined values left out, arrays repeated), the route's own headers
   * (x-verification-token, idempotency-key; never the CSRF token) and its JSON body. The
   * route, the parameters, the body and the answer are typed from src/console/api/openapi.generated.ts, so
   * the console's type check fails when the gateway's API no longer has what a page uses.
   */
  call<R extends Route>(route: R, ...rest: CallRest<R>): Promise<Answer<R>> {
    const args = (rest[0] ?? {}) as {
      path?: Record<string, string | number>;
      query?: Record<string, unknown>;
      headers?: Record<string, string | undefined>;
      body?: unknown;
    };
    const space = route.indexOf(' ');
    const method = route.slice(0, space);
    const headers = Object.fromEntries(
      Object.entries(args.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
    );
    return this.request<Answer<R>>(method, routeUrl(route.slice(space + 1), args.path, args.query), args.body, headers);
  }

  /**
   * The untyped call under `call`. Pages use `call` (typed from the API's document); this stays for the
   * client's own tests. `extraHeaders`: headers a route needs besides these (e.g. x-verification-token,
   * idempotency-key); they cannot replace the CSRF token.
   */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...extraHeaders, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    if (UNSAFE_METHODS.has(method.toUpperCase()) && this.csrfToken !== null) {
      headers['x-csrf-token'] = this.csrfToken;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch {
      throw new ApiError(NO_ANSWER, 'NETWORK_ERROR', '无法连接网关，请检查网络或稍后再试');
    }
    if (response.status === 204) {
      return undefined as T;
    }
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && type !== '' && !type.includes('json')) {
      // A PDF, an image: the caller gets the bytes; text (the metrics) as text.
      return (type.startsWith('text/') ? await response.text() : await response.blob()) as T;
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) {
      return parsed as T;
    }
    if (isErrorBody(parsed)) {
      throw new ApiError(response.status, parsed.code, parsed.message, parsed.details);
    }
    throw new ApiError(response.status, 'UNEXPECTED_RESPONSE', `网关返回了无法识别的应答（HTTP ${response.status}）`);
  }
}

/** A route's path template with its parameters filled in (each encoded) and its query appended. */
export function routeUrl(
  template: string,
  path?: Record<string, string | number>,
  query?: Record<string, unknown>,
): string {
  const url = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = path?.[name];
    if (value === undefined || value === '') {
      throw new Error(`${template}: the path parameter ${name} is missing`);
    }
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== '') {
        search.append(name, String(one as string | number | boolean));
      }
    }
  }
  const qs = search.toString();
  return qs === '' ? url : `${url}?${qs}`;
}

function parseJson(text: string): unknown {
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** The Chinese text to show for anything a call threw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    return error.message;
  }
  return '操作失败，请稍后再试';
}

/** The console's client: same origin. */
export const api = new ApiClient();
