/**
 * "Faults survived" (issue 15, item 12): faults injected mid-show with commands flowing, one after another,
 * in a local cloud of the figure's own (it is restarted, and its faults must not touch the other figures):
 *
 *   dynamodb   DynamoDB unavailable for `outageSeconds` (every operation answers ServiceUnavailable)
 *   sqs        SQS unavailable for `outageSeconds`
 *   lambda     Lambda throttled (60 % of Invoke calls answered TooManyRequestsException) while the controller
 *              is killed and replaced: the replacement's Lambda tasks (controller-lost, start-controller,
 *              go-live) are invoked through it
 *   kill       the controller SIGKILLed
 *   restart    the local cloud SIGKILLed (its whole process group) and started again on its data and ports
 *
 * Faults go through the local cloud's fault endpoint (`/_local/faults`, local-cloud/gateway/faults.ts). Commands
 * flow throughout (bursts of SET_VOLUMEs, harness/faults.ts). Per fault, from what the system recorded: the
 * session's status and its execution after the fault (LIVE and RUNNING, or ended with a reason), the command
 * records (accepted ones APPLIED, FAILED with a reason, left QUEUED, without a record, begun by more than one
 * delivery without a failure between; records of refused requests never APPLIED), the execution history
 * (OnAir entered again after a kill, Lambda tasks throttled). Its samples: each accepted command's acceptedAt →
 * appliedAt as the records hold them (how long the fault held commands back).
 */
import { rm } from 'node:fs/promises';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { MAX_CONTROLLER_RESTARTS } from '#contract/index';
import { startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { CommandFlow, clearFaults, injectFaults, settledAccount, type PostCommand } from '#harness/faults';
import { controllerProcess, executionHistory } from '#harness/system-session';
import { eventually } from '#harness/eventually';
import { atLeast, atMost, failedFigure, figure, type Figure } from '../figure.ts';
import { BenchContext, endQuietly, sleep, startSession, type BenchSession } from '../client.ts';

const TARGET = 'the show stays LIVE (or ends with the right reason); 0 commands lost, 0 applied twice, 0 left QUEUED';
/** Commands the API must accept before each fault begins (so that some wait in the queue when it does). */
const ACCEPTED_BEFORE = 6;
/** Share of Lambda Invoke calls throttled during the "lambda" fault. */
const THROTTLE_RATE = 0.6;
/** How long the commands held back by a fault may take to be applied before what is left is counted QUEUED. */
const SETTLE_MS = 150_000;
/** Commands the API must accept after a fault before the flow stops. */
const ACCEPTED_AFTER = 6;

export interface FaultsOptions {
  /** Length of the DynamoDB and SQS outages (the issue: 30 s). */
  outageSeconds: number;
}

interface FaultRun {
  id: string;
  title: string;
  /** Injects the fault and resolves once it is over (epoch ms of its start and end). */
  run(cloud: FaultCloud, session: BenchSession): Promise<{ from: number; until: number; note: string }>;
}

/** The figure's own local cloud, which the restart fault replaces. */
interface FaultCloud {
  current: RunningLocalCloud;
  ctx: BenchContext;
}

/** The nth (1-based) time the execution entered OnAir, if it has. */
async function onAirEntries(ctx: BenchContext, session: BenchSession): Promise<number[]> {
  const events = await executionHistory(ctx.aws.sfn, session.executionArn);
  return events.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'OnAir').map((e) => new Date(e.timestamp!).getTime());
}

/** Waits until the execution has entered OnAir after `since` (a replacement controller on air). */
async function backOnAir(ctx: BenchContext, session: BenchSession, since: number): Promise<number> {
  return await eventually(async () => (await onAirEntries(ctx, session)).find((at) => at > since), 180_000, 'OnAir again', 250);
}

async function killController(ctx: BenchContext, session: BenchSession): Promise<number> {
  const controller = await eventually(() => controllerProcess(ctx.aws.ecs, session.sessionId), 30_000, 'a running controller', 100);
  const at = Date.now();
  process.kill(controller.pid, 'SIGKILL');
  return at;
}

function outage(service: 'dynamodb' | 'sqs', seconds: number): FaultRun['run'] {
  return async ({ current }) => {
    const [held] = await injectFaults(current.awsEndpoint, [{ service, outage: { seconds } }]);
    const from = Date.parse(held!.outage!.from);
    const until = Date.parse(held!.outage!.until);
    await sleep(Math.max(0, until - Date.now()));
    return { from, until, note: `${service} unavailable ${new Date(from).toISOString()} → ${new Date(until).toISOString()}` };
  };
}

