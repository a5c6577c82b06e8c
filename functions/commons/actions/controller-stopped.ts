/**
 * EventBridge target shelcaster-controller-stopped: when the session's current controller task stops while
 * the session is STARTING or LIVE (and the host did not ask to end it), fails the open callback with
 * Shelcaster.ControllerStopped, so the state machine replaces the controller at once. Stops of older tasks
 * (already replaced), of ended sessions, and of tasks not started for a session are ignored.
 *
 * EventBridge delivers at least once and in any order: the same stop may come twice, late, after the state
 * machine has already replaced the task. So the session is read again after each look at the history: a
 * callback found open belongs to the task the session names then, since a start records its task before the
 * state machine opens that task's callback. A stop whose task the session still names fails it; any other
 * is left alone (the replacement's READY).
 *
 * A task can stop while no callback is open: between StartController recording it and WaitForReady opening,
 * or while GoLive runs. Nothing else would notice before the READY wait timed out, so the function looks again
 * (CONTROLLER_STOP_CALLBACK_WAIT_SECONDS) for as long as the session still names the task and is active.
 *
 * A warm-pool controller (startedBy WARM_POOL_STARTED_BY) is its session's once claimed (found by its pool
 * record); one that stopped while idle is forgotten and the pool is asked to refill, so it is never claimed dead.
 */
import {
  CONTROLLER_STOP_CALLBACK_WAIT_SECONDS,
  CONTROLLER_STOP_LOOK_MS,
  SESSION_ID_PATTERN,
  STEP_ERRORS,
  WARM_POOL_STARTED_BY,
  type SessionRecord,
} from '#contract/index';
import { redactSecrets } from '#helpers/redact-secrets';
import { whyNotSessionsController } from '#helpers/session-controller';
import { sendTaskFailure } from '#helpers/send-task-failure';
import { answerOpenCallback, type AnswerOptions } from '../callbacks.ts';
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
}

/** How often and how long to look for an open callback (tests inject their own). */
export type CallbackWait = Required<Pick<AnswerOptions, 'attempts' | 'delayMs' | 'sleep'>>;

const defaultWait: CallbackWait = {
  attempts: Math.floor((CONTROLLER_STOP_CALLBACK_WAIT_SECONDS * 1000) / CONTROLLER_STOP_LOOK_MS) + 1,
  delayMs: CONTROLLER_STOP_LOOK_MS,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type ControllerStoppedOutcome =
  | { action: 'ignored'; why: string }
  | { action: 'pool-controller-gone' }
  | { action: 'no-open-callback' }
  | { action: 'failed-callback'; callback: 'READY' | 'ON_AIR' };

const ignored = (why: string): ControllerStoppedOutcome => {
  logger.info('Controller stop ignored', { why });
  return { action: 'ignored', why };
};

/** Why a stop is not (or no longer) the session's to answer; undefined when it is. */
function notTheSessions(session: SessionRecord | undefined, taskArn: string | undefined): string | undefined {
  const why = whyNotSessionsController(session, taskArn);
  if (why) return why;
  if (session?.endRequested) return 'the host is ending the session';
  return undefined;
}

/** Handles one stopped task. */
export async function controllerStopped(detail: StoppedTaskDetail, wait: CallbackWait = defaultWait): Promise<ControllerStoppedOutcome> {
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
  const early = notTheSessions(session, detail.taskArn);
  if (early || !session) return ignored(early ?? 'no such session');
  const cause = redactSecrets(`Controller task stopped: ${detail.stoppedReason ?? detail.stopCode ?? 'unknown reason'}`).slice(0, 1000);
  let why: string | undefined;
  let waiting = false;
  const answered = await answerOpenCallback(session.executionArn, (callback) => sendTaskFailure(callback.taskToken, STEP_ERRORS.ControllerStopped, cause), {
    ...wait,
    // Read after each look: a callback open before this read was opened for the task the record names now.
    goOn: async () => (why = notTheSessions(await getSession(sessionId), detail.taskArn)) === undefined,
    sleep: async (ms) => {
      if (!waiting) logger.info('Controller stopped with no callback open yet; looking again', { taskArn: detail.taskArn, looks: wait.attempts });
      waiting = true;
      await wait.sleep(ms);
    },
  });
  if (why) return ignored(why);
  if (answered) {
    logger.warn('Controller stopped; callback failed', { taskArn: detail.taskArn, callback: answered, stoppedReason: detail.stoppedReason });
    return { action: 'failed-callback', callback: answered };
  }
  logger.info('Controller stopped with no callback open', { taskArn: detail.taskArn, looks: wait.attempts });
  return { action: 'no-open-callback' };
}
