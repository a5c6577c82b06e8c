/**
 * Every Lambda function of the contract's FUNCTIONS (infra/constructs/functions.ts), each with its log group,
 * bundled as CDK bundles it (function-bundles.ts) and registered with the local Lambda service.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { FUNCTION_NAMES, FUNCTIONS } from '#contract/index';
import { ensureLogGroup } from './log-retention.ts';
import { functionBundles } from './function-bundles.ts';
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
  const bundles = await functionBundles(FUNCTIONS, root);
  for (const [i, spec] of FUNCTIONS.entries()) {
    const fn = localFunction(spec, bundles[i]!.file, values, roleOf(FUNCTION_NAMES[spec.role]));
    await ensureLogGroup(logs, `/aws/lambda/${fn.functionName}`);
    await register(fn);
    functions.push(fn);
  }
  return functions;
}
