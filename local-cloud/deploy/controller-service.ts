/**
 * The program controller's service (infra/constructs/controller-service.ts): its cluster, its log group and
 * its task definition, whose image the local ECS runs as the controller command (LOCAL_CONTROLLER_IMAGE),
 * joining the stage with the IVS web SDK as on AWS.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import {
  CLUSTER_NAME,
  CONTROLLER_CONTAINER_NAME,
  CONTROLLER_LINUX_PARAMETERS,
  CONTROLLER_LOG_GROUP,
  CONTROLLER_LOG_STREAM_PREFIX,
  CONTROLLER_STOP_TIMEOUT_SECONDS,
  CONTROLLER_TASK_FAMILY,
  CONTROLLER_TASK_SIZE,
  ENV,
  SESSIONS_TABLE_NAME,
  controllerContainerEnvironment,
} from '#contract/index';
import { ensureLogGroup } from './log-retention.ts';

/** The image name the local ECS maps to the controller command. */
export const LOCAL_CONTROLLER_IMAGE = `${CONTROLLER_TASK_FAMILY}:local`;

export interface LocalControllerService {
  clusterArn: string;
  taskDefinitionArn: string;
}

/** Creates the cluster and the log group, and registers the task definition. */
export async function deployControllerService(
  ecs: ECSClient,
  logs: CloudWatchLogsClient,
  deployment: { account: string; region: string; bucketName: string; taskRoleArn: string; executionRoleArn: string },
): Promise<LocalControllerService> {
  await ensureLogGroup(logs, CONTROLLER_LOG_GROUP);
  const cluster = await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER_NAME }));
  const clusterArn = cluster.cluster?.clusterArn ?? `arn:aws:ecs:${deployment.region}:${deployment.account}:cluster/${CLUSTER_NAME}`;
  const taskDefinition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: CONTROLLER_TASK_FAMILY,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(CONTROLLER_TASK_SIZE.cpu),
      memory: String(CONTROLLER_TASK_SIZE.memoryMiB),
      taskRoleArn: deployment.taskRoleArn,
      executionRoleArn: deployment.executionRoleArn,
      containerDefinitions: [
        {
          name: CONTROLLER_CONTAINER_NAME,
          image: LOCAL_CONTROLLER_IMAGE,
          essential: true,
          stopTimeout: CONTROLLER_STOP_TIMEOUT_SECONDS,
          linuxParameters: { ...CONTROLLER_LINUX_PARAMETERS },
          environment: Object.entries(
            controllerContainerEnvironment({ [ENV.sessionsTable]: SESSIONS_TABLE_NAME, [ENV.mediaBucket]: deployment.bucketName }),
          ).map(([name, value]) => ({ name, value })),
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': CONTROLLER_LOG_GROUP,
              'awslogs-stream-prefix': CONTROLLER_LOG_STREAM_PREFIX,
              'awslogs-region': deployment.region,
            },
          },
        },
      ],
    }),
  );
  return { clusterArn, taskDefinitionArn: taskDefinition.taskDefinition?.taskDefinitionArn ?? CONTROLLER_TASK_FAMILY };
}
