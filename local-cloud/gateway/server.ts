/**
 * The local cloud's AWS endpoint: one HTTP server (127.0.0.1:4566 by default) in front of every service
 * provider. Each request first passes the browser door (browser-door.ts: a loopback `Host`, an allowed
 * `Origin` or none), then is read once into an AwsRequest, routed by its SigV4 credential scope, then its
 * X-Amz-Target prefix, with S3 as the fallback for unsigned path-style requests, and its SigV4 signature is
 * verified against the access key registry (sigv4.ts; a CORS preflight is the one unsigned request served):
 * a refused signature gets the service's own error (auth-errors.ts), a verified request reaches its
 * provider with `request.caller` set. Other code may mount plain HTTP and WebSocket handlers under a path
 * prefix (the local IVS stage's `/_stage/`), which bypass routing and signatures (they check their own tokens).
 *
 * A request for a service nobody provides gets `UnknownOperationException`; a provider that throws gets a
 * 500 `InternalFailure` with a generic message (the cause goes to the log, not to the caller). The request
 * log carries method, path, service, operation, status and duration: never bodies, query strings (presigned
 * signatures) or headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { LOCAL_AWS_PORT, type AwsRequest, type AwsResponse, type ServiceProvider } from './provider.ts';
import { findProvider, targetPrefixOf, toAwsRequest } from './request.ts';
import { protocolError } from './error-shapes.ts';
import type { FaultInjector } from './faults.ts';
import { AccessKeyRegistry, type AccessKeyLookup } from './access-keys.ts';
import { OriginPolicy } from './origin-policy.ts';
import { checkBrowserDoor, type DoorRefusal } from './browser-door.ts';
import { signatureErrorResponse } from './auth-errors.ts';
import { SignatureFailure, verifyRequestSignature } from './sigv4.ts';
import { keepIdleConnections } from '../idle-connections.ts';

/** A handler mounted under a path prefix, outside AWS routing (no signature, no AwsRequest). */
export interface ExtraRoute {
  /** Path prefix such as `/_stage/`; the longest matching prefix wins. */
  prefix: string;
  /** Plain HTTP requests under the prefix. */
  request?(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** WebSocket (or other) upgrades under the prefix. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * The route answers pages of any origin (it admits nothing but its own tokens, as the IVS stage's routes
   * do); the Host check still holds. Default: only allowed origins.
   */
  anyOrigin?: boolean;
}

/** One line of the request log. */
export interface RequestLogEntry {
  method: string;
  path: string;
  service: string;
  operation?: string;
  status: number;
  durationMs: number;
  /** The verified access key id, when the signature was verified. */
  accessKeyId?: string;
}

export interface GatewayOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4566; 0 picks a free port. */
  port?: number;
  providers: readonly ServiceProvider[];
  routes?: readonly ExtraRoute[];
  /**
   * Decides whether the caller may make the request (IAM): undefined to go on, or the answer to send instead
   * (AccessDenied in the service's shape). Called after routing, before the provider. Default: no check.
   */
  authorize?: (request: AwsRequest, service: string, requestId: string) => AwsResponse | undefined;
  /** Receives one entry per AWS request; default: no request log. */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Faults injected before providers answer (faults.ts); none without it. */
  faults?: Pick<FaultInjector, 'intercept'>;
  /**
   * The operation of a request that names none in a header or query (the REST services: Lambda's Invoke, S3,
   * IVS), for the request log and the faults' `operation`; default: none for those.
   */
  operationOf?: (request: AwsRequest, service: string) => string | undefined;
  /** Receives provider failures (the caller sees only a generic InternalFailure); default: stderr. */
  onError?: (error: unknown, entry: Omit<RequestLogEntry, 'status' | 'durationMs'>) => void;
  /** The keys signatures are verified against; default: the operator's and the workloads' keys. */
  accessKeys?: AccessKeyLookup;
  /** The web origins allowed in; default: none (requests without an Origin header only). */
  originPolicy?: OriginPolicy;
  /** The time signatures are checked against (ms since the epoch); default: the wall clock. */
  now?: () => number;
}

export interface Gateway {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Mounts an extra route after start (a route may need the gateway's URL first). */
  mount(route: ExtraRoute): void;
  /** Adds a provider after start. */
  addProvider(provider: ServiceProvider): void;
  /** The web origins this endpoint lets in. */
  readonly originPolicy: OriginPolicy;
  /** Stops the server, drops open connections and closes every provider. */
  close(): Promise<void>;
}

/** Reads a request body completely. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The operation name for the log: X-Amz-Target's suffix, or the query protocol's Action in the URL. */
function operationOf(request: AwsRequest): string | undefined {
  const target = request.headers['x-amz-target'];
  if (target) return target.slice(target.lastIndexOf('.') + 1);
  return request.query.get('Action') ?? undefined;
}

/** Writes an AwsResponse, streaming Readable bodies. */
function writeResponse(res: ServerResponse, response: AwsResponse, requestId: string): void {
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId, ...response.headers };
  const body = response.body;
  if (body instanceof Readable) {
    res.writeHead(response.status, headers);
    body.on('error', () => res.destroy());
    body.pipe(res);
    return;
  }
  const buffer = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(buffer.length);
  res.writeHead(response.status, headers);
  res.end(buffer);
}

