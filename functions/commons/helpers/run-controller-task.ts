/** Runs the program controller task of a session on Fargate. */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { CONTROLLER_CONTAINER_NAME, controllerSessionEnvironment } from '#contract/index';
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
  const { tasks, failures } = await ecsClient.send(
    new RunTaskCommand({
      cluster: placement.cluster,
      taskDefinition: placement.taskDefinition,
      launchType: 'FARGATE',
      count: 1,
      startedBy: assignment.sessionId,
      clientToken: assignment.clientToken,
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
            environment: controllerSessionEnvironment(assignment),
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
