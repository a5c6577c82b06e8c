/**
 * Step Teardown: stops the composition, stops every controller task started for the session (those ECS lists
 * with `startedBy` = the session id, the recorded one, and the warm-pool controllers claimed for it: a replaced
 * task whose stop failed, or one whose recording failed after RunTask or its claim, is stopped too), deletes the queue and the stage, then records ENDED or
 * FAILED with the reason, gives the live slots back and settles the commands still QUEUED (FAILED: the show
 * ended before they were applied), so every command ends APPLIED or FAILED. Each release tolerates "not
 * found", so a second run finishes what a first one left; a release that fails is reported after the others
 * were tried, and the step throws (the state machine retries it) without recording the end.
 *
 * The commands are settled after the end is recorded: a command accepted while the show was being torn down
 * is either seen here, or its request sees the session ended and settles it itself (enqueue-command.ts).
 */
import { ENV, SHOW_ENDED_COMMAND_REASON, type EndReason } from '#contract/index';
import { decideEndReason, type TeardownState } from '#helpers/decide-end-reason';
import { deleteCommandQueue } from '#helpers/delete-command-queue';
import { deleteIvsStage } from '#helpers/delete-ivs-stage';
import { findCommandQueueUrl } from '#helpers/find-command-queue-url';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isNotFoundError } from '#helpers/is-not-found-error';
import { listSessionTasks } from '#helpers/list-session-tasks';
import { stopComposition } from '#helpers/stop-composition';
import { stopControllerTask } from '#helpers/stop-controller-task';
import { logger, logSessionId } from '../powertools.ts';
import { failQueuedCommand, listQueuedCommandIds } from '../commands-repository.ts';
import { releaseSessionSlot } from '../rate-limits.ts';
import { getSession, markSessionEnding, markSessionFinished } from '../sessions-repository.ts';
import { claimedForSession } from '../warm-pool/pool-plan.ts';
import { listWarmControllers } from '../warm-pool/warm-pool-repository.ts';

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
export async function teardown(state: TeardownState, now: () => Date = () => new Date()): Promise<{ status: 'ENDED' | 'FAILED'; reason: EndReason }> {
  const { sessionId } = state;
  logSessionId(sessionId);
  const session = await getSession(sessionId);
  if (session) await markSessionEnding(sessionId);
  const queueUrl = session?.queueUrl ?? state.resources?.queueUrl ?? (await findCommandQueueUrl(sessionId));
  const results: [string, unknown][] = [
    ['composition', await release('composition', session?.compositionArn ?? state.onAir?.compositionArn, stopComposition)],
    ['controller tasks', await release('controller tasks', sessionId, async () => {
      // Warm-pool controllers claimed for the session keep the pool's startedBy: found by their claim.
      const claimed = claimedForSession(await listWarmControllers(), sessionId).map((record) => record.taskArn);
      await stopSessionTasks(sessionId, [session?.taskArn, state.controller?.taskArn, ...claimed]);
    })],
    ['command queue', await release('command queue', queueUrl, deleteCommandQueue)],
    ['stage', await release('stage', session?.stageArn ?? state.resources?.stageArn, deleteIvsStage)],
  ];
  const failed = results.filter(([, error]) => error !== undefined);
  if (failed.length > 0) throw new TeardownIncompleteError(failed.map(([what]) => what), { cause: failed[0]?.[1] });
  const decision = decideEndReason(state, { endRequested: session?.endRequested === true, ...(session?.endsAt ? { endsAt: session.endsAt } : {}), now: now() });
  let settled = 0;
  if (session) {
    await markSessionFinished(sessionId, decision.status, decision.reason, decision.reasonDetail);
    await releaseSessionSlot(session.hostId, sessionId);
    settled = await settleQueuedCommands(sessionId);
  }
  logger.info('Session torn down', { status: decision.status, reason: decision.reason, commandsSettled: settled });
  return { status: decision.status, reason: decision.reason };
}

/** Stops every task started for the session that is not stopped, and the recorded ones; throws the first failure after trying all. */
async function stopSessionTasks(sessionId: string, recorded: (string | undefined)[]): Promise<void> {
  const arns = new Set([...(await listSessionTasks(cluster, sessionId)), ...recorded.filter((arn): arn is string => Boolean(arn))]);
  const failures: unknown[] = [];
  for (const taskArn of arns) {
    try {
      await stopControllerTask(cluster, taskArn, 'Session teardown');
    } catch (error) {
      if (!isNotFoundError(error)) failures.push(error);
    }
  }
  logger.info('Controller tasks stopped', { tasks: arns.size, failed: failures.length });
  if (failures.length > 0) throw failures[0];
}

/** Marks FAILED every command of the session still QUEUED; returns how many it settled. */
async function settleQueuedCommands(sessionId: string): Promise<number> {
  let settled = 0;
  for (const commandId of await listQueuedCommandIds(sessionId)) {
    if (await failQueuedCommand(sessionId, commandId, SHOW_ENDED_COMMAND_REASON)) settled++;
  }
  if (settled > 0) logger.warn('Commands still QUEUED at the end settled FAILED', { settled, reason: SHOW_ENDED_COMMAND_REASON });
  return settled;
}
