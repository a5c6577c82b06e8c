/**
 * Figure "cold start: POST /sessions → LIVE with Fargate's start-up modelled": what a host waits on AWS when
 * no controller is waiting (issue 17). It runs in a local cloud of its own started with the local ECS's
 * Fargate model on (SHELCASTER_FARGATE_STARTUP_MS, default 30 s; local-cloud/services/ecs/fargate-startup.ts),
 * whatever the cloud of the other figures does, sessions one at a time. The split, per session, from what the
 * APIs recorded: the modelled Fargate start (the task's createdAt → startedAt in DescribeTasks), the
 * controller's own start (its process start → join asked of the page, by the phases it logs), the join (→
 * published), and the rest (→ LIVE: READY answered, GoLive).
 */
import { rm } from 'node:fs/promises';
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { CLUSTER_NAME } from '#contract/index';
import { startLocalCloud } from '#harness/local-cloud';
import { DEFAULT_FARGATE_STARTUP_MS, FARGATE_STARTUP_ENV } from '#local-cloud/services/ecs/fargate-startup';
import { BenchContext, endSession, startSession } from '../client.ts';
import { failedFigure, figure, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';
import { controllerJoin } from './join.ts';

/** Sessions measured even past the step's share of the budget (a figure needs some). */
const MIN_SESSIONS = 2;
const ID = 'cold-start';
const TITLE = "cold start: POST /sessions → LIVE, no warm controller, Fargate's start-up modelled";
const TARGET = 'reported (no target: what a warm controller saves)';

/** Runs `count` cold starts in a local cloud of its own with the Fargate model on. */
export async function coldStartFigure(runId: string, count: number, log: (line: string) => void, outOfTime: () => boolean = () => false): Promise<Figure> {
  const cloud = await startLocalCloud({ readyTimeoutMs: 120_000, env: { [FARGATE_STARTUP_ENV]: String(DEFAULT_FARGATE_STARTUP_MS) } });
  const ctx = new BenchContext(
    { apiUrl: cloud.apiUrl, awsEndpoint: cloud.awsEndpoint, dataDir: cloud.dataDir, pid: cloud.process.pid, origin: 'started', stop: async () => undefined },
    `${runId}-cold`,
  );
  const samples: number[] = [];
  const split: Record<string, number[]> = {};
  const add = (name: string, ms: number | undefined) => {
    if (ms !== undefined && Number.isFinite(ms)) (split[name] ??= []).push(ms);
  };
  const failures: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      if (i >= MIN_SESSIONS && outOfTime()) {
        failures.push(`stopped after ${i} sessions: the step reached its share of the run's time budget`);
        break;
      }
      try {
        const session = await startSession(await ctx.newHost(), `Bench cold start ${i + 1}`, 180_000);
        const live = session.liveAt! - session.postedAt;
        samples.push(live);
        const listed = await ctx.aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: session.sessionId }));
        const task = listed.taskArns?.length ? (await ctx.aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: listed.taskArns.slice(0, 1) }))).tasks?.[0] : undefined;
        const created = task?.createdAt?.getTime();
        const started = task?.startedAt?.getTime();
        const join = await controllerJoin(ctx.aws, session.sessionId);
        add('POST → RunTask', created !== undefined ? created - session.postedAt : undefined);
        add('modelled Fargate start: PROVISIONING (RunTask → pull started)', created !== undefined && task?.pullStartedAt ? task.pullStartedAt.getTime() - created : undefined);
        add('modelled Fargate start: PENDING (image pull → RUNNING)', started !== undefined && task?.pullStartedAt ? started - task.pullStartedAt.getTime() : undefined);
        const joinAsked = join?.phases['join-started'];
        const published = join?.phases.published;
        add('controller start (process start → join asked: Chromium, page, token)', joinAsked);
        add('join (join asked → published on the stage)', joinAsked !== undefined && published !== undefined ? published - joinAsked : undefined);
        add('published → LIVE (READY answered, GoLive)', started !== undefined && join ? session.liveAt! - (started + join.ms) : undefined);
        log(`  cold session ${i + 1}/${count}: LIVE after ${live} ms`);
        const { final } = await endSession(session);
        if (final.status !== 'ENDED') failures.push(`end ${i + 1}: ${String(final.status)}`);
      } catch (error) {
        failures.push(`session ${i + 1}: ${(error as Error).message}`);
      }
    }
  } finally {
    await cloud.stop();
    await rm(cloud.dataDir, { recursive: true, force: true });
  }
  if (samples.length === 0) return failedFigure(ID, TITLE, 'ms', TARGET, failures.join('; ') || 'no session went LIVE');
  return figure({
    id: ID,
    title: TITLE,
    unit: 'ms',
    target: TARGET,
    samples,
    breakdown: Object.fromEntries(Object.entries(split).map(([name, values]) => [name, summarize(values)])),
    notes: [
      `${count} sessions, one at a time, in a local cloud started for this figure with ${FARGATE_STARTUP_ENV}=${DEFAULT_FARGATE_STARTUP_MS} (RunTask → RUNNING as on Fargate for an image of our size; sources in docs/local-cloud.md).`,
      'The Fargate parts are the task\'s createdAt, pullStartedAt and startedAt as DescribeTasks records them; the controller\'s parts are the phases it logs with "Joined the stage and publishing" (ms since its process started).',
      ...failures,
    ],
  });
}
