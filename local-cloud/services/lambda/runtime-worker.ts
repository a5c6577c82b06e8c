/**
 * The Lambda runtime inside one execution environment (a worker thread): loads the handler module once
 * (cold start), then runs one invocation at a time with a Lambda-like context. Console output is written
 * as the Node.js runtime writes it: in the Text log format `<time>\t<requestId>\t<LEVEL>\t<message>`
 * (newlines inside a message turned into `\r` so one call stays one log event); in the JSON log format one
 * `{"timestamp","level","requestId","message"}` record per call (an Error logged alone adds `errorType`,
 * `errorMessage` and `stackTrace`). Output written straight to stdout (Powertools' logger) passes as it is.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { randomBytes } from 'node:crypto';
import {
  endMarkerLine,
  toErrorDocument,
  type LambdaErrorDocument,
  type RuntimeToService,
  type RuntimeWorkerData,
  type ServiceToRuntime,
} from './runtime-protocol.ts';

type Handler = (event: unknown, context: unknown, callback?: (error?: unknown, result?: unknown) => void) => unknown;

const data = workerData as RuntimeWorkerData;
const port = parentPort;
if (!port) throw new Error('runtime-worker must run in a worker thread');

let currentRequestId: string | undefined;
let maxHeapBytes = 0;

/** Writes one runtime-formatted log record to stdout. */
function writeRecord(level: string, args: unknown[]): void {
  if (data.logFormat === 'JSON') {
    process.stdout.write(`${JSON.stringify(jsonRecord(level, args))}\n`);
    return;
  }
  const message = format(...args).replace(/\n/g, '\r');
  const request = currentRequestId ?? 'undefined';
  process.stdout.write(`${new Date().toISOString()}\t${request}\t${level}\t${message}\n`);
}

/** A console call as the Node.js runtime's JSON log format records it. */
function jsonRecord(level: string, args: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = { timestamp: new Date().toISOString(), level, requestId: currentRequestId ?? 'undefined' };
  const [only] = args;
  if (args.length === 1 && only instanceof Error) {
    return { ...record, message: only.message, errorType: only.name, errorMessage: only.message, stackTrace: (only.stack ?? '').split('\n') };
  }
  return { ...record, message: format(...args) };
}

function patchConsole(): void {
  console.log = (...args: unknown[]) => writeRecord('INFO', args);
  console.info = (...args: unknown[]) => writeRecord('INFO', args);
  console.warn = (...args: unknown[]) => writeRecord('WARN', args);
  console.error = (...args: unknown[]) => writeRecord('ERROR', args);
  console.debug = (...args: unknown[]) => writeRecord('DEBUG', args);
  console.trace = (...args: unknown[]) => writeRecord('TRACE', args);
}

function post(message: RuntimeToService): void {
  port!.postMessage(message);
}

function sampleMemory(): number {
  maxHeapBytes = Math.max(maxHeapBytes, getHeapStatistics().used_heap_size);
  return Math.ceil(maxHeapBytes / (1024 * 1024));
}

/** Loads the handler module; Lambda's error types for a missing module or export. */
async function loadHandler(): Promise<Handler> {
  let module: Record<string, unknown>;
  try {
    module = (await import(data.entryUrl)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw Object.assign(new Error(`Error: Cannot find module '${data.entryUrl}'`), { name: 'Runtime.ImportModuleError' });
    }
    throw error;
  }
  const handler = module[data.handlerName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${data.entryUrl}.${data.handlerName} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler as Handler;
}

function contextFor(message: ServiceToRuntime, settle: (error: unknown, result?: unknown) => void) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: String(data.memoryMiB),
    awsRequestId: message.requestId,
    logGroupName: data.logGroupName,
    logStreamName: data.logStreamName,
    clientContext: message.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    done: (error?: unknown, result?: unknown) => settle(error, result),
    fail: (error: unknown) => settle(error ?? new Error('handled')),
    succeed: (result: unknown) => settle(undefined, result),
  };
}

/** Runs the handler for one invocation, promise or callback style. */
function runHandler(handler: Handler, message: ServiceToRuntime): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, result?: unknown) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    const context = contextFor(message, settle);
    try {
      const returned = handler(message.event, context, settle);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then((result) => settle(undefined, result), (error: unknown) => settle(error ?? new Error('undefined')));
      } else if (handler.length < 3) {
        settle(undefined, returned);
      }
    } catch (error) {
      settle(error);
    }
  });
}

/** An X-Ray trace header as Lambda gives each invocation (`Root=1-<epoch hex>-<96 bits>;Parent=<64 bits>;Sampled=0`). */
function unsampledTraceHeader(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

function logInvokeError(error: LambdaErrorDocument): void {
  if (data.logFormat === 'JSON') {
    const record = { timestamp: new Date().toISOString(), level: 'ERROR', requestId: currentRequestId ?? 'undefined', message: 'Invoke Error' };
    process.stdout.write(`${JSON.stringify({ ...record, errorType: error.errorType, errorMessage: error.errorMessage, stackTrace: error.trace ?? [] })}\n`);
    return;
  }
  writeRecord('ERROR', [`Invoke Error \t${JSON.stringify(error)}`]);
}

async function main(): Promise<void> {
  patchConsole();
  const initStart = performance.now();
  let handler: Handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    const document = toErrorDocument(error);
    writeRecord('ERROR', [`Uncaught Exception \t${JSON.stringify(document)}`]);
    post({ type: 'init-error', error: document, initDurationMs: performance.now() - initStart });
    return;
  }
  post({ type: 'ready', initDurationMs: performance.now() - initStart });

  port!.on('message', async (message: ServiceToRuntime) => {
    currentRequestId = message.requestId;
    // Lambda sets the invocation's X-Ray trace header; not sampled here, so tracers record nothing and send nothing.
    process.env._X_AMZN_TRACE_ID = unsampledTraceHeader();
    try {
      const result = await runHandler(handler, message);
      const payloadJson = JSON.stringify(result === undefined ? null : result);
      post({ type: 'result', requestId: message.requestId, ok: true, payloadJson });
    } catch (error) {
      const document = toErrorDocument(error);
      logInvokeError(document);
      post({ type: 'result', requestId: message.requestId, ok: false, error: document });
    } finally {
      process.stdout.write(endMarkerLine(message.requestId, sampleMemory()));
      currentRequestId = undefined;
    }
  });
}

void main();
