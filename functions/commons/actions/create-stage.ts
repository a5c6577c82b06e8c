/**
 * Step CreateStage: the session's IVS stage and FIFO command queue, both recorded on the session.
 * Idempotent: a stage already recorded is reused, and CreateQueue with the same name and attributes
 * returns the existing queue.
 */
import { ENV } from '#contract/index';
import { createCommandQueue } from '#helpers/create-command-queue';
import { createIvsStage } from '#helpers/create-ivs-stage';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { SessionEndedError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { recordQueue, recordStage } from '../sessions-repository.ts';
import { requireSession } from '../step-input.ts';

const deadLetterQueueArn = getStringFromEnv(ENV.dlqArn);

/** Creates (or finds) the stage and queue; returns them as the ASL's ResultSelector expects. */
export async function createStage(sessionId: string): Promise<{ stageArn: string; queueUrl: string }> {
  const session = await requireSession(sessionId);
  if (session.endRequested) throw new SessionEndedError(sessionId);
  let stageArn = session.stageArn;
  if (stageArn) {
    logger.info('Reusing the recorded stage', { stageArn });
  } else {
    stageArn = await createIvsStage(sessionId);
    await recordStage(sessionId, stageArn);
    logger.info('Stage created', { stageArn });
  }
  const queueUrl = await createCommandQueue(sessionId, deadLetterQueueArn);
  if (session.queueUrl !== queueUrl) await recordQueue(sessionId, queueUrl);
  logger.info('Command queue ready', { queueUrl });
  return { stageArn, queueUrl };
}
