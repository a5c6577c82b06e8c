/** A function as the local deployer registers it, and the names and ARNs Lambda derives from it. */
import { randomBytes } from 'node:crypto';

export interface FunctionRegistration {
  functionName: string;
  /** Absolute path of the handler module (TypeScript or JavaScript) exporting the handler. */
  entry: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMiB: number;
  /** Export name of the handler; default `handler`. */
  handlerName?: string;
  /**
   * The runtime's log format (Lambda's `LoggingConfig.LogFormat`); default `Text`. `JSON`: console output
   * becomes `{"timestamp","level","requestId","message"}` records, lines that are JSON objects already (a
   * structured logger's) pass as they are, and the platform lines are `platform.*` records.
   */
  loggingFormat?: 'JSON' | 'Text';
  /** The execution role's ARN (the function runs with its temporary credentials); default a role named as the function. */
  role?: string;
  /**
   * How asynchronous invocations that fail are retried (the function's `AWS::Lambda::EventInvokeConfig`);
   * default Lambda's: 2 retries, events kept 6 hours (DEFAULT_ASYNC_INVOKE_CONFIG).
   */
  asyncInvokeConfig?: Partial<AsyncInvokeConfig>;
}

/**
 * Lambda's retry settings of asynchronous invocations (EventInvokeConfig's `MaximumRetryAttempts`, 0-2, and
 * `MaximumEventAgeInSeconds`, 60-21600).
 */
export interface AsyncInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

/**
 * Without an EventInvokeConfig: "Lambda retries function errors twice" and keeps an event "up to 6 hours"
 * (AWS Lambda Developer Guide, "How Lambda handles errors and retries with asynchronous invocation").
 */
export const DEFAULT_ASYNC_INVOKE_CONFIG: AsyncInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };

/**
 * Waits before the retries of a failed asynchronous invocation: "Lambda waits one minute before the first
 * retry... and two minutes before the second" (the same guide).
 */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000] as const;

export interface FunctionConfiguration extends Required<Omit<FunctionRegistration, 'asyncInvokeConfig'>> {
  asyncInvokeConfig: AsyncInvokeConfig;
  functionArn: string;
  lastModified: Date;
}

/** The ARN of a function. */
export function functionArn(region: string, accountId: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/** The function name inside a name, a partial ARN (`123:function:name`) or a full ARN, and its qualifier. */
export function parseFunctionReference(reference: string): { functionName: string; qualifier?: string } {
  const parts = reference.split(':');
  const functionIndex = parts.indexOf('function');
  if (functionIndex >= 0 && parts[functionIndex + 1]) {
    const qualifier = parts[functionIndex + 2];
    return qualifier ? { functionName: parts[functionIndex + 1]!, qualifier } : { functionName: parts[functionIndex + 1]! };
  }
  if (parts.length === 2) return { functionName: parts[0]!, qualifier: parts[1]! };
  return { functionName: reference };
}

/** The log group Lambda writes a function's output to. */
export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** A new log stream name, one per execution environment: `YYYY/MM/DD/[$LATEST]<32 hex>`. */
export function newLogStreamName(now: Date): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}
