/**
 * Step Teardown: stops the composition, stops the controller task, deletes the queue and the stage, then
 * records ENDED or FAILED with the reason. Each release tolerates "not found", so a second run finishes what
 * a first one left; a release that fails is reported after the others were tried, and the step throws (the
 * state machine retries it) without recording the end.
 */
import { ENV, type EndReason } from '#contract/index';
import { decideEndReason, type TeardownState } from '#helpers/decide-end-reason';
import { deleteCommandQueue } from '#helpers/delete-command-queue';
import { deleteIvsStage } from '#helpers/delete-ivs-stage';
import { findCommandQueueUrl } from '#helpers/find-command-queue-url';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isNotFoundError } from '#helpers/is-not-found-error';
import { stopComposition } from '#helpers/stop-composition';
import { stopControllerTask } from '#helpers/stop-controller-task';
import { logger, logSessionId } from '../powertools.ts';
import { releaseSessionSlot } from '../rate-limits.ts';
import { getSession, markSessionEnding, markSessionFinished } from '../sessions-repository.ts';

const cluster = getStringFromEnv(ENV.clusterName);

/** One or more resources could not be released; the next run tries again. */
export class TeardownIncompleteError extends Error {
  constructor(public readonly failedReleases: string[], options: { cause?: unknown } = {}) {
    super(`Teardown could not release: ${failedReleases.join(', ')}`, options);
    this.name = 'TeardownIncompleteError';
  }
}

/** Runs one release; "not found" counts as released. Returns the error when it failed. */
async function release(what: string, id: string | undefined, action: (id: string) => Promise<void>): Promise<unknown> {
  if (!id) return undefined;
  try {
    await action(id);
    logger.info('Released', { resource: what });
  } catch (error) {
    if (isNotFoundError(error)) {
      logger.info('Already released', { resource: what });
      return undefined;
    }
    logger.error('Release failed', { resource: what, errorName: (error as Error).name });
    return error;
  }
  return undefined;
}

/** Tears the session down; returns `{status, reason}` as the ASL's ResultSelector expects. */
export async function teardown(state: TeardownState): Promise<{ status: 'ENDED' | 'FAILED'; reason: EndReason }> {
  const { sessionId } = state;
  logSessionId(sessionId);
  const session = await getSession(sessionId);
  if (session) await markSessionEnding(sessionId);
  const queueUrl = session?.queueUrl ?? state.resources?.queueUrl ?? (await findCommandQueueUrl(sessionId));
  const results: [string, unknown][] = [
    ['composition', await release('composition', session?.compositionArn ?? state.onAir?.compositionArn, stopComposition)],
    [
      'controller task',
      await release('controller task', session?.taskArn ?? state.controller?.taskArn, (taskArn) =>
        stopControllerTask(cluster, taskArn, 'Session teardown'),
      ),
    ],
    ['command queue', await release('command queue', queueUrl, deleteCommandQueue)],
    ['stage', await release('stage', session?.stageArn ?? state.resources?.stageArn, deleteIvsStage)],
  ];
  const failed = results.filter(([, error]) => error !== undefined);
  if (failed.length > 0) throw new TeardownIncompleteError(failed.map(([what]) => what), { cause: failed[0]?.[1] });
  const decision = decideEndReason(state, session?.endRequested === true);
  if (session) {
    await markSessionFinished(sessionId, decision.status, decision.reason, decision.reasonDetail);
    await releaseSessionSlot(session.hostId, sessionId);
  }
  logger.info('Session torn down', { status: decision.status, reason: decision.reason });
  return { status: decision.status, reason: decision.reason };
}
