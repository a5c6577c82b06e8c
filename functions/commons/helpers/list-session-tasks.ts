/** The tasks still running that were started for a session (RunTask's `startedBy` = the session id). */
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import { ecsClient } from '#clients/ecs';

/** Lists, page by page, the ARNs of the cluster's tasks started by `sessionId` that are not stopped. */
export async function listSessionTasks(cluster: string, sessionId: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecsClient.send(new ListTasksCommand({ cluster, startedBy: sessionId, desiredStatus: 'RUNNING', nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}
