/**
 * Figures "start: POST /sessions → LIVE" (split by state from the execution history), "end: DELETE →
 * ENDED, and leaks" and "controller process start → joined and publishing" (join.ts): sessions started one
 * at a time, each ended before the next starts; afterwards nothing may be left (tasks, queues, stages,
 * processes).
 */
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CLUSTER_NAME, CONTROLLER_LOG_GROUP, STATES } from '#contract/index';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { controllerProcess, executionHistory, type AwsClients } from '#harness/system-session';
import { eventually } from '#harness/eventually';
import { endSession, startSession, type BenchContext } from '../client.ts';
import { atMost, failedFigure, figure, type Figure, MIN_SAMPLES } from '../figure.ts';
import { executionStartedAt, firstPassDurations } from '../history.ts';
import { findLeaks } from '../leaks.ts';
import { processTree } from '../procfs.ts';
import { summarize } from '../stats.ts';
import { controllerJoin, joinFigure, type ControllerJoin } from './join.ts';

export const START_TARGET_MS = 3000;
export const END_TARGET_MS = 2000;
const START_STATES = [STATES.CreateStage, STATES.StartController, STATES.WaitForReady, STATES.GoLive];
const END_STATES = [STATES.OnAir, STATES.Teardown];

/**
 * WaitForReady split by what the AWS APIs show: RunTask → the task's process started (ECS startedAt), → the
 * controller's "Joined the stage and publishing" log line (Chromium started, page loaded, WHIP joined), → the
 * READY token answered (WaitForReady exited).
 */
async function readinessSplit(aws: AwsClients, sessionId: string, events: readonly HistoryEvent[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const listed = await aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId, desiredStatus: 'STOPPED' }));
  const task = listed.taskArns?.length ? (await aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: listed.taskArns.slice(0, 1) }))).tasks?.[0] : undefined;
  const logs = await aws.logs.send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, filterPattern: `"${sessionId}"` })).catch(() => ({ events: [] }));
  const joined = logs.events?.find((e) => e.message?.includes('Joined the stage and publishing'))?.timestamp;
  const waitExit = events.find((e) => e.type?.endsWith('StateExited') && e.stateExitedEventDetails?.name === STATES.WaitForReady)?.timestamp;
  const created = task?.createdAt?.getTime();
  const started = task?.startedAt?.getTime();
  if (created !== undefined && started !== undefined) out['  RunTask → process started'] = started - created;
  if (started !== undefined && joined !== undefined) out['  process started → joined the stage (Chromium, page, IVS web SDK)'] = joined - started;
  if (joined !== undefined && waitExit) out['  joined → READY answered'] = new Date(waitExit).getTime() - joined;
  return out;
}

