/** Runs a program controller task on Fargate: a session's, or an idle one for the warm pool. */
import { RunTaskCommand, type KeyValuePair } from '@aws-sdk/client-ecs';
import { CONTROLLER_CONTAINER_NAME, ENV, WARM_POOL_STARTED_BY, controllerSessionEnvironment } from '#contract/index';
import { ecsClient } from '#clients/ecs';

/** Where and how the controller runs (from the function's environment). */
export interface ControllerPlacement {
  cluster: string;
  taskDefinition: string;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

/** What the controller is told (never a token). */
export interface ControllerAssignment {
  sessionId: string;
  stageArn: string;
  queueUrl: string;
  /** Which start of the session's controller this is (the session's controllerRestarts). */
  generation: number;
  /** RunTask's idempotency token: one per start of the session's controller. */
  clientToken: string;
}

/** RunTask answered with failures instead of a task. */
export class ControllerTaskNotStartedError extends Error {
  constructor(reasons: string) {
    super(`RunTask started no controller task: ${reasons}`);
    this.name = 'ControllerTaskNotStartedError';
  }
}

/** Calls RunTask (FARGATE, awsvpc, startedBy = session id); returns the task ARN. */
export async function runControllerTask(placement: ControllerPlacement, assignment: ControllerAssignment): Promise<string> {
  return runTask(placement, { startedBy: assignment.sessionId, clientToken: assignment.clientToken, environment: controllerSessionEnvironment(assignment) });
}

/** Calls RunTask for an idle pool controller (startedBy = WARM_POOL_STARTED_BY, no session); returns the task ARN. */
export async function runWarmControllerTask(placement: ControllerPlacement): Promise<string> {
  return runTask(placement, { startedBy: WARM_POOL_STARTED_BY, environment: [{ name: ENV.warmPoolController, value: '1' }] });
}

async function runTask(placement: ControllerPlacement, start: { startedBy: string; clientToken?: string; environment: KeyValuePair[] }): Promise<string> {
  const { tasks, failures } = await ecsClient.send(
    new RunTaskCommand({
      cluster: placement.cluster,
      taskDefinition: placement.taskDefinition,
      launchType: 'FARGATE',
      count: 1,
      startedBy: start.startedBy,
      ...(start.clientToken ? { clientToken: start.clientToken } : {}),
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: placement.subnets,
          securityGroups: placement.securityGroups,
          assignPublicIp: placement.assignPublicIp,
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: CONTROLLER_CONTAINER_NAME,
            environment: start.environment,
          },
        ],
      },
    }),
  );
  const taskArn = tasks?.[0]?.taskArn;
  if (failures && failures.length > 0 && !taskArn) {
    throw new ControllerTaskNotStartedError(failures.map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`).join('; '));
  }
  if (!taskArn) throw new ControllerTaskNotStartedError('no task and no failure returned');
  return taskArn;
}