/** Whether a request is a browser's CORS preflight (never signed, on AWS either). */
function isPreflight(request: AwsRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['origin'] !== undefined && request.headers['access-control-request-method'] !== undefined;
}

/** The door's refusal as the AWS endpoint answers it: 403 in the caller's protocol shape. */
function doorRefusalResponse(req: IncomingMessage, refusal: DoorRefusal, requestId: string): AwsResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  const code = refusal.reason === 'host' ? 'HostNotAllowed' : 'OriginNotAllowed';
  const response = protocolError({ headers } as AwsRequest, code, refusal.message, 403, requestId);
  return { ...response, headers: { ...response.headers, connection: 'close' } };
}

/** Starts the AWS endpoint; resolves once it listens. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const providers = [...options.providers];
  const accessKeys = options.accessKeys ?? new AccessKeyRegistry();
  const originPolicy = options.originPolicy ?? new OriginPolicy();
  const now = options.now ?? Date.now;
  const routes = [...(options.routes ?? [])];
  const onError =
    options.onError ??
    ((error: unknown, entry: { method: string; path: string; service: string; operation?: string }) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      process.stderr.write(`[aws-gateway] ${entry.service} ${entry.operation ?? entry.method} ${entry.path} failed: ${message}\n`);
    });

  const routeFor = (url: string | undefined): ExtraRoute | undefined => {
    const path = (url ?? '/').split('?')[0] ?? '/';
    let best: ExtraRoute | undefined;
    for (const route of routes) {
      if (path.startsWith(route.prefix) && (!best || route.prefix.length > best.prefix.length)) best = route;
    }
    return best;
  };

  const handleAws = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    const request = toAwsRequest(req, await readBody(req));
    const provider = findProvider(providers, request);
    const service = provider?.signingNames[0] ?? request.signingService ?? targetPrefixOf(request) ?? 'unknown';
    const operation = operationOf(request) ?? (provider ? options.operationOf?.(request, service) : undefined);
    const entry: Omit<RequestLogEntry, 'status' | 'durationMs'> = { method: request.method, path: request.path, service, operation };
    let response: AwsResponse | undefined;
    if (provider && !isPreflight(request)) {
      try {
        request.caller = verifyRequestSignature(request, req.url ?? '/', accessKeys, now());
        entry.accessKeyId = request.caller.accessKeyId;
      } catch (error) {
        if (!(error instanceof SignatureFailure)) throw error;
        response = signatureErrorResponse(request, service, error, requestId);
      }
    }
    if (response) {
      // Refused before the provider: nothing ran.
    } else if (!provider) {
      const name = request.signingService ?? targetPrefixOf(request) ?? 'unknown';
      response = protocolError(request, 'UnknownOperationException', `The local cloud does not provide the service '${name}'.`, 400, requestId);
    } else {
      try {
        response =
          options.authorize?.(request, service, requestId) ??
          (await options.faults?.intercept(request, service, entry.operation, requestId)) ??
          (await provider.handle(request));
      } catch (error) {
        onError(error, entry);
        response = protocolError(request, 'InternalFailure', 'The request processing has failed because of an unknown error.', 500, requestId);
      }
    }
    writeResponse(res, response, requestId);
    options.onRequest?.({ ...entry, status: response.status, durationMs: Date.now() - started });
  };

  const server = createServer((req, res) => {
    const route = routeFor(req.url);
    const refusal = checkBrowserDoor(req.headers, originPolicy, { anyOrigin: route?.anyOrigin === true });
    if (refusal) {
      // Refused before routing: the body is not read, the connection closes after the answer.
      const requestId = randomUUID();
      writeResponse(res, doorRefusalResponse(req, refusal, requestId), requestId);
      options.onRequest?.({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', service: 'gateway', status: 403, durationMs: 0 });
      return;
    }
    const work = route?.request ? Promise.resolve(route.request(req, res)) : handleAws(req, res);
    work.catch((error: unknown) => {
      onError(error, { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', service: route ? route.prefix : 'gateway' });
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ __type: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const route = routeFor(req.url);
    const refusal = checkBrowserDoor(req.headers, originPolicy, { anyOrigin: route?.anyOrigin === true });
    if (refusal) {
      if (socket.writable) socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${refusal.message}\n`);
      else socket.destroy();
      return;
    }
    if (route?.upgrade) route.upgrade(req, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    keepIdleConnections(server);
    server.listen(options.port ?? LOCAL_AWS_PORT, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    mount: (route) => routes.push(route),
    addProvider: (provider) => providers.push(provider),
    originPolicy,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Long polls answer empty when their provider closes; then idle keep-alive sockets go.
      await Promise.all(providers.map((p) => p.close?.()));
      server.closeAllConnections();
      await closed;
    },
  };
}
