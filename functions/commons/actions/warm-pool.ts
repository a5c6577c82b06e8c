/**
 * The warm pool of program controllers (contract/warm-pool.ts). The pool's function (`shelcaster-warm-pool`)
 * refills it — on its schedule, after each claim and after a pool controller stopped — and drains it when
 * the stack is deleted; StartController claims from it; Teardown stops what a session claimed.
 *
 * One refill runs at a time (a lease in the table): it forgets the records of tasks ECS no longer runs (a
 * claimed one once its session no longer names it), retires (stops) controllers past their lifetime, stuck
 * starting or beyond the pool's size, and runs the missing ones, each recorded STARTING at once; a controller
 * marks itself IDLE once its page is loaded.
 */
import { randomUUID } from 'node:crypto';
import { waitUntilTasksStopped } from '@aws-sdk/client-ecs';
import { ecsClient } from '#clients/ecs';
import {
  ENV,
  MAX_WARM_POOL_SIZE,
  WARM_POOL_REFILL_LEASE_SECONDS,
  WARM_POOL_STARTED_BY,
  type WarmControllerAssignment,
  type WarmControllerRecord,
  type WarmPoolRefillReason,
} from '#contract/index';
import { controllerPlacementFromEnv } from '#helpers/controller-placement';
import { isConditionFailed } from '#helpers/is-condition-failed';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isTaskRunning } from '#helpers/is-task-running';
import { listSessionTasks } from '#helpers/list-session-tasks';
import { requestPoolRefill } from '#helpers/request-pool-refill';
import { runWarmControllerTask } from '#helpers/run-controller-task';
import { whyNotSessionsController } from '#helpers/session-controller';
import { stopControllerTask } from '#helpers/stop-controller-task';
import { logger } from '../powertools.ts';
import { getSession } from '../sessions-repository.ts';
import { claimCandidates, claimedFor, parsePoolSize, planRefill, stoppedClaimsToRead } from '../warm-pool/pool-plan.ts';
import {
  claimWarmController,
  closeRefills,
  reopenRefills,
  forgetWarmController,
  listWarmControllers,
  putStartingController,
  releaseRefillLease,
  retireWarmController,
  takeRefillLease,
} from '../warm-pool/warm-pool-repository.ts';

const poolSize = parsePoolSize(getStringFromEnv(ENV.warmPoolSize), MAX_WARM_POOL_SIZE);
const poolFunction = getStringFromEnv(ENV.warmPoolFunction);

/** Whether the deployment keeps a pool at all (size 0: every start runs a task). */
export const warmPoolEnabled = (): boolean => poolSize > 0;

/** What one refill did. */
export interface RefillOutcome {
  action: 'refilled' | 'busy';
  started: string[];
  retired: string[];
  forgotten: string[];
  /** Running pool tasks found without a record (a failed refill's) and recorded. */
  adopted: string[];
}

/**
 * Refills the pool to `size` (the deployment's by default); 'busy' when another refill holds the lease (or
 * the pool was drained: `reopen`, at the deployment's creation, lets refills run again).
 */
export async function refillWarmPool(options: { size?: number; now?: () => Date; reopen?: boolean } = {}): Promise<RefillOutcome> {
  const now = options.now ?? (() => new Date());
  if (options.reopen) await reopenRefills();
  const size = options.size ?? poolSize;
  const holder = randomUUID();
  const outcome: RefillOutcome = { action: 'refilled', started: [], retired: [], forgotten: [], adopted: [] };
  if (!(await takeRefillLease(holder, now()))) {
    logger.info('Another refill of the warm pool is running');
    return { ...outcome, action: 'busy' };
  }
  const placement = controllerPlacementFromEnv();
  try {
    // A second round catches a claim made while the first one ran.
    for (let round = 0; round < 2; round++) {
      const records = await listWarmControllers();
      const running = new Set(await listSessionTasks(placement.cluster, WARM_POOL_STARTED_BY));
      const stillNamed = await claimsStillNamed(stoppedClaimsToRead(records, running));
      const plan = planRefill({ records, running, stillNamed, size, now: now() });
      for (const taskArn of plan.adopt) {
        // Run by a refill that failed before recording it: recorded now, so it is counted, claimed or retired.
        if (await adoptController(taskArn, now())) outcome.adopted.push(taskArn);
      }
      for (const taskArn of plan.forget) {
        await forgetWarmController(taskArn);
        outcome.forgotten.push(taskArn);
      }
      for (const taskArn of plan.retire) {
        if (!(await retireWarmController(taskArn))) continue; // claimed meanwhile: it serves its session
        await stopControllerTask(placement.cluster, taskArn, 'Warm pool: retired').catch((error: unknown) =>
          logger.warn('Could not stop a retired pool controller', { taskArn, errorName: (error as Error).name }),
        );
        outcome.retired.push(taskArn);
      }
      for (let i = 0; i < plan.start; i++) {
        const taskArn = await runWarmControllerTask(placement);
        await putStartingController(taskArn, now());
        outcome.started.push(taskArn);
      }
      if (plan.start === 0 && plan.retire.length === 0 && plan.adopt.length === 0) break;
    }
  } finally {
    await releaseRefillLease(holder);
  }
  logger.info('Warm pool refilled', {
    size,
    started: outcome.started.length,
    retired: outcome.retired.length,
    forgotten: outcome.forgotten.length,
    adopted: outcome.adopted.length,
  });
  return outcome;
}

