/**
 * One function as the local Lambda service runs it (infra/constructs/shelcaster-function.ts): the contract's
 * spec, its bundle (function-bundles.ts), the environment of its bindings — the same variable names CDK's
 * bind methods set, with the local cloud's values — plus the Powertools service name, and the log format,
 * as CDK sets them.
 */
import type { AsyncInvokeConfig } from '#local-cloud/services/lambda/function-configuration';
import { BINDING_ENV, ENV, FUNCTION_NAMES, LAMBDA_LOG_FORMAT, type FunctionRole, type FunctionSpec } from '#contract/index';

/** Values of every binding variable in one deployment (table names, ARNs, ...). */
export type BindingValues = Record<string, string>;

export interface LocalFunction {
  functionName: string;
  /** Absolute path of the handler module: the function's bundle. */
  entry: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMiB: number;
  loggingFormat: 'JSON' | 'Text';
  /** The execution role's ARN (the template's role of this function). */
  role: string;
  /** Retries of its asynchronous invocations, when the template has an EventInvokeConfig for it. */
  asyncInvokeConfig?: Partial<AsyncInvokeConfig>;
}

/** ARN of a function in this account and region. */
export const functionArn = (region: string, account: string, role: FunctionRole) =>
  `arn:aws:lambda:${region}:${account}:function:${FUNCTION_NAMES[role]}`;

/** Exactly the variables of the function's bindings, each with its deployment value. */
export function functionEnvironment(spec: FunctionSpec, values: BindingValues): Record<string, string> {
  const env: Record<string, string> = {};
  for (const binding of spec.bindings) {
    for (const name of BINDING_ENV[binding]) {
      const value = values[name];
      if (value === undefined) throw new Error(`No local value for ${name} (binding ${binding} of ${spec.role})`);
      env[name] = value;
    }
  }
  return env;
}

/** The local function of a spec: its bundle (`entry`), its bindings' environment, its size, its log format, its role. */
export function localFunction(spec: FunctionSpec, entry: string, values: BindingValues, role: string): LocalFunction {
  const functionName = FUNCTION_NAMES[spec.role];
  return {
    functionName,
    entry,
    loggingFormat: LAMBDA_LOG_FORMAT,
    environment: { ...functionEnvironment(spec, values), [ENV.powertoolsServiceName]: functionName },
    timeoutSeconds: spec.timeoutSeconds,
    memoryMiB: spec.memoryMiB,
    role,
  };
}
