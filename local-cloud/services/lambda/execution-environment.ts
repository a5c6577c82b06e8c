/**
 * One Lambda execution environment: a worker thread that loads the function's module once and then serves
 * one invocation at a time. Writes the function's output with Lambda's START / END / REPORT lines (in the
 * JSON log format, its `platform.start` / `platform.runtimeDone` / `platform.report` records) to the log
 * stream of this environment, and enforces the function's timeout by terminating the worker. A JavaScript
 * module (the deployed functions' bundles) is imported as it is; a TypeScript one (a test's function) through tsx.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { LogSink } from '#local-cloud/gateway/internal';
import { logGroupName, newLogStreamName, type FunctionConfiguration } from './function-configuration.ts';
import {
  parseEndMarker,
  type LambdaErrorDocument,
  type RuntimeToService,
  type RuntimeWorkerData,
  type ServiceToRuntime,
} from './runtime-protocol.ts';
import type { Clock, TimerHandle } from '#local-cloud/clock';
import type { TemporaryCredentials } from '#local-cloud/iam/principals';
import { credentialEnvironment, REFRESH_BEFORE_EXPIRY_MS } from '#local-cloud/iam/role-sessions';

const TSX_API_URL = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
const RUNTIME_URL = new URL('./runtime-worker.ts', import.meta.url).href;

/** The worker's bootstrap for a TypeScript handler: register tsx in the worker, then start the runtime. */
const TYPESCRIPT_BOOTSTRAP = `import(${JSON.stringify(TSX_API_URL)})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(RUNTIME_URL)}); })
  .catch((error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); });`;

/**
 * The bootstrap for a JavaScript handler (a bundle): nothing but the runtime, which Node loads itself (its
 * TypeScript has only erasable syntax), so the handler runs on plain Node as on Lambda.
 */
const JAVASCRIPT_BOOTSTRAP = `import(${JSON.stringify(RUNTIME_URL)})
  .catch((error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); });`;

/** Whether a handler module needs tsx (TypeScript) or is loaded by Node as it is. */
export function isTypeScriptModule(path: string): boolean {
  return /\.[cm]?tsx?$/.test(path);
}


/**
 * How long a cold start may take to load the handler. Lambda limits its init phase to 10 s; locally many
 * environments may start at once on a shared 2-core machine (and a test's TypeScript handler is transpiled at
 * load), so we allow more.
 */
export const INIT_PHASE_LIMIT_SECONDS = 30;
export interface EnvironmentDependencies {
  logs: LogSink;
  clock: Clock;
  region: string;
  /** Variables every function gets from the local cloud (endpoint, credentials). */
  cloudEnvironment: Record<string, string>;
  /** The execution role's credentials for this environment (they replace cloudEnvironment's keys). */
  roleCredentials?: (roleArn: string, sessionName: string) => TemporaryCredentials;
}

export type InvocationOutcome = (
  | { ok: true; payloadJson: string }
  | { ok: false; error: LambdaErrorDocument }
) & {
  /** The log lines of this invocation, START to REPORT (for `LogType: Tail`). */
  logLines: string[];
};
type Outcome = { ok: true; payloadJson: string } | { ok: false; error: LambdaErrorDocument };

interface PendingInvocation {
  requestId: string;
  startedAt: number;
  coldInitMs?: number;
  result?: RuntimeToService & { type: 'result' };
  maxMemoryUsedMB?: number;
  finish: (outcome: InvocationOutcome) => void;
  timer: TimerHandle;
  logLines: string[];
}

/** Formats a duration as Lambda's REPORT line does. */
function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

export class ExecutionEnvironment {
  readonly logStreamName: string;
  readonly logGroupName: string;
  private worker?: Worker;
  private ready?: Promise<RuntimeToService & { type: 'ready' | 'init-error' }>;
  private pending?: PendingInvocation;
  private dead = false;
  private credentialsExpireAt?: number;
  /** The access key of the role credentials its function signs with (when it has role credentials). */
  private roleAccessKeyId?: string;

  constructor(
    private readonly fn: FunctionConfiguration,
    private readonly deps: EnvironmentDependencies,
  ) {
    this.logGroupName = logGroupName(fn.functionName);
    this.logStreamName = newLogStreamName(new Date(deps.clock.now()));
  }

  /** False once the environment failed, timed out or was terminated; it is then discarded. */
  get usable(): boolean {
    // An environment whose role credentials are about to expire is retired, as Lambda recycles environments.
    if (this.credentialsExpireAt !== undefined && this.credentialsExpireAt - this.deps.clock.now() < REFRESH_BEFORE_EXPIRY_MS) return false;
    return !this.dead;
  }

  /** Whether its running worker signs its requests with this access key (its role credentials). */
  signsWith(accessKeyId: string): boolean {
    return !this.dead && this.worker !== undefined && this.roleAccessKeyId === accessKeyId;
  }

