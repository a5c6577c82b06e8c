/**
 * Every Lambda function of the contract's FUNCTIONS (infra/constructs/functions.ts), each with its log group,
 * registered with the local Lambda service.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { FUNCTION_NAMES, FUNCTIONS } from '#contract/index';
import { ensureLogGroup } from './log-retention.ts';
import { localFunction, type BindingValues, type LocalFunction } from './shelcaster-function.ts';

/** Registers every function (after creating its log group); answers them. */
export async function deployFunctions(
  logs: CloudWatchLogsClient,
  root: string,
  values: BindingValues,
  register: (fn: LocalFunction) => Promise<void> | void,
  roleOf: (functionName: string) => string,
): Promise<LocalFunction[]> {
  const functions: LocalFunction[] = [];
  for (const spec of FUNCTIONS) {
    const fn = localFunction(spec, root, values, roleOf(FUNCTION_NAMES[spec.role]));
    await ensureLogGroup(logs, `/aws/lambda/${fn.functionName}`);
    await register(fn);
    functions.push(fn);
  }
  return functions;
}
