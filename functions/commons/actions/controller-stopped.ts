/**
 * EventBridge target shelcaster-controller-stopped: when the session's current controller task stops while
 * the session is STARTING or LIVE (and the host did not ask to end it), fails the open callback with
 * Shelcaster.ControllerStopped, so the state machine replaces the controller at once. Stops of older tasks
 * (already replaced), of ended sessions, and of tasks not started for a session are ignored.
 *
 * EventBridge delivers at least once and in any order: the same stop may come twice, late, after the state
 * machine has already replaced the task. A stop answers only a callback opened before the task stopped
 * (scheduled before its `stoppedAt`): a later one (the replacement's READY) belongs to another controller,
 * even when the session record read first still named the stopped task.
 *
 * A warm-pool controller (startedBy WARM_POOL_STARTED_BY) is its session's once claimed (found by its pool
 * record); one that stopped while idle is forgotten and the pool is asked to refill, so it is never claimed dead.
 */
import { ACTIVE_SESSION_STATUSES, SESSION_ID_PATTERN, STEP_ERRORS, WARM_POOL_STARTED_BY } from '#contract/index';
import { redactSecrets } from '#helpers/redact-secrets';
import { sendTaskFailure } from '#helpers/send-task-failure';
import { answerOpenCallback } from '../callbacks.ts';
import { logger, logSessionId } from '../powertools.ts';
import { getSession } from '../sessions-repository.ts';
import { forgetWarmController, getWarmController } from '../warm-pool/warm-pool-repository.ts';
import { askForRefill } from './warm-pool.ts';

/** The fields of an `ECS Task State Change` detail this function reads. */
export interface StoppedTaskDetail {
  taskArn?: string;
  startedBy?: string;
  lastStatus?: string;
  stoppedReason?: string;
  stopCode?: string;
  /** When the task stopped (ISO), as ECS reports it. */
  stoppedAt?: string;
}

export type ControllerStoppedOutcome =
  | { action: 'ignored'; why: string }
  | { action: 'pool-controller-gone' }
  | { action: 'no-open-callback' }
  | { action: 'failed-callback'; callback: 'READY' | 'ON_AIR' };

const ignored = (why: string): ControllerStoppedOutcome => {
  logger.info('Controller stop ignored', { why });
  return { action: 'ignored', why };
};

/** Handles one stopped task. */
export async function controllerStopped(detail: StoppedTaskDetail): Promise<ControllerStoppedOutcome> {
  if (detail.lastStatus !== 'STOPPED') return ignored('task is not stopped');
  let sessionId = detail.startedBy;
  if (sessionId === WARM_POOL_STARTED_BY && detail.taskArn) {
    const pooled = await getWarmController(detail.taskArn);
    if (!pooled?.assignment) {
      // Stopped idle (or starting, or retired): out of the pool for good, and replaced.
      if (pooled) await forgetWarmController(detail.taskArn);
      await askForRefill('controller-stopped');
      logger.info('Warm-pool controller stopped while idle', { taskArn: detail.taskArn, state: pooled?.state, stoppedReason: detail.stoppedReason });
      return { action: 'pool-controller-gone' };
    }
    sessionId = pooled.assignment.sessionId;
  }
  if (!sessionId || !SESSION_ID_PATTERN.test(sessionId)) return ignored('task was not started for a session');
  logSessionId(sessionId);
  const session = await getSession(sessionId);
  if (!session) return ignored('no such session');
  if (session.taskArn !== detail.taskArn) return ignored('not the current controller task');
  if (!ACTIVE_SESSION_STATUSES.includes(session.status)) return ignored(`session is ${session.status}`);
  if (session.endRequested) return ignored('the host is ending the session');
  const cause = redactSecrets(`Controller task stopped: ${detail.stoppedReason ?? detail.stopCode ?? 'unknown reason'}`).slice(0, 1000);
  const stoppedAt = detail.stoppedAt === undefined ? Number.NaN : Date.parse(detail.stoppedAt);
  let later = false;
  const answered = await answerOpenCallback(session.executionArn, async (callback) => {
    if (Number.isFinite(stoppedAt) && callback.scheduledAt && callback.scheduledAt.getTime() > stoppedAt) {
      later = true;
      return;
    }
    await sendTaskFailure(callback.taskToken, STEP_ERRORS.ControllerStopped, cause);
  });
  if (later) return ignored('the open callback was opened after the task stopped (a later controller)');
  if (!answered) {
    logger.info('Controller stopped with no callback open', { taskArn: detail.taskArn });
    return { action: 'no-open-callback' };
  }
  logger.warn('Controller stopped; callback failed', { taskArn: detail.taskArn, callback: answered, stoppedReason: detail.stoppedReason });
  return { action: 'failed-callback', callback: answered };
}
