/** Reads the state of an IVS composition. */
import { GetCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import { ivsClient } from '#clients/ivs';
import { isNotFoundError } from './is-not-found-error.ts';

/** Calls GetComposition; returns its state (STARTING, ACTIVE, STOPPING, FAILED, STOPPED), or undefined when gone. */
export async function getCompositionState(compositionArn: string): Promise<string | undefined> {
  try {
    const { composition } = await ivsClient.send(new GetCompositionCommand({ arn: compositionArn }));
    return composition?.state;
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}
