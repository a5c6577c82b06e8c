/** Asks the warm pool's function to refill the pool, without waiting for it (an asynchronous invoke). */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { WarmPoolRefillReason } from '#contract/index';
import { lambdaClient } from '#clients/lambda';

/** Invokes `functionName` with InvocationType Event and `{reason}`. */
export async function requestPoolRefill(functionName: string, reason: WarmPoolRefillReason): Promise<void> {
  await lambdaClient.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: JSON.stringify({ reason }) }));
}
