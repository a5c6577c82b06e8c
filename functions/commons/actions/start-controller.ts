/**
 * Steps StartController and ReplaceController: runs the session's program controller task and records it.
 * A replacement records the new task before stopping the previous one (best effort), so the stop of the
 * old task is never taken for a loss of the current one.
 */
import { ENV } from '#contract/index';
import { getListFromEnv, getStringFromEnv } from '#helpers/get-string-from-env';
import { runControllerTask, type ControllerPlacement } from '#helpers/run-controller-task';
import { stopControllerTask } from '#helpers/stop-controller-task';
import { SessionEndedError, StepFailedError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { recordTask } from '../sessions-repository.ts';
import { requireSession } from '../step-input.ts';

const placement: ControllerPlacement = {
  cluster: getStringFromEnv(ENV.clusterName),
  taskDefinition: getStringFromEnv(ENV.taskDefinition),
  subnets: getListFromEnv(ENV.subnets),
  securityGroups: getListFromEnv(ENV.securityGroups),
  assignPublicIp: /^(enabled|true)$/i.test(getStringFromEnv(ENV.assignPublicIp)) ? 'ENABLED' : 'DISABLED',
};

/** Starts the controller (unless the host ended the session); returns `{taskArn}`. */
export async function startController(sessionId: string): Promise<{ taskArn: string }> {
  const session = await requireSession(sessionId);
  if (session.endRequested) throw new SessionEndedError(sessionId);
  if (!session.stageArn || !session.queueUrl) throw new StepFailedError(`Session ${sessionId} has no stage or queue recorded.`);
  const previousTaskArn = session.taskArn;
  // One RunTask idempotency token per start: the first, then one per replacement (controllerRestarts only grows).
  const clientToken = `${sessionId}-${session.controllerRestarts ?? 0}`;
  const taskArn = await runControllerTask(placement, { sessionId, stageArn: session.stageArn, queueUrl: session.queueUrl, clientToken });
  await recordTask(sessionId, taskArn);
  logger.info('Controller task started', { taskArn, replaces: previousTaskArn });
  if (previousTaskArn && previousTaskArn !== taskArn) {
    await stopControllerTask(placement.cluster, previousTaskArn, 'Replaced by a new program controller').catch((error: unknown) =>
      logger.warn('Could not stop the previous controller task', { taskArn: previousTaskArn, errorName: (error as Error).name }),
    );
  }
  return { taskArn };
}

