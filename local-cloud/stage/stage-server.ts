/**
 * A standalone HTTP server for the local stage (tests, tools): the WHIP endpoint under `/_stage/`, as the
 * shared gateway mounts it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WhipEndpoint, type WhipEndpointOptions } from './whip-endpoint.ts';

/** The path the stage is mounted under, on the gateway and here. */
export const STAGE_MOUNT_PATH = '/_stage';

export interface StageServer {
  endpoint: WhipEndpoint;
  /** `http://127.0.0.1:<port>/_stage`: the stage's base URL (its WHIP URL is `<baseUrl>/whip`). */
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the stage on its own HTTP server (port 0 picks a free port). */
export async function startStageServer(options: WhipEndpointOptions & { host?: string; port?: number }): Promise<StageServer> {
  const { host = '127.0.0.1', port = 0, ...endpointOptions } = options;
  const endpoint = new WhipEndpoint(endpointOptions);
  const server: Server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    const handled = pathname.startsWith(`${STAGE_MOUNT_PATH}/`)
      ? endpoint.handle(req, res, pathname.slice(STAGE_MOUNT_PATH.length))
      : Promise.resolve(false);
    void handled.then((done) => {
      if (!done) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not found\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
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
