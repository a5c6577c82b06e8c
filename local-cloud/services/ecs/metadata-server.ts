/**
 * The task metadata endpoint (version 4) on loopback: each container gets
 * `ECS_CONTAINER_METADATA_URI_V4 = http://127.0.0.1:<port>/v4/<taskId>/<container>`, and reads its own
 * metadata there and the task's at `${ECS_CONTAINER_METADATA_URI_V4}/task`, as on Fargate. The same server is
 * the container credentials endpoint: `GET /v2/credentials/<id>` with the task's authorization token in the
 * `Authorization` header answers the task role's credentials (AccessKeyId, SecretAccessKey, Token,
 * Expiration, RoleArn), which the SDKs read through AWS_CONTAINER_CREDENTIALS_FULL_URI and
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. A wrong or missing token gets 401 and no credentials.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepIdleConnections } from '../../idle-connections.ts';

export interface MetadataSource {
  /** The task metadata document, or undefined for an unknown task. */
  taskMetadata(taskId: string): Record<string, unknown> | undefined;
  /** One container's metadata document. */
  containerMetadata(taskId: string, containerName: string): Record<string, unknown> | undefined;
  /** The credentials document of a credentials id if `authorization` is its token; 'unauthorized' if not; undefined if unknown. */
  credentials?(credentialsId: string, authorization: string | undefined): Record<string, unknown> | 'unauthorized' | undefined;
}

export class MetadataServer {
  private server?: Server;
  private listening?: Promise<string>;

  constructor(private readonly source: MetadataSource) {}

  /** Starts the server once; resolves to its base URL. */
  start(): Promise<string> {
    this.listening ??= new Promise((resolve, reject) => {
      const server = createServer((request, response) => {
        const [version, taskId = '', containerName = '', ...rest] = (request.url ?? '').split('?')[0]!.split('/').filter(Boolean);
        const name = decodeURIComponent(containerName);
        let document: Record<string, unknown> | undefined;
        if (version === 'v2' && taskId === 'credentials' && containerName && rest.length === 0 && request.method === 'GET') {
          const answer = this.source.credentials?.(containerName, request.headers.authorization);
          if (answer === 'unauthorized') {
            response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'InvalidToken', message: 'Invalid authorization token' }));
            return;
          }
          document = answer;
        } else if (version === 'v4' && rest.length === 0) document = this.source.containerMetadata(taskId, name);
        else if (version === 'v4' && rest.join('/') === 'task') document = this.source.taskMetadata(taskId);
        if (!document || request.method !== 'GET') {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      });
      server.once('error', reject);
      keepIdleConnections(server);
      server.listen(0, '127.0.0.1', () => {
        this.server = server;
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      });
    });
    return this.listening;
  }

  /** The credentials URI of one credentials id. */
  static credentialsUri(base: string, credentialsId: string): string {
    return `${base}/v2/credentials/${credentialsId}`;
  }

  /** The metadata URI of one container. */
  static containerUri(base: string, taskId: string, containerName: string): string {
    return `${base}/v4/${taskId}/${encodeURIComponent(containerName)}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
