/**
 * ARNs built from fixed names with `Stack.formatArn`, so a grant can name a resource before (or without)
 * depending on the construct that creates it — which keeps the state machine and the functions free of cycles.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { CLUSTER_NAME, COMMAND_QUEUE_PREFIX, CONTROLLER_TASK_FAMILY, FUNCTION_NAMES, STATE_MACHINE_NAME, type FunctionRole } from '#contract/index';

/** The session lifecycle state machine's ARN. */
export function stateMachineArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: STATE_MACHINE_NAME,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Every execution of the session lifecycle state machine. */
export function executionsArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${STATE_MACHINE_NAME}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Every per-session command queue (`shelcaster-program-commands-*`), created at runtime by CreateStage. */
export function sessionQueuesArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'sqs',
    resource: `${COMMAND_QUEUE_PREFIX}-*`,
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });
}

/** Every revision of the controller's task definition family. */
export function controllerTaskDefinitionsArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'ecs',
    resource: 'task-definition',
    resourceName: `${CONTROLLER_TASK_FAMILY}:*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** Every task running in the controller cluster. */
export function clusterTasksArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'ecs',
    resource: 'task',
    resourceName: `${CLUSTER_NAME}/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** Every IVS real-time resource of one kind (`stage`, `composition`) in this account and region. */
export function ivsResourcesArn(scope: IConstruct, kind: 'stage' | 'composition'): string {
  return Stack.of(scope).formatArn({
    service: 'ivs',
    resource: kind,
    resourceName: '*',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** The account's default event bus in this region. */
export function defaultEventBusArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'events',
    resource: 'event-bus',
    resourceName: 'default',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** One of the system's functions, by role (a grant to invoke it names no construct, so none depends on it). */
export function functionArn(scope: IConstruct, role: FunctionRole): string {
  return Stack.of(scope).formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: FUNCTION_NAMES[role],
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
