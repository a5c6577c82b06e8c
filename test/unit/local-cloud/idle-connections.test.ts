import { createServer, request, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IDLE_CONNECTION_TIMEOUT_MS, keepIdleConnections } from '#local-cloud/idle-connections';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** The Keep-Alive header a keep-alive client is answered with. */
async function keepAliveHeader(server: ReturnType<typeof createServer>): Promise<string | undefined> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const agent = new Agent({ keepAlive: true });
  try {
    return await new Promise((resolve, reject) => {
      const req = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers['keep-alive'])));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    agent.destroy();
  }
}

describe('keepIdleConnections', () => {
  it("tells clients the server keeps an idle connection 65 s, longer than they keep it (Node's default says 5)", async () => {
    const plain = await keepAliveHeader(createServer((_, res) => res.end('ok')));
    expect(plain).toBe('timeout=5');
    const kept = await keepAliveHeader(keepIdleConnections(createServer((_, res) => res.end('ok'))));
    expect(kept).toBe(`timeout=${IDLE_CONNECTION_TIMEOUT_MS / 1000}`);
  });
});
