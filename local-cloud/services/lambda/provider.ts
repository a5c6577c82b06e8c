/**
 * Local Lambda: the REST-JSON API (signing name `lambda`) and the in-process FunctionInvoker.
 *
 * Functions are registered in-process by the local deployer (`register`), not created by clients. Each
 * execution environment is a worker thread with the function's environment (plus Lambda's reserved
 * variables and the local cloud's endpoint and credentials); it loads the handler module once (cold start)
 * and is reused (warm). Concurrent invocations get more environments, up to maxEnvironmentsPerFunction
 * (then they wait for one). Output goes to
 * `/aws/lambda/<name>`, one stream per environment, with START / END / REPORT lines.
 *
 * LIMITATIONS
 * - Wire operations: Invoke (RequestResponse, Event, DryRun; LogType Tail), GetFunction,
 *   GetFunctionConfiguration, ListFunctions. No CreateFunction, UpdateFunction*, DeleteFunction, versions, aliases,
 *   layers, concurrency settings, event source mappings or function URLs; qualifiers other than $LATEST
 *   are not found.
 * - Environments share the local cloud's process: memory size is reported, not enforced; `TZ` and the
 *   working directory are the host's; there is no /tmp isolation and no idle shutdown of warm workers.
 * - Asynchronous (Event) invocations run at once (Lambda's internal queue is never behind). One whose function
 *   fails (an error or a timeout) is retried as Lambda retries it: after 1 minute, then 2 minutes on the
 *   service's clock, at most the function's `maximumRetryAttempts` times (default 2) and while the event is
 *   younger than its `maximumEventAgeSeconds` (default 6 h), with the same request id; then it is dropped and
 *   reported through `onAsyncInvocationDropped` (there are no destinations or dead-letter queues). Retries
 *   not yet due when the provider closes are dropped (they are not kept across a restart).
 * - No payload size limits, no IAM: any caller may invoke any function.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { basename, extname } from 'node:path';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import type { CallerEnvironment, FunctionHost } from '#local-cloud/gateway/faults';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import type { FunctionInvoker, InvokeResult, LogSink } from '#local-cloud/gateway/internal';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { ExecutionEnvironment, type InvocationOutcome } from './execution-environment.ts';
import { ASYNC_RETRY_DELAYS_MS, logGroupName, type FunctionConfiguration, type FunctionRegistration } from './function-configuration.ts';
import { LambdaStore } from './store.ts';
import { systemClock, type Clock, type TimerHandle } from '#local-cloud/clock';
import type { TemporaryCredentials } from '#local-cloud/iam/principals';

export type { FunctionRegistration } from './function-configuration.ts';

/** An asynchronous invocation Lambda gave up on: its function failed on every attempt it had. */
export interface DroppedAsyncInvocation {
  functionName: string;
  requestId: string;
  /** Attempts made (1 + retries). */
  attempts: number;
  /** The last attempt's error type (`Error`, `Sandbox.Timedout`, ...). */
  errorType: string;
  /** Why no more attempt is made. */
  reason: 'RetriesExhausted' | 'EventAgeExceeded';
}

export interface LambdaProviderOptions {
  logs: LogSink;
  /** Variables every function gets so its SDK clients reach the local cloud (AWS_ENDPOINT_URL, credentials). */
  cloudEnvironment?: Record<string, string>;
  /**
   * The temporary credentials of a function's execution role, as Lambda puts them in each execution
   * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); they replace the
   * cloudEnvironment's keys. Without it, functions get the cloudEnvironment's keys.
   */
  roleCredentials?: (roleArn: string, sessionName: string) => TemporaryCredentials;
  region?: string;
  /** The time and the timers (an invocation's timeout); the wall clock by default. */
  clock?: Clock;
  /**
   * Execution environments (worker threads) per function at most; more concurrent invocations wait for one
   * to come free. Lambda would scale out instead; on one small machine, many cold starts at once only make
   * every one of them slow.
   */
  maxEnvironmentsPerFunction?: number;
  /** Told of each asynchronous invocation dropped after its retries (default: a line on stderr). */
  onAsyncInvocationDropped?: (dropped: DroppedAsyncInvocation) => void;
}