const FAULTS = (options: FaultsOptions): FaultRun[] => [
  { id: 'faults:dynamodb', title: `faults survived: DynamoDB out for ${options.outageSeconds} s`, run: outage('dynamodb', options.outageSeconds) },
  { id: 'faults:sqs', title: `faults survived: SQS out for ${options.outageSeconds} s`, run: outage('sqs', options.outageSeconds) },
  {
    id: 'faults:lambda',
    title: 'faults survived: Lambda throttled while the controller is replaced',
    run: async ({ current, ctx }, session) => {
      const from = Date.now();
      await injectFaults(current.awsEndpoint, [{ service: 'lambda', operation: 'Invoke', errorRate: THROTTLE_RATE, throttle: true }]);
      try {
        await sleep(1_000);
        const killedAt = await killController(ctx, session);
        await backOnAir(ctx, session, killedAt);
      } finally {
        await clearFaults(current.awsEndpoint);
      }
      const until = Date.now();
      const events = await executionHistory(ctx.aws.sfn, session.executionArn);
      const throttled = events.filter((e) => (e.timestamp?.getTime() ?? 0) >= from && e.taskFailedEventDetails?.error === 'Lambda.TooManyRequestsException').length;
      return { from, until, note: `${THROTTLE_RATE * 100} % of Invoke calls throttled for ${Math.round((until - from) / 1000)} s; Lambda tasks the execution recorded as failed with Lambda.TooManyRequestsException (then retried by the ASL's Retry): ${throttled}` };
    },
  },
  {
    id: 'faults:kill',
    title: 'faults survived: controller SIGKILLed',
    run: async ({ ctx }, session) => {
      const from = await killController(ctx, session);
      const until = await backOnAir(ctx, session, from);
      return { from, until, note: `back on air ${until - from} ms after the kill (the execution history's next OnAir)` };
    },
  },
  {
    id: 'faults:restart',
    title: 'faults survived: local cloud killed and restarted',
    run: async (cloud, session) => {
      const { dataDir, ports } = cloud.current;
      const from = Date.now();
      await cloud.current.kill();
      cloud.current = await startLocalCloud({ dataDir, ports, readyTimeoutMs: 120_000 });
      const readyAt = Date.now();
      const until = await backOnAir(cloud.ctx, session, from);
      const replaced = (await session.api.session(session.sessionId)).controllerRestarts;
      return {
        from,
        until,
        note: `the local cloud answered again ${Math.round((readyAt - from) / 1000)} s after the kill; OnAir entered again ${until - from} ms after it (controllerRestarts ${replaced} then)`,
      };
    },
  },
];

/** Runs every fault once; one figure per fault. */
export async function faultsFigures(runId: string, options: FaultsOptions, log: (line: string) => void): Promise<Figure[]> {
  const first = await startLocalCloud({ readyTimeoutMs: 120_000 });
  const cloud: FaultCloud = {
    current: first,
    ctx: new BenchContext(
      { apiUrl: first.apiUrl, awsEndpoint: first.awsEndpoint, dataDir: first.dataDir, pid: first.process.pid, origin: 'started', stop: async () => undefined },
      `${runId}-faults`,
    ),
  };
  const sessions: BenchSession[] = [];
  const figures: Figure[] = [];
  /** The commands each session accepted in the faults before (not requests refused during this one). */
  const posted = new Map<string, string[]>();
  let session: BenchSession | undefined;
  try {
    for (const fault of FAULTS(options)) {
      try {
        // A show that is LIVE and has replacements left (a kill uses one of MAX_CONTROLLER_RESTARTS).
        const view = session ? await session.api.session(session.sessionId) : undefined;
        if (!session || view?.status !== 'LIVE' || (view.controllerRestarts ?? 0) >= MAX_CONTROLLER_RESTARTS - 1) {
          if (session) await endQuietly([session], log);
          session = await startSession(await cloud.ctx.newHost(), `bench ${fault.id}`);
          sessions.push(session);
        }
        const earlier = posted.get(session.sessionId) ?? [];
        const figure = await survive(cloud, session, fault, earlier, log);
        posted.set(session.sessionId, [...earlier, ...figure.accepted]);
        figures.push(figure.figure);
      } catch (error) {
        log(`  ${fault.id} failed: ${(error as Error).stack ?? String(error)}`);
        figures.push(failedFigure(fault.id, fault.title, 'ms', TARGET, error));
      }
    }
  } finally {
    await endQuietly(sessions, log);
    await cloud.current.stop().catch((error: unknown) => log(`  stopping the faults' local cloud: ${String(error)}`));
    await rm(cloud.current.dataDir, { recursive: true, force: true });
  }
  return figures;
}

