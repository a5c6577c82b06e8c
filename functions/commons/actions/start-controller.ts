/**
 * Steps StartController and ReplaceController: claims an idle controller of the warm pool for the session
 * (actions/warm-pool.ts; then asks for a refill) or, when none is free, runs the session's program controller
 * task; and records it. A claimed controller is checked again once recorded: one ECS stopped before the
 * recording is passed over and the start claims again (or runs a task), since its STOPPED event did not yet
 * name the session's controller.
 * A replacement records the new task before stopping the previous one (best effort), so the stop of the
 * old task is never taken for a loss of the current one. Each start has a generation (the session's
 * controllerRestarts), given to the task and recorded with it: a task that finds a later generation, or
 * another task of its own, recorded stops itself, so a previous task whose stop failed, or a task whose
 * recording failed after RunTask, does not stay on (and Teardown stops every task started for the session).
 */
import { controllerPlacementFromEnv } from '#helpers/controller-placement';
import { runControllerTask } from '#helpers/run-controller-task';
import { stopControllerTask } from '#helpers/stop-controller-task';
import { SessionEndedError, StepFailedError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { recordTask } from '../sessions-repository.ts';
import { requireSession } from '../step-input.ts';

import { askForRefill, claimForSession, claimStillRuns } from './warm-pool.ts';

const placement = controllerPlacementFromEnv();

/** Starts the controller (unless the host ended the session); returns `{taskArn}`. */
export async function startController(sessionId: string): Promise<{ taskArn: string }> {
  const session = await requireSession(sessionId);
  if (session.endRequested) throw new SessionEndedError(sessionId);
  if (!session.stageArn || !session.queueUrl) throw new StepFailedError(`Session ${sessionId} has no stage or queue recorded.`);
  const previousTaskArn = session.taskArn;
  // One generation and RunTask idempotency token per start: the first, then one per replacement (controllerRestarts only grows).
  const generation = session.controllerRestarts ?? 0;
  const clientToken = `${sessionId}-${generation}`;
  const assignment = { sessionId, stageArn: session.stageArn, queueUrl: session.queueUrl, generation };
  let warm: string | undefined;
  let taskArn: string;
  do {
    warm = await claimForSession(assignment);
    taskArn = warm ?? (await runControllerTask(placement, { ...assignment, clientToken }));
    await recordTask(sessionId, taskArn, generation);
    // A claimed controller stopped before this recording: its stop was not taken for the session's; claim again.
  } while (warm && !(await claimStillRuns(warm)));
  logger.info(warm ? 'Warm controller claimed' : 'Controller task started', { taskArn, replaces: previousTaskArn });
  if (warm) await askForRefill('claimed');
  if (previousTaskArn && previousTaskArn !== taskArn) {
    await stopControllerTask(placement.cluster, previousTaskArn, 'Replaced by a new program controller').catch((error: unknown) =>
      logger.warn('Could not stop the previous controller task', { taskArn: previousTaskArn, errorName: (error as Error).name }),
    );
  }
  return { taskArn };
}