  /** The worker's thread id while it runs (for tests and diagnostics). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Runs one invocation; resolves once its output and END/REPORT lines are written. */
  async invoke(requestId: string, event: unknown, clientContext?: unknown): Promise<InvocationOutcome> {
    if (this.pending) throw new Error('An execution environment serves one invocation at a time');
    const startedAt = this.deps.clock.now();
    const cold = !this.worker;
    // As on Lambda, the init phase of a cold start is not part of the function's timeout: it has its own
    // limit (INIT_PHASE_LIMIT_SECONDS), and the function's timeout starts once the handler is loaded.
    const limitMs = (cold ? INIT_PHASE_LIMIT_SECONDS : this.fn.timeoutSeconds) * 1000;
    const outcome = new Promise<InvocationOutcome>((resolve) => {
      const timer = this.deps.clock.setTimeout(() => this.timeOut(), limitMs);
      this.pending = { requestId, startedAt, finish: resolve, timer, logLines: [] };
    });
    const init = await this.start();
    const pending = this.pending as PendingInvocation | undefined;
    if (!pending || pending.requestId !== requestId) return outcome; // timed out while starting
    if (cold) {
      pending.coldInitMs = init.initDurationMs;
      pending.timer.cancel();
      pending.timer = this.deps.clock.setTimeout(() => this.timeOut(), this.fn.timeoutSeconds * 1000);
    }
    this.platform(`START RequestId: ${requestId} Version: $LATEST`, 'platform.start', { requestId, version: '$LATEST' });
    if (init.type === 'init-error') {
      this.platform(
        `INIT_REPORT Init Duration: ${ms(init.initDurationMs)}\tPhase: init\tStatus: error\tError Type: ${init.error.errorType}`,
        'platform.initReport',
        { initializationType: 'on-demand', phase: 'init', status: 'error', errorType: init.error.errorType, metrics: { durationMs: init.initDurationMs } },
      );
      this.complete({ ok: false, error: init.error }, 'error', init.error.errorType);
      this.discard();
      return outcome;
    }
    const message: ServiceToRuntime = {
      type: 'invoke',
      requestId,
      event,
      deadlineMs: Date.now() + this.fn.timeoutSeconds * 1000,
      clientContext,
    };
    this.worker!.postMessage(message);
    return outcome;
  }

  /**
   * Terminates the worker. An invocation it was running fails as a crashed runtime does on Lambda
   * (`Runtime.ExitError`, `Runtime exited with error: exit status 1`).
   */
  async terminate(): Promise<void> {
    this.dead = true;
    const worker = this.worker;
    if (worker) await worker.terminate();
  }

  private start(): Promise<RuntimeToService & { type: 'ready' | 'init-error' }> {
    if (this.ready) return this.ready;
    const data: RuntimeWorkerData = {
      entryUrl: pathToFileURL(this.fn.entry).href,
      handlerName: this.fn.handlerName,
      functionName: this.fn.functionName,
      functionArn: this.fn.functionArn,
      memoryMiB: this.fn.memoryMiB,
      logGroupName: this.logGroupName,
      logStreamName: this.logStreamName,
      logFormat: this.fn.loggingFormat,
    };
    const runtimeVersion = `nodejs:${process.versions.node.split('.')[0]}.local`;
    this.platform(`INIT_START Runtime Version: ${runtimeVersion}`, 'platform.initStart', { initializationType: 'on-demand', phase: 'init', runtimeVersion });
    const worker = new Worker(isTypeScriptModule(this.fn.entry) ? TYPESCRIPT_BOOTSTRAP : JAVASCRIPT_BOOTSTRAP, {
      eval: true,
      workerData: data,
      env: this.environment(),
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    this.captureOutput(worker.stdout);
    this.captureOutput(worker.stderr);
    this.ready = new Promise((resolve) => {
      worker.on('message', (message: RuntimeToService) => {
        if (message.type === 'ready' || message.type === 'init-error') resolve(message);
        else this.onResult(message);
      });
      worker.on('error', (error: Error) => {
        const document = { errorType: error.name || 'Runtime.ExitError', errorMessage: error.message };
        resolve({ type: 'init-error', error: document, initDurationMs: 0 });
        this.failPending({ errorType: 'Runtime.ExitError', errorMessage: `Error: Runtime exited with error: ${error.message}` });
      });
      worker.on('exit', (code) => {
        const document = { errorType: 'Runtime.ExitError', errorMessage: `Error: Runtime exited with error: exit status ${code}` };
        resolve({ type: 'init-error', error: document, initDurationMs: 0 });
        this.failPending(document);
      });
    });
    return this.ready;
  }

  private environment(): Record<string, string> {
    let roleEnvironment: Record<string, string> = {};
    if (this.deps.roleCredentials) {
      const credentials = this.deps.roleCredentials(this.fn.role, `${this.fn.functionName}-${this.logStreamName.slice(-12)}`);
      this.credentialsExpireAt = credentials.expiration.getTime();
      this.roleAccessKeyId = credentials.accessKeyId;
      roleEnvironment = credentialEnvironment(credentials);
    }
    return {
      ...this.fn.environment,
      ...this.deps.cloudEnvironment,
      ...roleEnvironment,
      AWS_REGION: this.deps.region,
      AWS_DEFAULT_REGION: this.deps.region,
      AWS_LAMBDA_FUNCTION_NAME: this.fn.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.fn.memoryMiB),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: this.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: this.logStreamName,
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
      ...(this.fn.loggingFormat === 'JSON' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON' } : {}),
      LAMBDA_TASK_ROOT: dirname(this.fn.entry),
    };
  }

  /** Splits the worker's output into lines; the end marker closes an invocation. */
  private captureOutput(stream: Readable): void {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        this.onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    });
    stream.on('end', () => {
      if (buffered) this.onLine(buffered);
      buffered = '';
    });
  }

