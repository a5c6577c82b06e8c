/**
 * A standalone HTTP server for the local stage (tests, tools): the stage's routes and events WebSocket under
 * `/_stage/`, as the shared gateway mounts them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StageEndpoint, type StageEndpointOptions } from './stage-endpoint.ts';
import { keepIdleConnections } from '../idle-connections.ts';

/** The path the stage is mounted under, on the gateway and here. */
export const STAGE_MOUNT_PATH = '/_stage';

export interface StageServer {
  endpoint: StageEndpoint;
  /** `http://127.0.0.1:<port>/_stage`: the stage's base URL (WHIP at `<baseUrl>/whip`, events at `<baseUrl>/events`). */
  baseUrl: string;
  close(): Promise<void>;
}

/** The sub-path under the mount point of a request, or undefined when it is not the stage's. */
export function stageSubPath(url: string | undefined): string | undefined {
  const pathname = (url ?? '/').split('?')[0]!;
  return pathname.startsWith(`${STAGE_MOUNT_PATH}/`) ? pathname.slice(STAGE_MOUNT_PATH.length) : undefined;
}

/** Starts the stage on its own HTTP server (port 0 picks a free port). */
export async function startStageServer(options: StageEndpointOptions & { host?: string; port?: number }): Promise<StageServer> {
  const { host = '127.0.0.1', port = 0, ...endpointOptions } = options;
  const endpoint = new StageEndpoint(endpointOptions);
  const server: Server = createServer((req, res) => {
    const subPath = stageSubPath(req.url);
    void (subPath === undefined ? Promise.resolve(false) : endpoint.handle(req, res, subPath)).then((done) => {
      if (!done) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not found\n');
      }
    });
  });
  server.on('upgrade', (req, socket, head: Buffer) => {
    const subPath = stageSubPath(req.url);
    if (subPath === undefined || !endpoint.upgrade(req, socket, head, subPath)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    keepIdleConnections(server);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint,
    baseUrl: `http://${host}:${address.port}${STAGE_MOUNT_PATH}`,
    async close() {
      await endpoint.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
