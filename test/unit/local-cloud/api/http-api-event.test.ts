import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildHttpApiEvent, isTextContentType, requestTime, type HttpApiRequest } from '#local-cloud/api/http-api-event';

/**
 * The payload format 2.0 example of the API Gateway developer guide ("Working with AWS Lambda proxy
 * integrations for HTTP APIs"), with a route key and path parameter filled in, its `time` made consistent
 * with its `timeEpoch`, and without mTLS `authentication` and `stageVariables` (not used by this API).
 */
const fixture = JSON.parse(readFileSync(new URL('./fixtures/http-api-v2-jwt-event.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const docsRequest = (): HttpApiRequest => ({
  method: 'POST',
  rawPath: '/my/value1',
  rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
  rawHeaders: ['Header1', 'value1', 'header2', 'value1', 'Header2', 'value2', 'Cookie', 'cookie1; cookie2', 'Host', 'id.execute-api.us-east-1.amazonaws.com', 'User-Agent', 'agent'],
  body: Buffer.from('Hello from Lambda'),
  sourceIp: '192.0.2.1',
  localPort: 443,
  routeKey: 'POST /my/{parameter1}',
  pathParameters: { parameter1: 'value1' },
  authorizer: { claims: { claim1: 'value1', claim2: 'value2' }, scopes: ['scope1', 'scope2'] },
  now: new Date(1583348638390),
  requestId: 'id',
});

describe('Method: buildHttpApiEvent', () => {
  it('builds the event of the AWS documentation example, field for field', () => {
    const event = buildHttpApiEvent(docsRequest());
    const { headers, requestContext, ...rest } = event;
    const { headers: fixtureHeaders, requestContext: fixtureContext, ...fixtureRest } = fixture as {
      headers: Record<string, string>;
      requestContext: Record<string, unknown>;
    };
    expect(rest).toEqual(fixtureRest);
    expect(headers).toMatchObject(fixtureHeaders);
    expect({ ...requestContext, accountId: '123456789012', apiId: 'api-id' }).toEqual(fixtureContext);
  });

  it('lower-cases header names and adds the forwarding headers API Gateway adds', () => {
    const event = buildHttpApiEvent(docsRequest());
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers).toMatchObject({ host: 'id.execute-api.us-east-1.amazonaws.com', 'user-agent': 'agent', 'x-forwarded-for': '192.0.2.1', 'x-forwarded-proto': 'http' });
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.headers.cookie).toBeUndefined();
  });

  it('leaves out cookies, query parameters, path parameters, body and authorizer when there are none', () => {
    const event = buildHttpApiEvent({
      ...docsRequest(),
      method: 'GET',
      rawQueryString: '',
      rawHeaders: [],
      body: Buffer.alloc(0),
      pathParameters: {},
      authorizer: undefined,
    });
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('body');
    expect(event.requestContext).not.toHaveProperty('authorizer');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('decodes the path and query parameters but keeps rawQueryString as sent', () => {
    const event = buildHttpApiEvent({ ...docsRequest(), rawPath: '/my/a%20b', rawQueryString: 'q=a%26b+c&empty' });
    expect(event.rawPath).toBe('/my/a b');
    expect(event.requestContext.http.path).toBe('/my/a b');
    expect(event.rawQueryString).toBe('q=a%26b+c&empty');
    expect(event.queryStringParameters).toEqual({ q: 'a&b c', empty: '' });
  });

  it('base64-encodes a binary body', () => {
    const body = Buffer.from([0, 1, 2, 255]);
    const event = buildHttpApiEvent({ ...docsRequest(), rawHeaders: ['Content-Type', 'application/octet-stream'], body });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(body);
  });

  it('treats JSON, XML and text as text', () => {
    expect(isTextContentType('application/json; charset=utf-8')).toBe(true);
    expect(isTextContentType('application/problem+json')).toBe(true);
    expect(isTextContentType('text/plain')).toBe(true);
    expect(isTextContentType('image/png')).toBe(false);
  });

  it('formats requestContext.time as API Gateway does', () => {
    expect(requestTime(new Date('2020-03-12T19:03:58Z'))).toBe('12/Mar/2020:19:03:58 +0000');
  });
});
