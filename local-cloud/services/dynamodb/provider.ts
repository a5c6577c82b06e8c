/**
 * The local DynamoDB: `dynalite` (a maintained DynamoDB emulator on LevelDB), run in a worker thread
 * (dynalite-worker.ts) as a server on an ephemeral loopback port when the first request arrives; requests
 * are passed to it unchanged and its answers passed back. Its work (parsing, validation, expressions,
 * LevelDB) thus stays off the thread that serves the AWS endpoint, the API and the local stage. With a data
 * directory its tables live on disk in `<dataDir>/dynamodb/` and survive a restart; without one they live in
 * memory. If the worker dies, the requests it had are answered 500 and the next request starts a new one.
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
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '#local-cloud/typescript-worker';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import { withItemOnConditionCheckFailure, type DynaliteCall } from './return-values-on-condition-check-failure.ts';
import type { DynaliteToProvider, DynaliteWorkerData, ProviderToDynalite } from './dynalite-protocol.ts';

/** X-Amz-Target prefix of DynamoDB. */
export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810';

export interface DynamoDbProviderOptions {
  /** The local cloud's data directory (tables go in `<dataDir>/dynamodb/`); in memory when absent. */
  dataDir?: string;
}

/** Headers not passed on to dynalite (hop-by-hop). */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

const WORKER_URL = new URL('./dynalite-worker.ts', import.meta.url);

interface Pending {
  resolve: (response: AwsResponse) => void;
  reject: (error: Error) => void;
}

/** dynalite's worker thread and the requests it has not answered yet. */
interface DynaliteThread {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, Pending>;
  closed?: Promise<void>;
}

/** The DynamoDB provider, passing requests to dynalite in a worker thread. */
export class DynamoDbProvider implements ServiceProvider {
  readonly signingNames = ['dynamodb'] as const;
  readonly targetPrefixes = [DYNAMODB_TARGET_PREFIX] as const;
  private thread: DynaliteThread | undefined;
  private nextId = 1;
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
    const call: DynaliteCall = (operation, body) => this.pass(internalRequest(request, operation, body));
    const answer = withItemOnConditionCheckFailure(request, call, () => this.pass(request));
    this.inFlight.add(answer);
    void answer.finally(() => this.inFlight.delete(answer)).catch(() => undefined);
    return answer;
  }

  private async pass(request: AwsRequest): Promise<AwsResponse> {
    const thread = this.start();
    await thread.ready;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (!HOP_HEADERS.has(name)) headers[name] = value;
    // Its own copy of the bytes, transferred (the request's Buffer may be a view of a larger one).
    const body = new Uint8Array(request.body).buffer;
    const id = this.nextId++;
    const message: ProviderToDynalite = { type: 'request', id, method: request.method, path: `${request.url.pathname}${request.url.search}`, headers, body };
    return new Promise<AwsResponse>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage(message, [body]);
    });
  }

  /** Starts dynalite's worker once (again after it died: a request it could not answer fails, the next gets a new one). */
  private start(): DynaliteThread {
    if (this.thread) return this.thread;
    const data: DynaliteWorkerData = this.options.dataDir ? { path: join(this.options.dataDir, 'dynamodb') } : {};
    const worker = startTypeScriptWorker(WORKER_URL, { workerData: data });
    const pending = new Map<number, Pending>();
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failReady = reject)));
    // Awaited by each request; a worker that dies unused must not leave its rejection unhandled.
    ready.catch(() => undefined);
    const thread: DynaliteThread = { worker, ready, pending };
    let markClosed: (() => void) | undefined;
    thread.closed = new Promise<void>((resolve) => (markClosed = resolve));
    worker.on('message', (message: DynaliteToProvider) => {
      if (message.type === 'ready') markReady();
      else if (message.type === 'closed') markClosed?.();
      else {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'failed') waiting?.reject(new Error(`dynalite did not answer: ${message.message}`));
        else waiting?.resolve({ status: message.status, headers: message.headers, body: Buffer.from(message.body) });
      }
    });
    const ended = (error: Error): void => {
      if (this.thread === thread) this.thread = undefined;
      failReady(error);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
      markClosed?.();
    };
    worker.on('error', (error: Error) => ended(error));
    worker.on('exit', (code) => ended(new Error(`dynalite's worker exited (code ${code})`)));
    this.thread = thread;
    return thread;
  }

  /**
   * Stops dynalite (which closes its database) once the requests it is serving are answered: closing its
   * database under a request makes dynalite throw from a callback, which would end its worker mid-write.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    const thread = this.thread;
    if (!thread) return;
    this.thread = undefined;
    if (await thread.ready.then(() => true, () => false)) thread.worker.postMessage({ type: 'close' } satisfies ProviderToDynalite);
    await thread.closed;
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