  private onLine(line: string): void {
    const marker = parseEndMarker(line);
    if (!marker) {
      this.log(line.replace(/\r/g, '\n'));
      return;
    }
    const pending = this.pending;
    if (!pending || pending.requestId !== marker.requestId) return;
    pending.maxMemoryUsedMB = marker.maxMemoryUsedMB;
    this.settleIfDone();
  }

  private onResult(message: RuntimeToService & { type: 'result' }): void {
    const pending = this.pending;
    if (!pending || pending.requestId !== message.requestId) return;
    pending.result = message;
    this.settleIfDone();
  }

  private settleIfDone(): void {
    const pending = this.pending;
    if (!pending?.result || pending.maxMemoryUsedMB === undefined) return;
    const result = pending.result;
    this.complete(result.ok ? { ok: true, payloadJson: result.payloadJson } : { ok: false, error: result.error });
  }

  private timeOut(): void {
    const pending = this.pending;
    if (!pending) return;
    const seconds = this.fn.timeoutSeconds.toFixed(2);
    this.log(`${new Date(this.deps.clock.now()).toISOString()} ${pending.requestId} Task timed out after ${seconds} seconds`);
    this.complete(
      {
        ok: false,
        error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${seconds} seconds` },
      },
      'timeout',
    );
    this.discard();
  }

  private failPending(error: LambdaErrorDocument): void {
    this.dead = true;
    if (!this.pending) return;
    this.log(`${new Date(this.deps.clock.now()).toISOString()} ${this.pending.requestId} ${error.errorMessage}`);
    this.complete({ ok: false, error }, 'error', error.errorType);
  }

  /** Writes END and REPORT, and answers the invocation. */
  private complete(outcome: Outcome, status?: 'timeout' | 'error', errorType?: string): void {
    const pending = this.pending;
    if (!pending) return;
    pending.timer.cancel();
    const duration = this.deps.clock.now() - pending.startedAt;
    const fields = [
      `REPORT RequestId: ${pending.requestId}`,
      `Duration: ${ms(duration)}`,
      `Billed Duration: ${Math.max(1, Math.ceil(duration))} ms`,
      `Memory Size: ${this.fn.memoryMiB} MB`,
      `Max Memory Used: ${pending.maxMemoryUsedMB ?? 0} MB`,
    ];
    if (pending.coldInitMs !== undefined) fields.push(`Init Duration: ${ms(pending.coldInitMs)}`);
    if (status) fields.push(`Status: ${status}`);
    if (errorType) fields.push(`Error Type: ${errorType}`);
    const metrics = {
      durationMs: Number(duration.toFixed(3)),
      billedDurationMs: Math.max(1, Math.ceil(duration)),
      memorySizeMB: this.fn.memoryMiB,
      maxMemoryUsedMB: pending.maxMemoryUsedMB ?? 0,
      ...(pending.coldInitMs !== undefined ? { initDurationMs: Number(pending.coldInitMs.toFixed(3)) } : {}),
    };
    const statusRecord = { status: status ?? (outcome.ok ? 'success' : 'error'), ...(errorType ? { errorType } : {}) };
    this.platform(`END RequestId: ${pending.requestId}`, 'platform.runtimeDone', { requestId: pending.requestId, ...statusRecord });
    this.platform(fields.join('\t'), 'platform.report', { requestId: pending.requestId, metrics, ...statusRecord });
    this.pending = undefined;
    pending.finish({ ...outcome, logLines: pending.logLines });
  }

  private discard(): void {
    this.dead = true;
    void this.worker?.terminate();
  }

  /** A line of the Lambda platform: its text line, or in the JSON log format its `platform.*` record. */
  private platform(text: string, type: string, record: Record<string, unknown>): void {
    if (this.fn.loggingFormat !== 'JSON') return this.log(text);
    this.log(JSON.stringify({ time: new Date(this.deps.clock.now()).toISOString(), type, record }));
  }

  private log(message: string): void {
    this.pending?.logLines.push(message);
    this.deps.logs.append(this.logGroupName, this.logStreamName, [{ timestamp: this.deps.clock.now(), message }]);
  }
}
