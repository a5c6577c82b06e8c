/**
 * The local DynamoDB: `dynalite` (a maintained DynamoDB emulator on LevelDB), run as a server on an
 * ephemeral loopback port when the first request arrives; requests are passed to it unchanged and its
 * answers passed back. With a data directory its tables live on disk in `<dataDir>/dynamodb/` and survive a
 * restart; without one they live in memory.
 *
 * LIMITATIONS (what dynalite 4 does not emulate; such requests get UnknownOperationException):
 * - No transactions (TransactWriteItems, TransactGetItems), no PartiQL (ExecuteStatement,
 *   BatchExecuteStatement, ExecuteTransaction).
 * - No TTL: UpdateTimeToLive is refused and DescribeTimeToLive always answers DISABLED; nothing expires.
 * - No streams, backups, point-in-time recovery, global tables, import/export, resource policies,
 *   contributor insights, Kinesis destinations, DescribeEndpoints or DescribeLimits.
 * - No IAM or signature checks; capacity and throttling are not enforced. Tables become ACTIVE at once
 *   (createTableMs/deleteTableMs/updateTableMs are 0 here; AWS takes seconds).
 *
 * ADDED ON TOP OF DYNALITE
 * - `ReturnValuesOnConditionCheckFailure` on PutItem, UpdateItem and DeleteItem (dynalite drops it): with
 *   `ALL_OLD`, a ConditionalCheckFailedException carries the item as it is (`Item`, in the error body beside
 *   `__type` and `message`, as AWS sends it: LocalStack's `tests/aws/services/dynamodb/test_dynamodb.snapshot.json`,
 *   `test_return_values_on_conditions_check_failure`, recorded against AWS 2025-10-08); no item, no `Item`.
 *   The item is read (strongly consistent) right after the write failed: a write that lands between the two
 *   is seen, where AWS returns the item the condition was evaluated on. A value other than NONE or ALL_OLD is
 *   a ValidationException, as on AWS. (return-values-on-condition-check-failure.ts)
 */
import { mkdirSync } from 'node:fs';
import { request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import { withItemOnConditionCheckFailure, type DynaliteCall } from './return-values-on-condition-check-failure.ts';

/** X-Amz-Target prefix of DynamoDB. */
export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810';

export interface DynamoDbProviderOptions {
  /** The local cloud's data directory (tables go in `<dataDir>/dynamodb/`); in memory when absent. */
  dataDir?: string;
}

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

/** dynalite is CommonJS without types: a factory returning an http.Server. */
type DynaliteFactory = (options: DynaliteOptions) => Server;

const requireCjs = createRequire(import.meta.url);

/** Headers not passed on to dynalite (hop-by-hop). */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/** The DynamoDB provider, proxying to an embedded dynalite. */
export class DynamoDbProvider implements ServiceProvider {
  readonly signingNames = ['dynamodb'] as const;
  readonly targetPrefixes = [DYNAMODB_TARGET_PREFIX] as const;
  private server: Promise<{ server: Server; port: number }> | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  /** Requests dynalite is working on: closing waits for them, as its database must outlive them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly options: DynamoDbProviderOptions = {}) {}

  async handle(request: AwsRequest): Promise<AwsResponse> {
    if (this.closing) {
      // Shutting down: answered as DynamoDB answers when it cannot serve (the SDKs retry it elsewhere).
      const body = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailableException', message: 'The local cloud is stopping.' });
      return { status: 503, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from(body) };
    }
    const call: DynaliteCall = (operation, body) => this.proxy(internalRequest(request, operation, body));
    const answer = withItemOnConditionCheckFailure(request, call, () => this.proxy(request));
    this.inFlight.add(answer);
    void answer.finally(() => this.inFlight.delete(answer)).catch(() => undefined);
    return answer;
  }

  private async proxy(request: AwsRequest): Promise<AwsResponse> {
    const { port } = await this.start();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (!HOP_HEADERS.has(name)) headers[name] = value;
    headers['content-length'] = String(request.body.length);
    return new Promise<AwsResponse>((resolve, reject) => {
      const proxied = httpRequest(
        { host: '127.0.0.1', port, method: request.method, path: `${request.url.pathname}${request.url.search}`, headers, agent: this.agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const out: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined && !HOP_HEADERS.has(name) && name !== 'date') out[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: response.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
          });
        },
      );
      proxied.on('error', reject);
      proxied.end(request.body);
    });
  }

  /** Starts dynalite once, on an ephemeral loopback port. */
  private start(): Promise<{ server: Server; port: number }> {
    this.server ??= new Promise((resolve, reject) => {
      const dynalite = requireCjs('dynalite') as DynaliteFactory;
      const options: DynaliteOptions = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
      if (this.options.dataDir) {
        mkdirSync(this.options.dataDir, { recursive: true });
        options.path = join(this.options.dataDir, 'dynamodb');
      }
      const server = dynalite(options);
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
    });
    return this.server;
  }

  /**
   * Stops dynalite (which closes its database) once the requests it is serving are answered: closing its
   * database under a request makes dynalite throw from a callback, which ends the whole process.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    this.agent.destroy();
    if (!this.server) return;
    const { server } = await this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }
}

/** A request of the provider's own to dynalite, with the headers of the request it serves (dynalite checks none). */
function internalRequest(request: AwsRequest, operation: string, body: unknown): AwsRequest {
  return {
    ...request,
    headers: { ...request.headers, 'x-amz-target': `${DYNAMODB_TARGET_PREFIX}.${operation}` },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** Builds the local DynamoDB provider. */
export function createDynamoDbProvider(options: DynamoDbProviderOptions = {}): DynamoDbProvider {
  return new DynamoDbProvider(options);
}