/** Default of LambdaProviderOptions.maxEnvironmentsPerFunction. */
export const DEFAULT_MAX_ENVIRONMENTS_PER_FUNCTION = 4;

const API_PREFIX = '/2015-03-31/functions';
/** Bytes of log Lambda returns in X-Amz-Log-Result for `LogType: Tail`. */
const LOG_TAIL_BYTES = 4096;
const LIST_FUNCTIONS_MAX_ITEMS = 50;

/** A REST-JSON error as Lambda sends it. */
function restJsonError(code: string, message: string, status: number, requestId: string): AwsResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message }),
  };
}

function restJsonOk(body: unknown, requestId: string, status = 200): AwsResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

/** Lambda's `LastModified` format: `2024-01-31T12:00:00.000+0000`. */
function lastModified(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

export class LambdaProvider implements ServiceProvider, FunctionInvoker, FunctionHost {
  readonly signingNames = ['lambda'] as const;
  readonly targetPrefixes = [] as const;
  private readonly store: LambdaStore;
  private readonly busy = new WeakSet<ExecutionEnvironment>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Retries of asynchronous invocations waiting for their time. */
  private readonly retries = new Set<TimerHandle>();
  private readonly region: string;
  private readonly clock: Clock;
  private closed = false;

  constructor(private readonly options: LambdaProviderOptions) {
    this.region = options.region ?? LOCAL_REGION;
    this.clock = options.clock ?? systemClock;
    this.store = new LambdaStore(this.region, LOCAL_ACCOUNT_ID);
  }

  /** Registers (or replaces) a function; the local deployer calls this for each function spec. */
  register(registration: FunctionRegistration): FunctionConfiguration {
    const { configuration, retired } = this.store.put(registration, new Date(this.clock.now()));
    for (const environment of retired) void environment.terminate();
    return configuration;
  }

  /** FunctionInvoker: invokes a function in-process, as the Lambda service does for other services. */
  async invoke(functionNameOrArn: string, payload: unknown, invocationType: 'RequestResponse' | 'Event' = 'RequestResponse'): Promise<InvokeResult> {
    const configuration = this.store.get(functionNameOrArn);
    const requestId = randomUUID();
    if (invocationType === 'Event') {
      this.runDetached(configuration, requestId, payload);
      return { payload: undefined };
    }
    const outcome = await this.run(configuration, requestId, payload);
    return outcome.ok
      ? { payload: JSON.parse(outcome.payloadJson) as unknown }
      : { payload: outcome.error, functionError: 'Unhandled' };
  }

  /** The execution environment whose role credentials have this access key (the faults' `killCaller`). */
  environmentSigningWith(accessKeyId: string): CallerEnvironment | undefined {
    for (const configuration of this.store.list()) {
      const environment = this.store.environmentsOf(configuration.functionName).find((candidate) => candidate.signsWith(accessKeyId));
      if (environment) return { functionName: configuration.functionName, kill: () => environment.terminate() };
    }
    return undefined;
  }

  /** Resolves when every asynchronous (Event) invocation started so far has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const requestId = randomUUID();
    try {
      return await this.route(request, requestId);
    } catch (error) {
      if (error instanceof AwsServiceError) return restJsonError(error.code, error.message, error.status, requestId);
      return restJsonError('ServiceException', 'The local Lambda service failed to handle the request.', 500, requestId);
    }
  }

  /** Terminates every execution environment and waits for running asynchronous invocations to end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const retry of this.retries) retry.cancel();
    this.retries.clear();
    for (const waiters of this.waiters.values()) waiters.splice(0).forEach((wake) => wake());
    await Promise.all(this.store.allEnvironments().map((environment) => environment.terminate()));
    await this.drain();
  }

  private async route(request: AwsRequest, requestId: string): Promise<AwsResponse> {
    const path = request.path.replace(/\/+$/, '');
    if (!path.startsWith(API_PREFIX)) throw this.unsupported(request);
    const segments = path.slice(API_PREFIX.length).split('/').filter(Boolean).map((segment) => decodeURIComponent(segment));
    const [name, action] = segments;
    if (request.method === 'GET' && segments.length === 0) return this.listFunctions(request, requestId);
    if (name === undefined) throw this.unsupported(request);
    if (request.method === 'POST' && action === 'invocations' && segments.length === 2) return this.invokeFromWire(name, request, requestId);
    if (request.method === 'GET' && segments.length === 1) return restJsonOk(this.functionDocument(this.store.get(name)), requestId);
    if (request.method === 'GET' && action === 'configuration' && segments.length === 2) {
      return restJsonOk(this.configurationDocument(this.store.get(name)), requestId);
    }
    throw this.unsupported(request);
  }

  private unsupported(request: AwsRequest): AwsServiceError {
    return new AwsServiceError(
      'UnsupportedOperation',
      `The local Lambda service does not implement ${request.method} ${request.path}; functions are registered by the local deployer.`,
      400,
    );
  }

  private async invokeFromWire(name: string, request: AwsRequest, requestId: string): Promise<AwsResponse> {
    const qualifier = request.query.get('Qualifier');
    const configuration = this.store.get(qualifier ? `${name}:${qualifier}` : name);
    const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    const event = this.parsePayload(request.body);
    const clientContext = this.parseClientContext(request.headers['x-amz-client-context']);
    const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
    if (invocationType === 'DryRun') return { status: 204, headers };
    if (invocationType === 'Event') {
      this.runDetached(configuration, requestId, event, clientContext);
      return { status: 202, headers };
    }
    if (invocationType !== 'RequestResponse') {
      throw new AwsServiceError('InvalidParameterValueException', `Unsupported invocation type: ${invocationType}`, 400);
    }
    const outcome = await this.run(configuration, requestId, event, clientContext);
    const responseHeaders: Record<string, string> = { ...headers, 'content-type': 'application/json' };
    if (!outcome.ok) responseHeaders['x-amz-function-error'] = 'Unhandled';
    if (request.headers['x-amz-log-type'] === 'Tail') {
      const tail = Buffer.from(outcome.logLines.join('\n') + '\n').subarray(-LOG_TAIL_BYTES);
      responseHeaders['x-amz-log-result'] = tail.toString('base64');
    }
    return { status: 200, headers: responseHeaders, body: outcome.ok ? outcome.payloadJson : JSON.stringify(outcome.error) };
  }

  private parsePayload(body: Buffer): unknown {
    if (body.length === 0) return {};
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch (error) {
      throw new AwsServiceError('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`, 400);
    }
  }

  private parseClientContext(header: string | undefined): unknown {
    if (!header) return undefined;
    try {
      return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as unknown;
    } catch {
      throw new AwsServiceError('InvalidRequestContentException', 'Client context must be a base64-encoded JSON object.', 400);
    }
  }

  /**
   * Runs an asynchronous invocation; when its function fails, retries it as Lambda does (1 min, then 2 min
   * later; the function's maximumRetryAttempts and maximumEventAgeSeconds), then drops it.
   */
  private runDetached(configuration: FunctionConfiguration, requestId: string, event: unknown, clientContext?: unknown, attempt = 1, queuedAt = this.clock.now()): void {
    const running = this.run(configuration, requestId, event, clientContext).then(
      (outcome) => {
        if (outcome.ok || this.closed) return;
        const { maximumRetryAttempts, maximumEventAgeSeconds } = configuration.asyncInvokeConfig;
        const errorType = outcome.error.errorType;
        const delay = ASYNC_RETRY_DELAYS_MS[Math.min(attempt - 1, ASYNC_RETRY_DELAYS_MS.length - 1)]!;
        const drop = (reason: DroppedAsyncInvocation['reason']) =>
          (this.options.onAsyncInvocationDropped ?? defaultDropReport)({
            functionName: configuration.functionName,
            requestId,
            attempts: attempt,
            errorType,
            reason,
          });
        if (attempt > maximumRetryAttempts) return drop('RetriesExhausted');
        if (this.clock.now() + delay - queuedAt > maximumEventAgeSeconds * 1000) return drop('EventAgeExceeded');
        // The function may have been registered again meanwhile: the retry runs what is registered then.
        const timer = this.clock.setTimeout(() => {
          this.retries.delete(timer);
          let current: FunctionConfiguration;
          try {
            current = this.store.get(configuration.functionName);
          } catch {
            return drop('RetriesExhausted');
          }
          this.runDetached(current, requestId, event, clientContext, attempt + 1, queuedAt);
        }, delay);
        this.retries.add(timer);
      },
      () => undefined,
    );
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  /** Runs one invocation in an idle environment of the function, or a new one (cold start). */
  private async run(configuration: FunctionConfiguration, requestId: string, event: unknown, clientContext?: unknown): Promise<InvocationOutcome> {
    if (this.closed) throw new AwsServiceError('ServiceException', 'The local Lambda service is shutting down.', 500);
    const pool = this.store.environmentsOf(configuration.functionName);
    const limit = this.options.maxEnvironmentsPerFunction ?? DEFAULT_MAX_ENVIRONMENTS_PER_FUNCTION;
    let environment = pool.find((candidate) => candidate.usable && !this.busy.has(candidate));
    // At the limit, wait for an environment of this function to come free instead of starting another.
    while (!environment && pool.length >= limit) {
      await new Promise<void>((resolve) => this.waitersOf(configuration.functionName).push(resolve));
      if (this.closed) throw new AwsServiceError('ServiceException', 'The local Lambda service is shutting down.', 500);
      environment = pool.find((candidate) => candidate.usable && !this.busy.has(candidate));
    }
    if (!environment) {
      environment = new ExecutionEnvironment(configuration, {
        logs: this.options.logs,
        clock: this.clock,
        region: this.region,
        cloudEnvironment: this.options.cloudEnvironment ?? {},
        ...(this.options.roleCredentials ? { roleCredentials: this.options.roleCredentials } : {}),
      });
      pool.push(environment);
    }
    this.busy.add(environment);
    try {
      return await environment.invoke(requestId, event, clientContext);
    } finally {
      this.busy.delete(environment);
      if (!environment.usable) pool.splice(pool.indexOf(environment), 1);
      this.waitersOf(configuration.functionName).shift()?.();
    }
  }

  /** Invocations of a function waiting for a free environment, first come first served. */
  private waitersOf(functionName: string): (() => void)[] {
    let waiters = this.waiters.get(functionName);
    if (!waiters) {
      waiters = [];
      this.waiters.set(functionName, waiters);
    }
    return waiters;
  }

  private configurationDocument(configuration: FunctionConfiguration): Record<string, unknown> {
    const module = basename(configuration.entry, extname(configuration.entry));
    return {
      FunctionName: configuration.functionName,
      FunctionArn: configuration.functionArn,
      Runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
      Role: configuration.role,
      Handler: `${module}.${configuration.handlerName}`,
      CodeSize: 0,
      Description: '',
      Timeout: configuration.timeoutSeconds,
      MemorySize: configuration.memoryMiB,
      LastModified: lastModified(configuration.lastModified),
      Version: '$LATEST',
      Environment: { Variables: configuration.environment },
      TracingConfig: { Mode: 'PassThrough' },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: configuration.loggingFormat, LogGroup: logGroupName(configuration.functionName) },
    };
  }

  private functionDocument(configuration: FunctionConfiguration): Record<string, unknown> {
    return {
      Configuration: this.configurationDocument(configuration),
      Code: { RepositoryType: 'Local', Location: pathToFileURL(configuration.entry).href },
    };
  }

  private listFunctions(request: AwsRequest, requestId: string): AwsResponse {
    const maxItems = Math.min(Number(request.query.get('MaxItems') ?? LIST_FUNCTIONS_MAX_ITEMS) || LIST_FUNCTIONS_MAX_ITEMS, LIST_FUNCTIONS_MAX_ITEMS);
    const start = Number(request.query.get('Marker') ?? 0) || 0;
    const all = this.store.list();
    const page = all.slice(start, start + maxItems);
    const next = start + maxItems < all.length ? String(start + maxItems) : undefined;
    return restJsonOk({ Functions: page.map((configuration) => this.configurationDocument(configuration)), ...(next ? { NextMarker: next } : {}) }, requestId);
  }
}

function defaultDropReport(dropped: DroppedAsyncInvocation): void {
  process.stderr.write(
    `lambda: asynchronous invocation ${dropped.requestId} of ${dropped.functionName} dropped after ${dropped.attempts} attempt(s) (${dropped.reason}, last error ${dropped.errorType})\n`,
  );
}