/** Runs `count` sessions through start and end; returns the start, end and join figures. */
export async function lifecycleFigures(ctx: BenchContext, count: number, log: (line: string) => void): Promise<Figure[]> {
  const startMs: number[] = [];
  const endMs: number[] = [];
  const startSplit: Record<string, number[]> = { 'POST → execution started': [] };
  const endSplit: Record<string, number[]> = { 'DELETE → OnAir exited': [] };
  const seenPids = new Set<number>();
  const joins: ControllerJoin[] = [];
  const failures: string[] = [];
  const began = Date.now();
  for (let i = 0; i < count; i++) {
    if (ctx.outOfTime && i >= MIN_SAMPLES) {
      failures.push(`stopped after ${i} sessions: the run reached its time budget`);
      break;
    }
    const api = await ctx.newHost();
    let session;
    try {
      session = await startSession(api, `Bench lifecycle ${i + 1}`);
    } catch (error) {
      failures.push(`start ${i + 1}: ${(error as Error).message}`);
      continue;
    }
    startMs.push(session.liveAt! - session.postedAt);
    const controller = await controllerProcess(ctx.aws.ecs, session.sessionId).catch(() => undefined);
    if (controller) for (const p of processTree(controller.pid)) seenPids.add(p.pid);
    try {
      const { deletedAt, final } = await endSession(session);
      if (final.status !== 'ENDED') failures.push(`end ${i + 1}: ${String(final.status)} ${String(final.reason)}`);
      endMs.push(Date.parse(final.endedAt as string) - deletedAt);
      const events = await eventually(
        async () => {
          const history = await executionHistory(ctx.aws.sfn, session.executionArn);
          return history.some((e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed') ? history : undefined;
        },
        30_000,
        'the execution to finish',
        100,
      );
      const started = executionStartedAt(events);
      if (started !== undefined) startSplit['POST → execution started']!.push(started - session.postedAt);
      for (const [name, ms] of Object.entries(firstPassDurations(events, START_STATES))) (startSplit[name] ??= []).push(ms);
      for (const [name, ms] of Object.entries(await readinessSplit(ctx.aws, session.sessionId, events))) (startSplit[name] ??= []).push(ms);
      const join = await controllerJoin(ctx.aws, session.sessionId);
      if (join) joins.push(join);
      else failures.push(`join ${i + 1}: the controller's task or its "Joined" line was not found`);
      const ended = firstPassDurations(events, END_STATES);
      const onAirExit = events.find((e) => e.type?.endsWith('StateExited') && e.stateExitedEventDetails?.name === STATES.OnAir)?.timestamp;
      if (onAirExit) endSplit['DELETE → OnAir exited']!.push(new Date(onAirExit).getTime() - deletedAt);
      if (ended.Teardown !== undefined) (endSplit.Teardown ??= []).push(ended.Teardown);
    } catch (error) {
      failures.push(`end ${i + 1}: ${(error as Error).message}`);
    }
    log(`  session ${i + 1}/${count}: LIVE after ${startMs.at(-1)} ms, ENDED after ${endMs.at(-1) ?? '-'} ms`);
  }
  const seconds = Math.round((Date.now() - began) / 1000);

  const leaks = await eventually(
    async () => {
      const found = await findLeaks(ctx.aws, ctx.cloud.pid, seenPids);
      return found.tasks + found.queues + found.stages + found.processes === 0 ? found : undefined;
    },
    20_000,
    'nothing left running',
    500,
  ).catch(async () => findLeaks(ctx.aws, ctx.cloud.pid, seenPids));

  const notes = [`${count} sessions asked for, one at a time, each ended before the next started; ${seconds} s in all.`, ...failures];
  const start =
    startMs.length === 0
      ? failedFigure('start', 'start: POST /sessions → LIVE', 'ms', 'p95 ≤ 3 s', failures.join('; '))
      : figure({
          id: 'start',
          title: 'start: POST /sessions → LIVE',
          unit: 'ms',
          target: 'p95 ≤ 3 s',
          samples: startMs,
          checks: [atMost('p95', summarize(startMs).p95, START_TARGET_MS)],
          breakdown: Object.fromEntries(Object.entries(startSplit).map(([k, v]) => [k, summarize(v)])),
          notes: [...notes, 'LIVE is the session record\'s liveAt (set by GoLive) minus the time POST /sessions was sent.'],
        });
  const end =
    endMs.length === 0
      ? failedFigure('end', 'end: DELETE → ENDED, and leaks', 'ms', 'p95 ≤ 2 s; 0 tasks, queues, stages or processes left', failures.join('; '))
      : figure({
          id: 'end',
          title: 'end: DELETE → ENDED, and leaks',
          unit: 'ms',
          target: 'p95 ≤ 2 s; 0 tasks, queues, stages or processes left',
          samples: endMs,
          checks: [
            atMost('p95', summarize(endMs).p95, END_TARGET_MS),
            atMost('tasks left', leaks.tasks, 0),
            atMost('queues left', leaks.queues, 0),
            atMost('stages left', leaks.stages, 0),
            atMost('processes left', leaks.processes, 0),
          ],
          breakdown: Object.fromEntries(Object.entries(endSplit).map(([k, v]) => [k, summarize(v)])),
          values: { tasksLeft: leaks.tasks, queuesLeft: leaks.queues, stagesLeft: leaks.stages, processesLeft: leaks.processes, processesWatched: seenPids.size },
          notes: [...notes, 'ENDED is the record\'s endedAt (set by Teardown) minus the time DELETE was sent.', ...leaks.details],
        });
  return [start, end, joinFigure(joins, notes)];
}
