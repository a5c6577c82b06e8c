/**
 * The local HTTP API (127.0.0.1:3000): serves the contract's API_ROUTES as API Gateway's HTTP API does —
 * route selection (404 `{"message":"Not Found"}`), the JWT authorizer (401 `{"message":"Unauthorized"}`),
 * the payload format 2.0 event, the route's function invoked through Lambda, its result mapped back (500
 * `{"message":"Internal Server Error"}` on a function error), CORS. It is also the local JWT issuer:
 * `/.well-known/openid-configuration` and `/.well-known/jwks.json`. Other paths go to an optional static
 * handler (the console at `/`, `/podcast`, `/executions`) without a token; so do the contract's console routes
 * (`serveConsole`: on AWS a function bundles the console, here the static handler serves the built folder,
 * falling back to the function when it has nothing). `POST /_local/token` is the console's local sign-in
 * (local-token-endpoint.ts; it does not exist on AWS).
 *
 * Before anything else, the browser door (local-cloud/gateway/browser-door.ts): a request whose `Host` is not
 * loopback or whose `Origin` is not allowed gets 403 `{"code":"HOST_NOT_ALLOWED"|"ORIGIN_NOT_ALLOWED"}`.
 *
 * LIMITATIONS
 * - Bodies above `maxBodyBytes` (the contract's MAX_REQUEST_BODY_BYTES) are refused here with 413
 *   `{"code":"PAYLOAD_TOO_LARGE"}` (docs/api.md's answer); on AWS the function refuses them (API Gateway's
 *   own limit is 10 MB).
 * - No integration timeout (API Gateway answers 503 after 30 s), no throttling, no custom domains, no
 *   stage variables, no mutual TLS; HTTP/1.1 only, plain HTTP.
 * - A structured result without a content-type header is sent without one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ROUTES, functionNameOf, routeKey, type ApiRoute } from '#contract/api-routes';
import { MAX_REQUEST_BODY_BYTES } from '#contract/limits';
import { LOCAL_JWT_AUDIENCE } from '#contract/http-api';
import type { FunctionInvoker } from '../gateway/internal.ts';
import { corsSettings, isPreflight, preflightHeaders, responseCorsHeaders, type CorsSettings } from './cors.ts';
import { buildHttpApiEvent, newRequestId } from './http-api-event.ts';
import { createJwtAuthorizer, localIssuerKeys, type JwtAuthorization } from './jwt-authorizer.ts';
import { answerFromLambda, gatewayAnswer, GATEWAY_ANSWERS, type HttpAnswer } from './lambda-response.ts';
import { LocalIssuerKeys, openIdConfiguration, recordIssuer } from './local-issuer.ts';
import { createRouteMatcher, decodePath } from './route-matcher.ts';
import { answerLocalTokenRequest, LOCAL_TOKEN_PATH } from './local-token-endpoint.ts';
import { checkBrowserDoor } from '../gateway/browser-door.ts';
import { OriginPolicy } from '../gateway/origin-policy.ts';
import { keepIdleConnections } from '../idle-connections.ts';

/** Routes whose function serves static pages: the static handler, when there is one, answers them first. */
const STATIC_PAGE_FUNCTIONS: ReadonlySet<ApiRoute['function']> = new Set(['serveConsole']);

