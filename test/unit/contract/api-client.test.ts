import { describe, expect, it } from 'vitest';
import {
  API_OPERATION_NAMES,
  API_ROUTES,
  ApiClient,
  ApiError,
  operationPath,
  routeOfOperation,
} from '#contract/index';

/** A fetch that records each request and answers with `answer`. */
function recordingFetch(answer: () => Response) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), init: init ?? {} });
    return answer();
  }) as typeof fetch;
  return { requests, fetchFn };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const SESSION_ID = '3f2b8c1e-6d4a-4f7b-9a0e-1c2d3e4f5a6b';

describe('Contract: the typed API client', () => {
  it('has one route of API_ROUTES per operation, and an operation for every authorized route', () => {
    for (const name of API_OPERATION_NAMES) expect(routeOfOperation(name).function).toBe(name);
    const authorized = API_ROUTES.filter((route) => route.authorized).map((route) => route.function);
    expect([...authorized].sort()).toEqual([...API_OPERATION_NAMES].sort());
  });

  it('fills path parameters in, encoded, and refuses a missing one', () => {
    expect(operationPath('getCommand', { sessionId: SESSION_ID, commandId: 'a/b' })).toBe(`/sessions/${SESSION_ID}/commands/a%2Fb`);
    expect(operationPath('listTracks')).toBe('/tracks');
    expect(() => operationPath('getSession', {} as { sessionId: string })).toThrow('No value for {sessionId}');
  });

  it("sends the operation's method and path with the bearer token, the JSON body and the idempotency key", async () => {
    const { requests, fetchFn } = recordingFetch(() => json(202, { commandId: 'c-1', status: 'QUEUED' }));
    const api = new ApiClient({ baseUrl: 'http://api.test/', token: () => 'tok', fetch: fetchFn });

    const answer = await api.send('enqueueCommand', { params: { sessionId: SESSION_ID }, body: { type: 'SET_VOLUME', volume: 0.5 }, idempotencyKey: 'k-1' });

    expect(answer).toMatchObject({ ok: true, status: 202, body: { commandId: 'c-1', status: 'QUEUED' } });
    expect(requests).toEqual([
      {
        url: `http://api.test/sessions/${SESSION_ID}/commands`,
        init: {
          method: 'POST',
          headers: { authorization: 'Bearer tok', 'content-type': 'application/json', 'idempotency-key': 'k-1' },
          body: '{"type":"SET_VOLUME","volume":0.5}',
        },
      },
    ]);
  });

  it('sends no body and no content type when the operation has no body', async () => {
    const { requests, fetchFn } = recordingFetch(() => new Response(null, { status: 204 }));
    const api = new ApiClient({ baseUrl: 'http://api.test', fetch: fetchFn });

    const answer = await api.send('deleteTrack', { params: { trackId: 't-1' } });

    expect(answer).toMatchObject({ ok: true, status: 204, body: undefined });
    expect(requests[0]?.init).toEqual({ method: 'DELETE', headers: {} });
  });

  it("answers a refusal with the API's error body, and call() throws it as an ApiError", async () => {
    const refusal = { code: 'VALIDATION_FAILED', message: 'The request body is not valid.', issues: [{ path: 'body.title', message: 'Required' }] };
    const { fetchFn } = recordingFetch(() => json(400, refusal));
    const api = new ApiClient({ baseUrl: 'http://api.test', fetch: fetchFn });

    expect(await api.send('createSession', { body: { title: '' } })).toMatchObject({ ok: false, status: 400, body: refusal });
    await expect(api.call('createSession', { body: { title: '' } })).rejects.toMatchObject({
      name: 'ApiError',
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'The request body is not valid. (body.title: Required)',
    });
  });

  it("reads API Gateway's own refusals and Retry-After", async () => {
    const unauthorized = new ApiClient({ baseUrl: 'http://api.test', fetch: recordingFetch(() => json(401, { message: 'Unauthorized' })).fetchFn });
    const limited = new ApiClient({
      baseUrl: 'http://api.test',
      fetch: recordingFetch(() => json(429, { code: 'RATE_LIMITED', message: 'Slow down.' }, { 'retry-after': '3' })).fetchFn,
    });

    await expect(unauthorized.call('listTracks', {})).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED', message: 'Unauthorized' });
    await expect(limited.call('listTracks', {})).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 3 });
  });

  it('turns a request nothing answered into an ApiError with status 0', async () => {
    const api = new ApiClient({
      baseUrl: 'http://api.test',
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });

    const error = await api.call('getSession', { params: { sessionId: SESSION_ID } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', message: 'The API could not be reached (GET /sessions/{sessionId}).' });
  });
});
