/** Stops an IVS composition. */
import { StopCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import { ivsClient } from '#clients/ivs';

/** Calls StopComposition. */
export async function stopComposition(compositionArn: string): Promise<void> {
  await ivsClient.send(new StopCompositionCommand({ arn: compositionArn }));
}