/** Serves what is not an API route (static files); resolves false when it has nothing for the request. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface ApiServerOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  dataDir: string;
  invoker: FunctionInvoker;
  staticHandler?: StaticHandler;
  /** Audience the authorizer accepts (and local tokens carry). */
  audience?: string;
  /** Web origins let in and named by CORS; this server's own origin is added once it listens. Default: only its own. */
  originPolicy?: OriginPolicy;
  maxBodyBytes?: number;
  routes?: readonly ApiRoute[];
  now?: () => Date;
  /** Told about invocation failures (never given a token or a body). */
  onError?: (message: string, error: unknown) => void;
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>`; also the JWT issuer. */
  url: string;
  port: number;
  issuer: string;
  /** Signs a token this server accepts. */
  issueToken(userId: string, options?: { seconds?: number; now?: Date }): Promise<string>;
  close(): Promise<void>;
}

class BodyTooLargeError extends Error {
  constructor() {
    super('The request body is too large');
    this.name = 'BodyTooLargeError';
  }
}

async function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, answer: HttpAnswer, extraHeaders: Record<string, string>): void {
  const headers: Record<string, string | string[]> = { ...answer.headers, ...extraHeaders };
  if (answer.cookies.length > 0) headers['set-cookie'] = answer.cookies;
  headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.statusCode, headers);
  res.end(answer.body);
}

function jsonAnswer(statusCode: number, body: unknown): HttpAnswer {
  return { statusCode, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(JSON.stringify(body)) };
}

/** Starts the local HTTP API. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const audience = options.audience ?? LOCAL_JWT_AUDIENCE;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  const originPolicy = options.originPolicy ?? new OriginPolicy();
  const cors: CorsSettings = corsSettings(originPolicy);
  const match = createRouteMatcher(options.routes ?? API_ROUTES);
  const keys = await LocalIssuerKeys.open(options.dataDir);
  let issuer = '';
  let authorize: ReturnType<typeof createJwtAuthorizer> | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkBrowserDoor(req.headers, originPolicy);
    if (refusal) {
      const code = refusal.reason === 'host' ? 'HOST_NOT_ALLOWED' : 'ORIGIN_NOT_ALLOWED';
      return send(res, jsonAnswer(403, { code, message: refusal.message }), { connection: 'close' });
    }
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', issuer);
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const requestId = newRequestId();
    const extra = { ...responseCorsHeaders(cors, origin), 'apigw-requestid': requestId };

    if (url.pathname === LOCAL_TOKEN_PATH) {
      // Same-origin only: answered before CORS, with no CORS headers.
      const answer = await answerLocalTokenRequest(req, issuer, (userId) => keys.sign(userId, issuer, audience, { now: now() }));
      return send(res, jsonAnswer(answer.statusCode, answer.body), { 'apigw-requestid': requestId, 'cache-control': 'no-store' });
    }
    if (isPreflight(method, req.headers)) {
      res.writeHead(204, { ...preflightHeaders(cors, origin), 'apigw-requestid': requestId });
      res.end();
      return;
    }
    if (method === 'GET' && url.pathname === '/.well-known/jwks.json') return send(res, jsonAnswer(200, keys.jwks()), extra);
    if (method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return send(res, jsonAnswer(200, openIdConfiguration(issuer)), extra);
    }

    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const matched = match(method, decodePath(rawPath));
    if (!matched || STATIC_PAGE_FUNCTIONS.has(matched.route.function)) {
      if (options.staticHandler && (await options.staticHandler(req, res))) return;
      if (!matched) return send(res, gatewayAnswer(GATEWAY_ANSWERS.notFound), extra);
    }

    let authorization: JwtAuthorization | undefined;
    if (matched.route.authorized) {
      try {
        authorization = await authorize!(req.headers.authorization);
      } catch {
        return send(res, gatewayAnswer(GATEWAY_ANSWERS.unauthorized), extra);
      }
    }

    let body: Buffer;
    try {
      body = await readLimitedBody(req, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      send(res, jsonAnswer(413, { code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${maxBodyBytes} bytes` }), {
        ...extra,
        connection: 'close',
      });
      req.resume(); // drain what is still coming; the connection closes after the answer
      return;
    }

    const event = buildHttpApiEvent({
      method,
      rawPath,
      rawQueryString: url.search.replace(/^\?/, ''),
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      localPort: req.socket.localPort ?? 0,
      routeKey: routeKey(matched.route),
      pathParameters: matched.pathParameters,
      ...(authorization ? { authorizer: authorization } : {}),
      now: now(),
      requestId,
    });
    let answer: HttpAnswer;
    try {
      answer = answerFromLambda(await options.invoker.invoke(functionNameOf(matched.route), event, 'RequestResponse'));
    } catch (error) {
      options.onError?.(`Invoking ${functionNameOf(matched.route)} for ${routeKey(matched.route)} failed`, error);
      answer = gatewayAnswer(GATEWAY_ANSWERS.internalServerError);
    }
    send(res, answer, extra);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.('The local API failed to answer a request', error);
      if (!res.headersSent) send(res, gatewayAnswer(GATEWAY_ANSWERS.internalServerError), {});
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    keepIdleConnections(server);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  issuer = `http://${host}:${port}`;
  originPolicy.allowServer(issuer);
  authorize = createJwtAuthorizer({ issuer, audience: [audience] }, localIssuerKeys(keys.jwks()), now);
  recordIssuer(options.dataDir, { issuer, audience });

  return {
    url: issuer,
    port,
    issuer,
    issueToken: (userId, tokenOptions = {}) => keys.sign(userId, issuer, audience, tokenOptions),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
