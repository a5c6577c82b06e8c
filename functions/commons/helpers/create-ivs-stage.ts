/** Creates the session's IVS real-time stage. */
import { CreateStageCommand } from '@aws-sdk/client-ivs-realtime';
import { SESSION_TAG_KEY } from '#contract/index';
import { ivsClient } from '#clients/ivs';

/** The stage name of a session. */
export const stageNameFor = (sessionId: string) => `shelcaster-${sessionId}`;

/** Calls CreateStage (named after the session, tagged with its id); returns the stage ARN. */
export async function createIvsStage(sessionId: string): Promise<string> {
  const { stage } = await ivsClient.send(
    new CreateStageCommand({ name: stageNameFor(sessionId), tags: { [SESSION_TAG_KEY]: sessionId } }),
  );
  if (!stage?.arn) throw new Error('CreateStage returned no stage ARN');
  return stage.arn;
}
