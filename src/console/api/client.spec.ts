import { ApiClient, ApiError, messageOf, NO_ANSWER, routeUrl, type Fetch } from './client';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records what the client sent and answers with the given status and body. */
function fakeFetch(status: number, body: string, calls: Call[]): Fetch {
  return async (url, init) => {
    calls.push({ url, init: init ?? {} });
    const json = body.startsWith('{') || body.startsWith('[');
    return new Response(status === 204 ? null : body, {
      status,
      headers: json ? { 'content-type': 'application/json; charset=utf-8' } : {},
    });
  };
}

const headersOf = (call: Call): Record<string, string> => call.init.headers as Record<string, string>;

describe(ApiClient.name, () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('adds x-csrf-token to %s once the session gave one', async (method) => {
    const calls: Call[] = [];
    const sut = new ApiClient({ fetch: fakeFetch(200, '{"ok":true}', calls) });
    sut.setCsrfToken('csrf-123');
    await sut.request(method, '/api/v1/x', { a: 1 });
    expect(headersOf(calls[0])['x-csrf-token']).toBe('csrf-123');
    expect(calls[0].init.credentials).toBe('same-origin');
  });

  it('leaves the token off safe methods and off everything before a session', async () => {
    const calls: Call[] = [];
    const sut = new ApiClient({ fetch: fakeFetch(200, '[]', calls) });
    await sut.request('POST', '/api/v1/staff/session', { login: 'a', password: 'b' });
    sut.setCsrfToken('csrf-123');
    await sut.request('GET', '/api/v1/devices');
    expect(headersOf(calls[0])['x-csrf-token']).toBeUndefined();
    expect(headersOf(calls[1])['x-csrf-token']).toBeUndefined();
  });

  it('sends the headers a route needs besides its own, without letting them replace the CSRF token', async () => {
    const calls: Call[] = [];
    const sut = new ApiClient({ fetch: fakeFetch(200, '{}', calls) });
    sut.setCsrfToken('csrf-123');
    await sut.request('POST', '/api/v1/x', {}, { 'x-verification-token': 'gvt1.a.b', 'x-csrf-token': 'forged' });
    expect(headersOf(calls[0])).toMatchObject({ 'x-verification-token': 'gvt1.a.b', 'x-csrf-token': 'csrf-123' });
  });

  it('sends JSON and returns the parsed answer', async () => {
    const calls: Call[] = [];
    const sut = new ApiClient({ fetch: fakeFetch(200, '{"staff":{"login":"zhangsan"}}', calls) });
    await expect(sut.request('POST', '/p', { login: 'zhangsan' })).resolves.toEqual({ staff: { login: 'zhangsan' } });
    expect(calls[0].init.body).toBe('{"login":"zhangsan"}');
    expect(headersOf(calls[0])['content-type']).toBe('application/json');
  });

  it('returns nothing for 204', async () => {
    const sut = new ApiClient({ fetch: fakeFetch(204, '', []) });
    await expect(sut.request('DELETE', '/api/v1/staff/session')).resolves.toBeUndefined();
  });

  it('turns an error body into an ApiError carrying its code and Chinese message', async () => {
    const body = JSON.stringify({
      code: 'STAFF_LOCKED',
      message: '账号已锁定，至 2026-12-03 10:30 解锁',
      correlationId: 'c',
    });
    const sut = new ApiClient({ fetch: fakeFetch(423, body, []) });
    const error: unknown = await sut.request('POST', '/api/v1/staff/session', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 423, code: 'STAFF_LOCKED', message: '账号已锁定，至 2026-12-03 10:30 解锁' });
    expect(messageOf(error)).toBe('账号已锁定，至 2026-12-03 10:30 解锁');
  });

  it('names an answer that is not the gateway’s (a proxy page) in Chinese with its status', async () => {
    const sut = new ApiClient({ fetch: fakeFetch(502, '<html>Bad Gateway</html>', []) });
    await expect(sut.request('GET', '/api/v1/devices')).rejects.toMatchObject({
      status: 502,
      code: 'UNEXPECTED_RESPONSE',
      message: expect.stringContaining('HTTP 502'),
    });
  });

  it('reports no answer at all (connection refused) as status 0 with a Chinese message', async () => {
    const sut = new ApiClient({
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(sut.request('GET', '/api/v1/devices')).rejects.toMatchObject({
      status: NO_ANSWER,
      code: 'NETWORK_ERROR',
      message: '无法连接网关，请检查网络或稍后再试',
    });
  });

  it('shows a generic Chinese message for anything that is not an ApiError', () => {
    expect(messageOf(new Error('internal detail'))).toBe('操作失败，请稍后再试');
  });

  describe('call(route, …): a route by its OpenAPI name', () => {
    it('fills and encodes the path parameters, sends the body with the CSRF token, and answers the JSON', async () => {
      const calls: Call[] = [];
      const sut = new ApiClient({ fetch: fakeFetch(200, '{"desk":"西药房1"}', calls) });
      sut.setCsrfToken('t');
      await expect(
        sut.call('PUT /api/v1/trace-codes/desks/{desk}/active-line', {
          path: { desk: '西药房 1/2' },
          body: { visitId: 'V1', lineNo: '1' },
        }),
      ).resolves.toEqual({ desk: '西药房1' });
      expect(calls[0].url).toBe('/api/v1/trace-codes/desks/%E8%A5%BF%E8%8D%AF%E6%88%BF%201%2F2/active-line');
      expect(calls[0].init.method).toBe('PUT');
      expect(calls[0].init.body).toBe('{"visitId":"V1","lineNo":"1"}');
      expect(headersOf(calls[0])['x-csrf-token']).toBe('t');
    });

    it('appends the query, leaving out what is not set and repeating arrays', () => {
      expect(routeUrl('/a/{id}', { id: 7 }, { state: 'failed', kind: undefined, empty: '', ids: ['x', 'y'] })).toBe(
        '/a/7?state=failed&ids=x&ids=y',
      );
      expect(routeUrl('/a', undefined, {})).toBe('/a');
    });

    it('refuses a path parameter that is missing rather than calling a wrong URL', () => {
      expect(() => routeUrl('/api/v1/forms/{id}', {})).toThrow('the path parameter id is missing');
    });

    it('answers a PDF as a Blob and text as text', async () => {
      const pdf = async (): Promise<Response> =>
        new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), { headers: { 'content-type': 'application/pdf' } });
      const blob = await new ApiClient({ fetch: pdf }).call('GET /api/v1/forms/{id}/pdf', { path: { id: 'f1' } });
      expect(blob).toBeInstanceOf(Blob);
      expect(Buffer.from(await blob.arrayBuffer()).toString()).toBe('%PDF');
      const text = async (): Promise<Response> =>
        new Response('# HELP x\n', { headers: { 'content-type': 'text/plain; version=0.0.4' } });
      await expect(new ApiClient({ fetch: text }).call('GET /metrics')).resolves.toBe('# HELP x\n');
    });
  });
});
