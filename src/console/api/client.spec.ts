import { ApiClient, ApiError, messageOf, NO_ANSWER, type Fetch } from './client';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records what the client sent and answers with the given status and body. */
function fakeFetch(status: number, body: string, calls: Call[]): Fetch {
  return async (url, init) => {
    calls.push({ url, init: init ?? {} });
    return new Response(status === 204 ? null : body, { status });
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
    await sut.post('/api/v1/staff/session', { login: 'a', password: 'b' });
    sut.setCsrfToken('csrf-123');
    await sut.get('/api/v1/devices');
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
    await expect(sut.post('/p', { login: 'zhangsan' })).resolves.toEqual({ staff: { login: 'zhangsan' } });
    expect(calls[0].init.body).toBe('{"login":"zhangsan"}');
    expect(headersOf(calls[0])['content-type']).toBe('application/json');
  });

  it('returns nothing for 204', async () => {
    const sut = new ApiClient({ fetch: fakeFetch(204, '', []) });
    await expect(sut.delete('/api/v1/staff/session')).resolves.toBeUndefined();
  });

  it('turns an error body into an ApiError carrying its code and Chinese message', async () => {
    const body = JSON.stringify({
      code: 'STAFF_LOCKED',
      message: '账号已锁定，至 2026-12-03 10:30 解锁',
      correlationId: 'c',
    });
    const sut = new ApiClient({ fetch: fakeFetch(423, body, []) });
    const error: unknown = await sut.post('/api/v1/staff/session', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 423, code: 'STAFF_LOCKED', message: '账号已锁定，至 2026-12-03 10:30 解锁' });
    expect(messageOf(error)).toBe('账号已锁定，至 2026-12-03 10:30 解锁');
  });

  it('names an answer that is not the gateway’s (a proxy page) in Chinese with its status', async () => {
    const sut = new ApiClient({ fetch: fakeFetch(502, '<html>Bad Gateway</html>', []) });
    await expect(sut.get('/api/v1/devices')).rejects.toMatchObject({
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
    await expect(sut.get('/api/v1/devices')).rejects.toMatchObject({
      status: NO_ANSWER,
      code: 'NETWORK_ERROR',
      message: '无法连接网关，请检查网络或稍后再试',
    });
  });

  it('shows a generic Chinese message for anything that is not an ApiError', () => {
    expect(messageOf(new Error('internal detail'))).toBe('操作失败，请稍后再试');
  });
});
