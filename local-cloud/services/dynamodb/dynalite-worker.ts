/**
 * dynalite in a worker thread: its request parsing, validation, expression evaluation and LevelDB work, and
 * the loopback HTTP between it and the provider, run here instead of on the thread that serves the AWS
 * endpoint and the API. The provider sends each request as it came (dynalite-protocol.ts); this thread passes
 * it to dynalite's server on an ephemeral loopback port and sends the answer back.
 */
import { mkdirSync } from 'node:fs';
import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { DynaliteRequest, DynaliteToProvider, DynaliteWorkerData, ProviderToDynalite } from './dynalite-protocol.ts';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}
/** dynalite is CommonJS without types: a factory returning an http.Server. */
type DynaliteFactory = (options: DynaliteOptions) => Server;

const port = parentPort;
if (!port) throw new Error('dynalite-worker must run in a worker thread');
const data = workerData as DynaliteWorkerData;
const post = (message: DynaliteToProvider, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
const options: DynaliteOptions = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
if (data.path) {
  mkdirSync(dirname(data.path), { recursive: true });
  options.path = data.path;
}
const server = dynalite(options);
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
let serverPort = 0;

/** Headers not passed back (hop-by-hop, and the date the gateway sets itself). */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'date']);

function pass(request: DynaliteRequest): void {
  const body = Buffer.from(request.body);
  const proxied = httpRequest(
    { host: '127.0.0.1', port: serverPort, method: request.method, path: request.path, headers: { ...request.headers, 'content-length': String(body.length) }, agent },
    (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => post({ type: 'failed', id: request.id, message: error.message }));
      response.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined && !DROPPED_HEADERS.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const all = Buffer.concat(chunks);
        const out = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
        post({ type: 'response', id: request.id, status: response.statusCode ?? 500, headers, body: out }, [out]);
      });
    },
  );
  proxied.on('error', (error) => post({ type: 'failed', id: request.id, message: error.message }));
  proxied.end(body);
}

port.on('message', (message: ProviderToDynalite) => {
  if (message.type === 'request') {
    pass(message);
    return;
  }
  // The provider sends `close` once every request it sent was answered: dynalite's database may close.
  agent.destroy();
  server.close(() => {
    post({ type: 'closed' });
    port.close();
  });
  server.closeIdleConnections();
});

server.once('error', (error) => {
  throw error;
});
server.listen(0, '127.0.0.1', () => {
  serverPort = (server.address() as AddressInfo).port;
  post({ type: 'ready' });
});
