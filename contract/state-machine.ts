/**
 * Facts about the session lifecycle state machine that code outside the ASL file needs:
 * the file, its state names, its substitutions and the errors our steps raise.
 * The definition itself lives only in statemachines/session-lifecycle.asl.json.
 */
import { fileURLToPath } from 'node:url';
import type { FunctionRole } from './names.ts';
import type { ExecutionLimits } from './limits.ts';

export const ASL_FILE = fileURLToPath(new URL('../statemachines/session-lifecycle.asl.json', import.meta.url));

export const STATES = {
  CreateStage: 'CreateStage',
  StartController: 'StartController',
  WaitForReady: 'WaitForReady',
  GoLive: 'GoLive',
  OnAir: 'OnAir',
  OnAirTimedOut: 'OnAirTimedOut',
  ControllerLost: 'ControllerLost',
  ReplaceOrEnd: 'ReplaceOrEnd',
  ReplaceController: 'ReplaceController',
  WaitForReplacementReady: 'WaitForReplacementReady',
  Teardown: 'Teardown',
  EndedOrFailed: 'EndedOrFailed',
  SessionEnded: 'SessionEnded',
  SessionFailed: 'SessionFailed',
  TeardownFailed: 'TeardownFailed',
} as const;
export type StateName = keyof typeof STATES;

/** The callback states and which token kind each sends to the controller. */
export const CALLBACK_STATES = {
  WaitForReady: 'READY',
  WaitForReplacementReady: 'READY',
  OnAir: 'ON_AIR',
} as const;

/** `${Name}` placeholders in the ASL file, and the function each names. */
export const FUNCTION_SUBSTITUTIONS = {
  CreateStageFunctionArn: 'createStage',
  StartControllerFunctionArn: 'startController',
  GoLiveFunctionArn: 'goLive',
  ControllerLostFunctionArn: 'controllerLost',
  TeardownFunctionArn: 'teardown',
} as const satisfies Record<string, FunctionRole>;
export type SubstitutionKey = keyof typeof FUNCTION_SUBSTITUTIONS;

/** Error names our steps raise, as Step Functions matches them (the Lambda errorType is the error's name). */
export const STEP_ERRORS = {
  /** An AWS call failed in a way worth retrying (throttling, 5xx, network). */
  Transient: 'Shelcaster.Transient',
  /** The host ended the session (SendTaskFailure on a callback, or thrown by a step). */
  SessionEnded: 'Shelcaster.SessionEnded',
  /** The controller task stopped (EventBridge rule → SendTaskFailure). */
  ControllerStopped: 'Shelcaster.ControllerStopped',
  /** The controller could not join the stage (SendTaskFailure from the controller). */
  ControllerFailed: 'Shelcaster.ControllerFailed',
} as const;

/**
 * What SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat answer when a task token is no longer worth
 * using: its callback timed out or closed, or the token is unknown or malformed. The functions meet them when
 * a callback closed between reading the history and answering it; the controller when its token went stale.
 */
export const STALE_TASK_TOKEN_ERRORS: readonly string[] = ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'];

/** Whether an error of SendTask* says the token is stale (one of STALE_TASK_TOKEN_ERRORS, by name). */
export function isStaleTaskTokenError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && STALE_TASK_TOKEN_ERRORS.includes(name);
}

/** The execution's input, built by shelcaster-create-session. */
export interface ExecutionInput {
  sessionId: string;
  hostId: string;
  limits: ExecutionLimits;
}

/** The output of SendTaskSuccess when the host ends the show during OnAir. */
export interface OnAirEndedOutput {
  reason: 'ENDED_BY_HOST';
}

/** The ASL text with each `${Key}` replaced, as Step Functions receives it after CDK's definitionSubstitutions. */
export function substituteDefinition(aslText: string, values: Record<SubstitutionKey, string>): string {
  return aslText.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, key: string) => {
    const value = (values as Record<string, string | undefined>)[key];
    if (value === undefined) throw new Error(`No substitution for \${${key}} in the state machine definition`);
    return value;
  });
}
