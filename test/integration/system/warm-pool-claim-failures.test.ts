/**
 * What can go wrong while a start claims a warm controller, each case forced on purpose in the whole local
 * cloud (SHELCASTER_WARM_POOL_SIZE=1): a claim that loses its race to another start, a claimed controller
 * that ECS stops (before the start has checked its claim, after it checked it but before the session's
 * record names it, and after that record but before the READY wait opens), and a show the host ends while it
 * claims. In each: no controller is left running and no
 * session is left STARTING.
 *
 * The moments are made with the local cloud's fault injection (docs/local-cloud.md, "Fault injection"): a
 * latency added at the gateway to one AWS operation, of one function's calls where it matters (the held
 * request is answered from the state the service has once the wait is over), or the two starts' claims gathered so that they meet at DynamoDB) and with the real AWS APIs (StopTask, DELETE /sessions), never with a
 * hook in the system's code. The test acts once the system shows it is inside the held call: the claim
 * written in the pool's record, or the start's log line that it checked its claim.
 */
import { describe, expect, it } from 'vitest';
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { CLUSTER_NAME, FUNCTION_NAMES } from '#contract/index';
import { eventually } from '#harness/eventually';
import {
  controllerLogLines,
  enteredStates,
  executionHistory,
  poolRecords,
  runningPoolTasks,
  sessionRecord,
  sessionTasks,
  waitForSession,
  type HostApi,
} from '#harness/system-session';
import {
  clearFaults,
  createShow,
  endShow,
  functionLogLines,
  idleController,
  injectFaults,
  warmPoolCloud,
} from '#test/support/warm-pool';

/** How long a held call waits at the gateway: long enough for the test to see the system inside it and act on a loaded machine. */
const HOLD_MS = 6_000;
/** How often the test looks for the moment to act (well inside HOLD_MS). */
const WATCH_MS = 50;

const pool = warmPoolCloud({ hostPrefix: 'host-claim', clearFaultsAfterEach: true });

/** Waits until the pool's record of `taskArn` is claimed for the session. */
async function claimedBy(taskArn: string, sessionId: string): Promise<void> {
  await eventually(
    async () => ((await poolRecords(pool.aws)).some((r) => r.taskArn === taskArn && r.state === 'CLAIMED' && r.assignment?.sessionId === sessionId) ? true : undefined),
    90_000,
    'the claim of the warm controller',
    WATCH_MS,
  );
}

/** The start's log line with this message about the session, once written. */
async function startLogLine(sessionId: string, message: string, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  return eventually(
    async () => (await functionLogLines(pool.aws.logs, FUNCTION_NAMES.startController, sessionId)).find((line) => line.message === message),
    timeoutMs,
    `the start's "${message}" line`,
    WATCH_MS,
  );
}

/**
 * Waits until every session is LIVE; if one is not in time, fails with what the system shows of each: its
 * record, the states its execution entered, and the last lines of its controllers and of its start.
 */
async function allLive(api: HostApi, sessions: { sessionId: string; executionArn: string }[], timeoutMs = 120_000): Promise<void> {
  try {
    await Promise.all(sessions.map(({ sessionId }) => waitForSession(api, sessionId, (s) => s.status === 'LIVE', timeoutMs, `${sessionId} to go LIVE`, true)));
  } catch (error) {
    const shown = await Promise.all(
      sessions.map(async ({ sessionId, executionArn }) => {
        const record = await sessionRecord(pool.aws.dynamodb, sessionId);
        const states = enteredStates(await executionHistory(pool.aws.sfn, executionArn)).map((s) => s.name);
        const controller = (await controllerLogLines(pool.aws.logs, sessionId)).slice(-8).map((l) => l.message);
        const start = (await functionLogLines(pool.aws.logs, FUNCTION_NAMES.startController, sessionId)).map((l) => l.message);
        return JSON.stringify({ sessionId, status: record?.status, taskArn: record?.taskArn, states, start, controller });
      }),
    );
    throw new Error(`${(error as Error).message}\n${shown.join('\n')}`, { cause: error });
  }
}

/** Nothing of the sessions runs: no task started for them, none of the pool's controllers in `poolTasks`. */
async function nothingLeftRunning(sessionIds: string[], poolTasks: string[]): Promise<void> {
  await eventually(
    async () => {
      const running = new Set(await runningPoolTasks(pool.aws));
      if (poolTasks.some((arn) => running.has(arn))) return undefined;
      for (const id of sessionIds) if ((await sessionTasks(pool.aws.ecs, id)).length > 0) return undefined;
      return true;
    },
    60_000,
    "the sessions' controllers to be stopped",
  );
}