/** One fault mid-show with commands flowing, and what the system recorded of it. */
async function survive(
  cloud: FaultCloud,
  session: BenchSession,
  fault: FaultRun,
  earlier: readonly string[],
  log: (line: string) => void,
): Promise<{ figure: Figure; accepted: string[] }> {
  const post: PostCommand = async (command) => {
    const answer = await session.api.send('enqueueCommand', { params: { sessionId: session.sessionId }, body: command });
    return { status: answer.status, body: answer.body as unknown as Record<string, unknown> };
  };
  const before = await session.api.session(session.sessionId);
  const flow = new CommandFlow(post, { intervalMs: 500, burst: 3 }).start();
  let window: { from: number; until: number; note: string };
  try {
    await eventually(async () => (flow.accepted.length >= ACCEPTED_BEFORE ? true : undefined), 60_000, 'commands accepted before the fault', 100);
    window = await fault.run(cloud, session);
    // The flow goes on until the API has accepted a few commands after the fault (or gives up after a minute).
    const acceptedBy = flow.accepted.length;
    await eventually(async () => (flow.accepted.length - acceptedBy >= ACCEPTED_AFTER ? true : undefined), 60_000, 'commands accepted after the fault', 250).catch(() => undefined);
  } finally {
    await flow.stop();
  }
  const account = await settledAccount(cloud.ctx.aws.dynamodb, session.sessionId, flow.accepted, SETTLE_MS, earlier);
  const view = await session.api.session(session.sessionId);
  const execution = await cloud.ctx.aws.sfn.send(new DescribeExecutionCommand({ executionArn: session.executionArn }));
  const live = view.status === 'LIVE' && execution.status === 'RUNNING';
  const endedWithReason = (view.status === 'ENDED' || view.status === 'FAILED') && Boolean(view.reason);
  const refused = flow.posted.filter((p) => p.status !== 202);
  const samples = [...account.records.values()].flatMap((r) => (r.appliedAt ? [Date.parse(r.appliedAt) - Date.parse(r.acceptedAt)] : []));
  const replacements = (view.controllerRestarts ?? 0) - (before.controllerRestarts ?? 0);
  log(
    `  ${fault.id}: ${view.status}${view.reason ? ` (${view.reason})` : ''}; ${flow.posted.length} posted, ${account.accepted} accepted, ` +
      `${refused.length} refused, ${account.applied} applied, ${account.failed} failed with a reason; lost ${account.lost}, twice ${account.appliedTwice} (re-applied after a lost controller ${account.reappliedAfterLoss}), QUEUED ${account.leftQueued}`,
  );
  const measured = figure({
    id: fault.id,
    title: fault.title,
    unit: 'ms',
    target: TARGET,
    samples,
    checks: [
      atLeast('show LIVE after the fault (1) or ended with a reason', live || endedWithReason ? 1 : 0, 1),
      atMost('commands lost', account.lost, 0),
      atMost('commands applied twice', account.appliedTwice, 0),
      atMost('commands left QUEUED', account.leftQueued, 0),
      atMost('commands FAILED without a reason', account.failedWithoutReason, 0),
      atMost('refused commands applied', account.refusedButApplied, 0),
    ],
    values: {
      posted: flow.posted.length,
      accepted: account.accepted,
      refused: refused.length,
      applied: account.applied,
      failedWithReason: account.failed,
      lost: account.lost,
      appliedTwice: account.appliedTwice,
      reappliedAfterLoss: account.reappliedAfterLoss,
      leftQueued: account.leftQueued,
      live: live ? 1 : 0,
      controllerReplacements: replacements,
      faultMs: window.until - window.from,
    },
    notes: [
      window.note,
      `Session ${view.status}${view.reason ? ` (${view.reason})` : ''}, execution ${String(execution.status)}; controller replacements during the fault: ${replacements}.`,
      `Commands: ${flow.posted.length} posted in bursts of 3 every 500 ms from before the fault (once ${ACCEPTED_BEFORE} were accepted it began) until ${ACCEPTED_AFTER} were accepted after it; ${account.accepted} accepted, ${refused.length} refused (${[...new Set(refused.map((p) => p.status || p.code))].join(', ') || 'none'}).`,
      'Counted from the command records (status, reason; "applied twice": one controller began it more than once without a failure between, from attemptsStarted less transientFailures and the controllers in attemptedBy; a command begun by a controller that was lost before recording it and applied by its replacement is reported as re-applied after a lost controller: what the first put on air went with its process); samples are acceptedAt → appliedAt of the accepted commands.',
    ],
  });
  return { figure: measured, accepted: flow.accepted };
}
