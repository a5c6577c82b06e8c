/**
 * Figure "controller process start → joined and publishing" (issue 14: under 1.5 s): for each session of the
 * lifecycle figure, the controller's task process start (ECS startedAt) to its "Joined the stage and
 * publishing" log line (CloudWatch's event timestamp), with the phases the controller logs with it (ms since
 * its process started, by Node's own clock: module loading, Chromium on the page, token, the IVS web SDK's
 * join and publish).
 */
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CLUSTER_NAME, CONTROLLER_LOG_GROUP } from '#contract/index';
import type { AwsClients } from '#harness/system-session';
import { atMost, failedFigure, figure, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';

export const JOIN_TARGET_MS = 1500;
const TITLE = 'controller process start → joined and publishing';
const TARGET = 'p95 ≤ 1.5 s';

/** The order of the phases the controller logs, with what each one ends. */
const PHASES: [string, string][] = [
  ['main', 'main starts (Node started, the entry module and the contract loaded)'],
  ['controller-loaded', 'the rest of the controller loaded (AWS SDK clients; Chromium is starting meanwhile)'],
  ['token', 'participant token created (IVS CreateParticipantToken)'],
  ['page-loaded', "Chromium started on the controller's page, page ready"],
  ['join-started', 'join asked of the page'],
  ['stage-joined', 'the SDK joined (events WebSocket, first STAGE_STATE)'],
  ['published', 'the SDK published (WHIP publish, ICE, DTLS: PUBLISHED)'],
];

/** One controller's join: from its process start (ECS) to the log line, and the phases it logged. */
export interface ControllerJoin {
  ms: number;
  phases: Record<string, number>;
}

/** Reads a session's first controller's join from ECS and its log line; undefined when either is missing. */
export async function controllerJoin(aws: AwsClients, sessionId: string): Promise<ControllerJoin | undefined> {
  const listed = await aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId, desiredStatus: 'STOPPED' }));
  const running = listed.taskArns?.length ? listed : await aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId }));
  if (!running.taskArns?.length) return undefined;
  const tasks = (await aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: running.taskArns }))).tasks ?? [];
  const first = tasks.filter((t) => t.startedAt).sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime())[0];
  const logs = await aws.logs.send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, filterPattern: `"${sessionId}"` }));
  const event = logs.events?.find((e) => e.message?.includes('Joined the stage and publishing'));
  if (!first?.startedAt || !event?.timestamp || !event.message) return undefined;
  const line = JSON.parse(event.message) as { sinceProcessStartMs?: Record<string, number> };
  return { ms: event.timestamp - first.startedAt.getTime(), phases: line.sinceProcessStartMs ?? {} };
}

/** The figure over the joins read; the breakdown is each phase's own duration (from the previous phase's end). */
export function joinFigure(joins: readonly ControllerJoin[], notes: string[]): Figure {
  if (joins.length === 0) return failedFigure('join', TITLE, 'ms', TARGET, notes.join('; ') || 'no controller join was read');
  const samples = joins.map((j) => j.ms);
  const breakdown: Record<string, number[]> = {};
  for (const { phases } of joins) {
    let previous = 0;
    for (const [phase, label] of PHASES) {
      const at = phases[phase];
      if (at === undefined) continue;
      (breakdown[`${label}`] ??= []).push(Math.max(0, at - previous));
      previous = at;
    }
    if (phases.published !== undefined) (breakdown['total by the controller\'s clock (process start → published)'] ??= []).push(phases.published);
  }
  return figure({
    id: 'join',
    title: TITLE,
    unit: 'ms',
    target: TARGET,
    samples,
    checks: [atMost('p95', summarize(samples).p95, JOIN_TARGET_MS)],
    breakdown: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, summarize(v)])),
    notes: [
      ...notes,
      'Each sample: the task\'s startedAt (the local ECS spawned the process) to the CloudWatch timestamp of the controller\'s "Joined the stage and publishing" line. The parts are the phases the controller logs with that line, each from the end of the one before (Chromium starts while the AWS SDK modules load, so the part "Chromium ... page ready" is what was left of it after the token).',
    ],
  });
}