describe('Claiming a warm controller when something goes wrong', () => {
  it('a claim that loses its race to another start runs a task of its own: both shows LIVE, each on its own controller, nothing left once they end', async () => {
    const warm = await idleController(pool.aws);
    const api = await pool.newHost();
    // The starts' first DynamoDB updates (their claims) are gathered at the gateway: the first waits until the
    // second arrives, so both starts have read the pool (one idle controller) before either claim is written,
    // however far apart a busy machine runs them; both claim it and the conditional write refuses one.
    await injectFaults(pool.cloud, [{ service: 'dynamodb', operation: 'UpdateItem', gather: { requests: 2, functionName: FUNCTION_NAMES.startController } }]);
    const shows = await Promise.all(['Race A', 'Race B'].map((title) => createShow(api, title)));
    const ids = shows.map((show) => show.sessionId);
    await eventually(
      async () => ((await Promise.all(ids.map((id) => sessionRecord(pool.aws.dynamodb, id)))).every((record) => record?.taskArn) ? true : undefined),
      120_000,
      'both starts to record their controller',
    );
    await clearFaults(pool.cloud);
    await allLive(api, shows);

    const recorded = await Promise.all(ids.map(async (id) => (await sessionRecord(pool.aws.dynamodb, id))!.taskArn!));
    expect(new Set(recorded).size).toBe(2);
    const winner = recorded.indexOf(warm.taskArn);
    expect(winner).toBeGreaterThanOrEqual(0);
    const loser = 1 - winner;
    // The loser tried the one idle controller, its conditional write was refused, and it ran a task.
    expect(await startLogLine(ids[loser]!, 'No warm controller free')).toMatchObject({ lostRaces: 1 });
    const [own] = await sessionTasks(pool.aws.ecs, ids[loser]!);
    expect(own?.taskArn).toBe(recorded[loser]);
    expect((await poolRecords(pool.aws)).find((r) => r.taskArn === warm.taskArn)).toMatchObject({ state: 'CLAIMED', assignment: { sessionId: ids[winner] } });

    const ended = await Promise.all(ids.map((id) => endShow(api, id)));
    expect(ended.map((s) => s.status)).toEqual(['ENDED', 'ENDED']);
    await nothingLeftRunning(ids, [warm.taskArn]);
  }, 360_000);

  it('a claimed controller ECS stops before the start checked its claim is passed over: the show goes LIVE on a task of its own', async () => {
    const warm = await idleController(pool.aws);
    // The start's check of its claim (DescribeTasks) waits at the gateway; ECS stops the controller meanwhile.
    await injectFaults(pool.cloud, [{ service: 'ecs', operation: 'DescribeTasks', latencyMs: HOLD_MS }]);
    const api = await pool.newHost();
    const show = await createShow(api, 'Stopped before the check');
    const { sessionId } = show;
    await claimedBy(warm.taskArn, sessionId);
    await pool.aws.ecs.send(new StopTaskCommand({ cluster: CLUSTER_NAME, task: warm.taskArn, reason: 'test: stopped by ECS while claimed' }));
    await clearFaults(pool.cloud);

    await allLive(api, [show]);
    const { taskArn } = (await sessionRecord(pool.aws.dynamodb, sessionId))!;
    expect(taskArn).not.toBe(warm.taskArn);
    const [own] = await sessionTasks(pool.aws.ecs, sessionId);
    expect(own?.taskArn).toBe(taskArn);
    expect(await startLogLine(sessionId, 'A claimed warm controller is not running; passing over it')).toMatchObject({ taskArn: warm.taskArn });

    expect((await endShow(api, sessionId)).status).toBe('ENDED');
    await nothingLeftRunning([sessionId], [warm.taskArn]);
  }, 300_000);

  it('a claimed controller ECS stops after the start checked it, before the session records it: the start finds it gone and the show goes LIVE on another controller', async () => {
    const warm = await idleController(pool.aws);
    const api = await pool.newHost();
    // The start's DynamoDB updates wait at the gateway (the start's only: the fault names its function), its
    // claim and then the recording of the claimed controller; ECS stops the controller once the start has
    // checked its claim, while that recording waits. Set before the show is created, so that no start
    // outruns it.
    await injectFaults(pool.cloud, [{ service: 'dynamodb', operation: 'UpdateItem', functionName: FUNCTION_NAMES.startController, latencyMs: HOLD_MS }]);
    const show = await createShow(api, 'Stopped before the recording');
    const { sessionId } = show;
    expect(await startLogLine(sessionId, 'Claimed a warm controller')).toMatchObject({ taskArn: warm.taskArn });
    await pool.aws.ecs.send(new StopTaskCommand({ cluster: CLUSTER_NAME, task: warm.taskArn, reason: 'test: stopped by ECS while claimed' }));
    await clearFaults(pool.cloud);

    // Should the stop land after the recording after all (the test saw the log line more than HOLD_MS late),
    // its READY wait fails and the controller is replaced (the next test): LIVE on another controller either way.
    await allLive(api, [show], 90_000);
    const { taskArn } = (await sessionRecord(pool.aws.dynamodb, sessionId))!;
    expect(taskArn).not.toBe(warm.taskArn);
    // The start claims again: the controller the pool started in the stopped one's place when it is idle by
    // then (on a loaded machine it can be), or else a task of the session's own.
    const [own] = await sessionTasks(pool.aws.ecs, sessionId);
    const claimed = (await poolRecords(pool.aws)).find((r) => r.taskArn === taskArn);
    if (claimed) expect(claimed).toMatchObject({ state: 'CLAIMED', assignment: { sessionId } });
    else expect(own?.taskArn).toBe(taskArn);

    expect((await endShow(api, sessionId)).status).toBe('ENDED');
    await nothingLeftRunning([sessionId], [warm.taskArn, taskArn!]);
  }, 300_000);

  it('a claimed controller ECS stops after the session recorded it, before its READY wait opens: the stop fails that wait once it opens, and the show goes LIVE on a replacement', async () => {
    const warm = await idleController(pool.aws);
    // The start's last call, its ask for a refill (Lambda Invoke), is held at the gateway: a gather of two that
    // only this call joins holds it until the faults are cleared. The session names the controller by then,
    // and the state machine has not opened WaitForReady.
    await injectFaults(pool.cloud, [{ service: 'lambda', operation: 'Invoke', gather: { requests: 2, functionName: FUNCTION_NAMES.startController, maxWaitMs: 60_000 } }]);
    const api = await pool.newHost();
    const show = await createShow(api, 'Stopped before its READY wait');
    const { sessionId, executionArn } = show;
    expect(await startLogLine(sessionId, 'Warm controller claimed')).toMatchObject({ taskArn: warm.taskArn });
    expect((await sessionRecord(pool.aws.dynamodb, sessionId))?.taskArn).toBe(warm.taskArn);
    await pool.aws.ecs.send(new StopTaskCommand({ cluster: CLUSTER_NAME, task: warm.taskArn, reason: 'test: stopped by ECS before the READY wait' }));
    // Its STOPPED event finds no callback open and the session naming the task: it looks again.
    await eventually(
      async () => (await functionLogLines(pool.aws.logs, FUNCTION_NAMES.controllerStopped, sessionId)).find((l) => l.message === 'Controller stopped with no callback open yet; looking again'),
      90_000,
      'controller-stopped looking for a callback',
      WATCH_MS,
    );
    expect(enteredStates(await executionHistory(pool.aws.sfn, executionArn)).map((s) => s.name)).not.toContain('WaitForReady');
    await clearFaults(pool.cloud);

    await allLive(api, [show], 90_000);
    const history = await executionHistory(pool.aws.sfn, executionArn);
    const failedReady = history.find((e) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.error === 'Shelcaster.ControllerStopped');
    expect(failedReady?.taskFailedEventDetails?.cause).toContain('test: stopped by ECS before the READY wait');
    const states = enteredStates(history).map((e) => e.name);
    expect(states.slice(0, states.indexOf('GoLive') + 1)).toEqual([
      'CreateStage',
      'StartController',
      'WaitForReady',
      'ControllerLost',
      'ReplaceOrEnd',
      'ReplaceController',
      'WaitForReplacementReady',
      'GoLive',
    ]);
    // The READY wait was failed by the stop, not by its timeout.
    expect(history.filter((e) => e.type === 'TaskTimedOut')).toEqual([]);
    const record = (await sessionRecord(pool.aws.dynamodb, sessionId))!;
    expect(record.taskArn).not.toBe(warm.taskArn);
    expect(record.controllerRestarts).toBe(1);

    expect((await endShow(api, sessionId)).status).toBe('ENDED');
    await nothingLeftRunning([sessionId], [warm.taskArn, record.taskArn!]);
  }, 300_000);

  it('a show ended while it claims a controller ends at once: the claimed controller stops with it, nothing of it runs, and it is never left STARTING', async () => {
    const warm = await idleController(pool.aws);
    // The start's check of its claim waits at the gateway; the host ends the show meanwhile.
    await injectFaults(pool.cloud, [{ service: 'ecs', operation: 'DescribeTasks', latencyMs: HOLD_MS }]);
    const api = await pool.newHost();
    const { sessionId, executionArn } = await createShow(api, 'Ended while claiming');
    await claimedBy(warm.taskArn, sessionId);
    const deleted = await api('DELETE', `/sessions/${sessionId}`);
    expect(deleted.status).toBe(202);
    await clearFaults(pool.cloud);

    const ended = await waitForSession(api, sessionId, (s) => s.status === 'ENDED' || s.status === 'FAILED', 90_000, 'the session to end');
    expect(ended).toMatchObject({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
    // Ended by the host's request, not by the wait for the controller timing out.
    const history = await executionHistory(pool.aws.sfn, executionArn);
    expect(history.filter((e) => e.type === 'TaskTimedOut')).toEqual([]);
    await nothingLeftRunning([sessionId], [warm.taskArn]);
    // The pool is back to one idle controller, serving no one.
    expect((await idleController(pool.aws, [warm.taskArn])).assignment).toBeUndefined();
  }, 300_000);
});
