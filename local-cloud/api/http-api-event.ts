/**
 * The Lambda event of an HTTP API route, payload format 2.0, built as API Gateway builds it: headers
 * lower-cased with repeated values joined by commas, cookies moved to `cookies`, query parameters decoded
 * and joined by commas, fields absent when empty, binary bodies base64-encoded.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from '../gateway/provider.ts';
import type { JwtAuthorization } from './jwt-authorizer.ts';
import { decodePath } from './route-matcher.ts';

/** The API id the local API reports (API Gateway's ids are 10 lowercase letters and digits). */
export const LOCAL_API_ID = 'local00api';

/** What the event is built from. */
export interface HttpApiRequest {
  method: string;
  /** The path as sent (percent-encoded). */
  rawPath: string;
  /** The query string as sent, without `?`. */
  rawQueryString: string;
  /** Node's `rawHeaders`: name, value, name, value, ... */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  localPort: number;
  routeKey: string;
  pathParameters: Record<string, string>;
  authorizer?: JwtAuthorization;
  now: Date;
  requestId: string;
}

/** An event without a JWT authorizer context has the same shape minus `authorizer`. */
export type HttpApiEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
  requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & {
    authorizer?: APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'];
  };
};

const TEXT_TYPES = [/^text\//, /^application\/(.+\+)?json\b/, /^application\/(.+\+)?xml\b/, /^application\/javascript\b/];

/** Whether API Gateway passes a body of this content type as text (otherwise base64). */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.toLowerCase().trim();
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
export function requestTime(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(now.getUTCDate())}/${MONTHS[now.getUTCMonth()]}/${now.getUTCFullYear()}:${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} +0000`;
}

/** An id like API Gateway's request ids (`JKJaXmPLvHcESHA=`). */
export function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

function traceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

/** Builds the payload format 2.0 event. */
export function buildHttpApiEvent(request: HttpApiRequest): HttpApiEvent {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  headers['x-forwarded-for'] ??= request.sourceIp;
  headers['x-forwarded-port'] ??= String(request.localPort);
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-amzn-trace-id'] ??= traceId(request.now);

  const query: Record<string, string> = {};
  for (const pair of request.rawQueryString.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryPart(pair.slice(eq + 1));
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }

  const host = headers.host ?? `127.0.0.1:${request.localPort}`;
  const domainName = host.replace(/:\d+$/, '');
  const text = isTextContentType(headers['content-type']);
  const decodedPath = decodePath(request.rawPath);
  const hasBody = request.body.length > 0;

  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: decodedPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      ...(request.authorizer ? { authorizer: { jwt: request.authorizer } } : {}),
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path: decodedPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: request.routeKey,
      stage: '$default',
      time: requestTime(request.now),
      timeEpoch: request.now.getTime(),
    },
    ...(Object.keys(request.pathParameters).length > 0 ? { pathParameters: request.pathParameters } : {}),
    ...(hasBody ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}
