/** Deletes an IVS real-time stage. */
import { DeleteStageCommand } from '@aws-sdk/client-ivs-realtime';
import { ivsClient } from '#clients/ivs';

/** Calls DeleteStage (disconnects every participant). */
export async function deleteIvsStage(stageArn: string): Promise<void> {
  await ivsClient.send(new DeleteStageCommand({ arn: stageArn }));
}
