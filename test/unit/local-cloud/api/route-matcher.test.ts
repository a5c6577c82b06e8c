import { describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRoute } from '#contract/api-routes';
import { createRouteMatcher, decodePath } from '#local-cloud/api/route-matcher';

describe('Method: createRouteMatcher', () => {
  const match = createRouteMatcher(API_ROUTES);

  it('matches every contract route with its path parameters', () => {
    expect(match('POST', '/sessions')?.route.function).toBe('createSession');
    expect(match('GET', '/sessions/s-1')).toMatchObject({ route: { function: 'getSession' }, pathParameters: { sessionId: 's-1' } });
    expect(match('DELETE', '/sessions/s-1')?.route.function).toBe('endSession');
    expect(match('POST', '/sessions/s-1/tokens')?.route.function).toBe('createParticipantToken');
    expect(match('POST', '/sessions/s-1/commands')?.route.function).toBe('enqueueCommand');
    expect(match('GET', '/sessions/s-1/commands/c-2')).toMatchObject({
      route: { function: 'getCommand' },
      pathParameters: { sessionId: 's-1', commandId: 'c-2' },
    });
  });

  it('finds no route for another method, an extra or missing segment, or an empty parameter', () => {
    expect(match('PUT', '/sessions')).toBeUndefined();
    expect(match('GET', '/sessions')).toBeUndefined();
    expect(match('GET', '/sessions/s-1/extra')).toBeUndefined();
    expect(match('GET', '/sessions/')).toBeUndefined();
    expect(match('GET', '/sessions/s-1/')).toBeUndefined();
    expect(match('DELETE', '/')).toBeUndefined();
  });

  it('prefers literal segments over parameters, and lets a greedy parameter take the rest', () => {
    const throttle = { ratePerSecond: 1, burst: 1 };
    const routes: ApiRoute[] = [
      { method: 'GET', path: '/items/{id}', function: 'getSession', authorized: true, throttle },
      { method: 'GET', path: '/items/latest', function: 'getCommand', authorized: true, throttle },
      { method: 'GET', path: '/files/{proxy+}', function: 'createSession', authorized: false, throttle },
    ];
    const custom = createRouteMatcher(routes);
    expect(custom('GET', '/items/latest')?.route.function).toBe('getCommand');
    expect(custom('GET', '/items/7')?.pathParameters).toEqual({ id: '7' });
    expect(custom('GET', '/files/a/b/c')?.pathParameters).toEqual({ proxy: 'a/b/c' });
  });

  it('decodes each path segment, leaving a malformed escape as sent', () => {
    expect(decodePath('/sessions/a%20b/%E2%82%AC')).toBe('/sessions/a b/€');
    expect(decodePath('/sessions/%E0%A4%A')).toBe('/sessions/%E0%A4%A');
  });
});
