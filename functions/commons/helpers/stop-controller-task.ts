/** Stops a controller task. */
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { ecsClient } from '#clients/ecs';

/** Calls StopTask with a reason ECS records on the task. */
export async function stopControllerTask(cluster: string, taskArn: string, reason: string): Promise<void> {
  await ecsClient.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
}
