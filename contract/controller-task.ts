/**
 * The controller's task definition facts shared by CDK and the local cloud: its container environment.
 * (Per-session values — SESSION_ID, STAGE_ARN, COMMAND_QUEUE_URL, CONTROLLER_GENERATION — come as RunTask overrides.)
 */
import { ENV } from './env.ts';

/** Deployment values the controller container needs, by environment variable name. */
export const CONTROLLER_DEPLOYMENT_ENV = [ENV.sessionsTable, ENV.mediaBucket] as const;

/** The container environment: the deployment values (the same on AWS and locally). */
export function controllerContainerEnvironment(values: Record<(typeof CONTROLLER_DEPLOYMENT_ENV)[number], string>): Record<string, string> {
  return { ...values };
}

/**
 * The RunTask environment overrides for one start of a session's controller. `generation` is the session's
 * controllerRestarts at that start: a controller that finds a later generation (or another task of its own)
 * recorded as the session's controller stops itself.
 */
export function controllerSessionEnvironment(session: { sessionId: string; stageArn: string; queueUrl: string; generation: number }) {
  return [
    { name: ENV.sessionId, value: session.sessionId },
    { name: ENV.stageArn, value: session.stageArn },
    { name: ENV.queueUrl, value: session.queueUrl },
    { name: ENV.controllerGeneration, value: String(session.generation) },
  ];
}

/**
 * Messages of the controller's heartbeat log lines, logged verbatim by the controller and counted by
 * `shelcaster trace` (Step Functions' history records no heartbeats).
 */
export const CONTROLLER_HEARTBEAT_LOG = {
  sent: 'Heartbeat sent',
  failed: 'Heartbeat failed; retrying at the next interval',
} as const;
