/**
 * What a finished run may have left behind: RUNNING controller tasks (ECS ListTasks), session queues (SQS
 * ListQueues by prefix), stages (IVS ListStages), and controller or Chromium processes under the local cloud.
 */
import { CONTROLLER_COMMAND } from '#controller/command';
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { ListStagesCommand } from '@aws-sdk/client-ivs-realtime';
import { CLUSTER_NAME, COMMAND_DLQ_NAME, COMMAND_QUEUE_PREFIX } from '#contract/index';
import type { AwsClients } from '#harness/system-session';
import { isAlive } from '#harness/local-cloud';
import { commandLine, processTree } from './procfs.ts';

export interface Leaks {
  tasks: number;
  queues: number;
  stages: number;
  /** Controller and Chromium processes still running under the local cloud, or among the pids seen. */
  processes: number;
  /** What was found, for the report. */
  details: string[];
}

/** What a controller process runs (the last word of controller/command.json). */
const CONTROLLER_ENTRY = CONTROLLER_COMMAND.at(-1)!;

/** Whether a command line is a controller's or a Chromium's. */
export function isControllerOrChromium(cmdline: string): boolean {
  return cmdline.includes(CONTROLLER_ENTRY) || /(^|\/)chrom(e|ium)[^ ]*( |$)/.test(cmdline);
}

/** Counts what is left; `seenPids` are controller processes (and their children) seen during the run. */
export async function findLeaks(aws: AwsClients, cloudPid: number | undefined, seenPids: Iterable<number>): Promise<Leaks> {
  const details: string[] = [];
  const tasks = (await aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  if (tasks.length) details.push(`RUNNING tasks: ${tasks.join(', ')}`);
  const queueUrls = (await aws.sqs.send(new ListQueuesCommand({ QueueNamePrefix: COMMAND_QUEUE_PREFIX }))).QueueUrls ?? [];
  const queues = queueUrls.filter((u) => u.split('/').pop() !== COMMAND_DLQ_NAME);
  if (queues.length) details.push(`session queues: ${queues.map((u) => u.split('/').pop()).join(', ')}`);
  const stages = (await aws.ivs.send(new ListStagesCommand({ maxResults: 100 }))).stages ?? [];
  if (stages.length) details.push(`stages: ${stages.map((s) => s.arn).join(', ')}`);
  const pids = new Set<number>();
  for (const pid of seenPids) if (isAlive(pid) && isControllerOrChromium(commandLine(pid))) pids.add(pid);
  if (cloudPid !== undefined) {
    for (const p of processTree(cloudPid)) if (p.pid !== cloudPid && isControllerOrChromium(commandLine(p.pid))) pids.add(p.pid);
  }
  if (pids.size) details.push(`processes: ${[...pids].map((pid) => `${pid} ${commandLine(pid).slice(0, 80)}`).join('; ')}`);
  return { tasks: tasks.length, queues: queues.length, stages: stages.length, processes: pids.size, details };
}
