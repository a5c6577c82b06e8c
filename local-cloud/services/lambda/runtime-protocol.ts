/**
 * Messages between the local Lambda service and the runtime inside an execution environment (a worker
 * thread), and the marker line the runtime writes to stdout when an invocation's output is complete.
 */

/** The error document Lambda returns for a failed invocation (`X-Amz-Function-Error: Unhandled`). */
export interface LambdaErrorDocument {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** What the service tells the worker when it starts it. */
export interface RuntimeWorkerData {
  /** file: URL of the handler module. */
  entryUrl: string;
  /** Export name of the handler in the module. */
  handlerName: string;
  functionName: string;
  functionArn: string;
  memoryMiB: number;
  logGroupName: string;
  logStreamName: string;
  /** How console output is written: Lambda's text lines or its JSON records. */
  logFormat: 'JSON' | 'Text';
}

export type ServiceToRuntime = {
  type: 'invoke';
  requestId: string;
  event: unknown;
  /** Epoch milliseconds after which the invocation times out. */
  deadlineMs: number;
  clientContext?: unknown;
};

export type RuntimeToService =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; error: LambdaErrorDocument; initDurationMs: number }
  | { type: 'result'; requestId: string; ok: true; /** The handler's result as Lambda serialises it. */ payloadJson: string }
  | { type: 'result'; requestId: string; ok: false; error: LambdaErrorDocument };

/** First character of the stdout line that closes an invocation's output (never part of user output). */
export const END_MARKER = '\u0000lambda-end';

/** Formats the marker line: `<marker>\t<requestId>\t<maxMemoryUsedMB>`. */
export function endMarkerLine(requestId: string, maxMemoryUsedMB: number): string {
  return `${END_MARKER}\t${requestId}\t${maxMemoryUsedMB}\n`;
}

/** Parses a marker line, or returns undefined for ordinary output. */
export function parseEndMarker(line: string): { requestId: string; maxMemoryUsedMB: number } | undefined {
  if (!line.startsWith(END_MARKER)) return undefined;
  const [, requestId = '', memory = '0'] = line.split('\t');
  return { requestId, maxMemoryUsedMB: Number(memory) };
}

/** Turns anything a handler threw into Lambda's error document (errorType = the error's `name`). */
export function toErrorDocument(thrown: unknown): LambdaErrorDocument {
  if (thrown instanceof Error) {
    return {
      errorType: thrown.name || 'Error',
      errorMessage: thrown.message,
      trace: (thrown.stack ?? '').split('\n'),
    };
  }
  if (typeof thrown === 'object' && thrown !== null) {
    const record = thrown as Record<string, unknown>;
    return {
      errorType: typeof record.name === 'string' ? record.name : 'Error',
      errorMessage: typeof record.message === 'string' ? record.message : JSON.stringify(thrown),
    };
  }
  return { errorType: typeof thrown, errorMessage: String(thrown) };
}