/** Of claimed controllers ECS no longer runs, those their session (active) still names as its controller. */
async function claimsStillNamed(claims: readonly WarmControllerRecord[]): Promise<Set<string>> {
  const named = new Set<string>();
  for (const claim of claims) {
    const session = claim.assignment ? await getSession(claim.assignment.sessionId) : undefined;
    if (whyNotSessionsController(session, claim.taskArn) === undefined) named.add(claim.taskArn);
  }
  return named;
}

/** Records a running pool task found without a record; false when a record appeared meanwhile. */
async function adoptController(taskArn: string, now: Date): Promise<boolean> {
  try {
    await putStartingController(taskArn, now);
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** How long a drain waits for the stopped controllers to be gone (the cluster cannot be deleted before). */
const DRAIN_WAIT_SECONDS = 40;

/**
 * Stops every pool controller and forgets them (the stack is being deleted), and keeps refills from running
 * again (a controller's stop asks for one). Waits for a refill in progress (its lease) so none starts a
 * controller behind it, and for the stopped tasks to be gone.
 */
export async function drainWarmPool(now: () => Date = () => new Date()): Promise<{ stopped: string[] }> {
  const holder = randomUUID();
  const deadline = now().getTime() + WARM_POOL_REFILL_LEASE_SECONDS * 1000;
  while (!(await takeRefillLease(holder, now())) && now().getTime() < deadline) await new Promise((resolve) => setTimeout(resolve, 1000));
  const placement = controllerPlacementFromEnv();
  const stopped: string[] = [];
  try {
    for (const record of await listWarmControllers()) {
      await retireWarmController(record.taskArn);
      await forgetWarmController(record.taskArn);
    }
    for (const taskArn of await listSessionTasks(placement.cluster, WARM_POOL_STARTED_BY)) {
      await stopControllerTask(placement.cluster, taskArn, 'Warm pool: drained (the deployment is removed)');
      stopped.push(taskArn);
    }
    await closeRefills(holder);
  } catch (error) {
    await releaseRefillLease(holder);
    throw error;
  }
  if (stopped.length > 0) {
    await waitUntilTasksStopped({ client: ecsClient, maxWaitTime: DRAIN_WAIT_SECONDS }, { cluster: placement.cluster, tasks: stopped }).catch((error: unknown) =>
      logger.warn('Drained controllers still stopping', { errorName: (error as Error).name }),
    );
  }
  logger.info('Warm pool drained', { stopped: stopped.length });
  return { stopped };
}

/**
 * Claims an idle controller for one start of a session (the one already claimed for it, when StartController
 * is retried); undefined when none is free. Each candidate is claimed by a conditional write: a candidate
 * another start took first is passed over. A claimed controller ECS no longer runs (it died after it last
 * said it was alive) is passed over too, forgotten (its claim made sure no one else took it meanwhile) and
 * replaced.
 */
export async function claimForSession(assignment: WarmControllerAssignment, now: () => Date = () => new Date()): Promise<string | undefined> {
  if (!warmPoolEnabled()) return undefined;
  const { cluster } = controllerPlacementFromEnv();
  const records = await listWarmControllers();
  for (const already of claimedFor(records, assignment.sessionId, assignment.generation)) {
    if (await isTaskRunning(cluster, already.taskArn)) return already.taskArn;
  }
  let lostRaces = 0;
  for (const candidate of claimCandidates(records, now())) {
    if (!(await claimWarmController(candidate.taskArn, assignment, now()))) {
      lostRaces++;
      continue;
    }
    if (await isTaskRunning(cluster, candidate.taskArn)) {
      logger.info('Claimed a warm controller', { taskArn: candidate.taskArn, lostRaces });
      return candidate.taskArn;
    }
    await passOver(candidate.taskArn, 'A claimed warm controller is not running; passing over it');
  }
  logger.info('No warm controller free', { lostRaces });
  return undefined;
}

/**
 * Whether a controller claimed for a session, and now recorded on it, still runs. One that ECS stopped
 * between the claim's check and that recording was not yet the session's when its STOPPED event came
 * (controller-stopped goes by the recorded task), so nothing else would notice it before the READY wait
 * timed out: it is passed over as a dead claim is (forgotten, the pool refilled), and the start goes on to
 * the next idle controller or a task of its own. Once recorded, a stop is the session's controller's.
 */
export async function claimStillRuns(taskArn: string): Promise<boolean> {
  const { cluster } = controllerPlacementFromEnv();
  if (await isTaskRunning(cluster, taskArn)) return true;
  await passOver(taskArn, 'A claimed warm controller stopped before the session recorded it; passing over it');
  return false;
}

/** Forgets a claimed controller ECS no longer runs (its claim kept anyone else from taking it) and has it replaced. */
async function passOver(taskArn: string, message: string): Promise<void> {
  logger.warn(message, { taskArn });
  await forgetWarmController(taskArn);
  await askForRefill('controller-stopped');
}

/** Asks the pool's function to refill (best effort: the schedule refills anyway). */
export async function askForRefill(reason: WarmPoolRefillReason): Promise<void> {
  await requestPoolRefill(poolFunction, reason).catch((error: unknown) =>
    logger.warn('Could not ask for a refill of the warm pool', { reason, errorName: (error as Error).name }),
  );
}
