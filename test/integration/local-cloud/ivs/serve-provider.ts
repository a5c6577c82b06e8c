/**
 * Test helper: serves one ServiceProvider over node:http on a free loopback port, parsing requests the way
 * the gateway does (signing service and region from the SigV4 credential scope), so real SDK clients can
 * talk to it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { AwsRequest, ServiceProvider } from '#local-cloud/gateway/provider';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toAwsRequest(req: IncomingMessage, body: Buffer, origin: string): AwsRequest {
  const url = new URL(req.url ?? '/', origin);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(headers.authorization ?? '');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    region: scope?.[2] ?? 'us-east-1',
    ...(scope ? { accessKeyId: scope[1]!, signingService: scope[3]! } : {}),
    url,
  };
}

/** Starts the server; `close()` stops it. */
export async function serveProvider(provider: ServiceProvider): Promise<{ endpoint: string; close: () => Promise<void> }> {
  let origin = '';
  const server = createServer((req, res) => {
    void (async () => {
      const answer = await provider.handle(toAwsRequest(req, await readBody(req), origin));
      res.writeHead(answer.status, answer.headers ?? {});
      if (answer.body instanceof Readable) answer.body.pipe(res);
      else res.end(answer.body ?? '');
    })().catch((error: unknown) => {
      res.writeHead(599);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint: origin,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
