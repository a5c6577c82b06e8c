/**
 * The roles the system's resources run as, as the synthesized template names them (CDK creates them on
 * AWS; the local cloud reads them from the template: local-cloud/iam/iam-model.ts). The deployer creates
 * each function, the controller's task definition and the state machine with these role ARNs.
 */
import { CONTROLLER_TASK_FAMILY, STATE_MACHINE_NAME } from '#contract/index';
import type { IamModel } from '#local-cloud/iam/iam-model';

export interface DeployRoles {
  /** The execution role of a function, by function name. */
  functionRole(functionName: string): string;
  /** The controller task definition's task role and execution role. */
  controllerTaskRoles: { taskRoleArn: string; executionRoleArn: string };
  /** The session lifecycle state machine's role. */
  stateMachineRole: string;
}

/** Thrown when the template lacks a role the deployment needs. */
export class MissingRoleError extends Error {
  constructor(what: string) {
    super(`The synthesized template has no role for ${what}`);
    this.name = 'MissingRoleError';
  }
}

/** The deployment's roles from the template's IAM. */
export function rolesFromIamModel(model: IamModel): DeployRoles {
  const task = model.taskDefinitionRoles.get(CONTROLLER_TASK_FAMILY);
  const stateMachineRole = model.stateMachineRoles.get(STATE_MACHINE_NAME);
  if (!task?.taskRoleArn || !task.executionRoleArn) throw new MissingRoleError(`the task definition ${CONTROLLER_TASK_FAMILY}`);
  if (!stateMachineRole) throw new MissingRoleError(`the state machine ${STATE_MACHINE_NAME}`);
  return {
    functionRole(functionName) {
      const role = model.functionRoles.get(functionName);
      if (!role) throw new MissingRoleError(`the function ${functionName}`);
      return role;
    },
    controllerTaskRoles: { taskRoleArn: task.taskRoleArn, executionRoleArn: task.executionRoleArn },
    stateMachineRole,
  };
}
