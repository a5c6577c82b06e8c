/** Whether ECS still runs a task (RUNNING, and not being stopped). */
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { ecsClient } from '#clients/ecs';

/** DescribeTasks: lastStatus and desiredStatus both RUNNING. */
export async function isTaskRunning(cluster: string, taskArn: string): Promise<boolean> {
  const { tasks } = await ecsClient.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  const task = tasks?.[0];
  return task?.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING';
}
