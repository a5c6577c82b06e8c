/**
 * ECS (JSON 1.1): RunTask on the task definition's ARN (and iam:PassRole of the roles it names, as ECS
 * requires of the caller), StopTask/DescribeTasks on the task ARNs, ListTasks on `*`; each with the
 * `ecs:cluster` condition key. Other operations: `ecs:<Operation>` on `*` or the cluster.
 */
import { jsonBody, str, targetOperation, type RequestedAction, type ServiceActions } from './types.ts';

export const ecsActions: ServiceActions = {
  service: 'ecs',
  actionsOf(request, context) {
    const { account, region } = context;
    const operation = targetOperation(request);
    const body = jsonBody(request);
    const action = `ecs:${operation}`;
    const clusterName = (str(body.cluster) ?? 'default').split('/').pop()!;
    const clusterArn = `arn:aws:ecs:${region}:${account}:cluster/${clusterName}`;
    const ecsContext = { 'ecs:cluster': clusterArn };
    const taskArn = (task: string) => (task.startsWith('arn:') ? task : `arn:aws:ecs:${region}:${account}:task/${clusterName}/${task}`);
    switch (operation) {
      case 'RunTask': {
        const reference = str(body.taskDefinition) ?? '';
        const definition = context.taskDefinition?.(reference);
        const requested: RequestedAction[] = [{ action, resource: definition?.arn ?? reference, context: ecsContext }];
        const overrides = (body.overrides as { taskRoleArn?: string; executionRoleArn?: string } | undefined) ?? {};
        for (const role of [overrides.taskRoleArn ?? definition?.taskRoleArn, overrides.executionRoleArn ?? definition?.executionRoleArn]) {
          if (role) requested.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
        }
        return { operation, requested };
      }
      case 'StopTask':
        return { operation, requested: [{ action, resource: taskArn(str(body.task) ?? '*'), context: ecsContext }] };
      case 'DescribeTasks':
        return { operation, requested: ((body.tasks as string[] | undefined) ?? ['*']).map((task) => ({ action, resource: taskArn(task), context: ecsContext })) };
      case 'ListTasks':
        return { operation, requested: [{ action, resource: '*', context: ecsContext }] };
      case 'DescribeClusters':
        return { operation, requested: ((body.clusters as string[] | undefined) ?? ['default']).map((c) => ({ action, resource: `arn:aws:ecs:${region}:${account}:cluster/${c.split('/').pop()}` })) };
      default:
        return { operation, requested: [{ action, resource: '*' }] };
    }
  },
};
