/** Numbers and names of the Amazon States Language and of Step Functions that the interpreter relies on. */

/** A retrier's IntervalSeconds when it gives none (ASL spec). */
export const DEFAULT_INTERVAL_SECONDS = 1;

/** A retrier's MaxAttempts when it gives none (ASL spec). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** A retrier's BackoffRate when it gives none (ASL spec). */
export const DEFAULT_BACKOFF_RATE = 2;

/** Step Functions' limit on an execution's history; an execution that would exceed it fails. */
export const MAX_HISTORY_EVENTS = 25_000;

/** Page size of List* and GetExecutionHistory when the caller gives no maxResults. */
export const DEFAULT_PAGE_SIZE = 100;

/** Largest maxResults the List* and GetExecutionHistory operations accept. */
export const MAX_PAGE_SIZE = 1000;

/** Random bytes in a task token (before encoding): unguessable. */
export const TASK_TOKEN_RANDOM_BYTES = 96;

/** Every token this service issues starts with this, so a malformed token is told from an unknown one. */
export const TASK_TOKEN_PREFIX = 'AQSC';

/** Longest task token Step Functions accepts in SendTask* (API limit). */
export const MAX_TASK_TOKEN_LENGTH = 2048;

/** Longest error name and cause SendTaskFailure and StopExecution accept. */
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32_768;

/** Names of state machines and executions: 1-80 characters, none of AWS's forbidden characters. */
export const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

/** The suffix of a callback (wait for task token) service integration. */
export const WAIT_FOR_TASK_TOKEN_SUFFIX = '.waitForTaskToken';

/** The ASL error names the interpreter raises or matches. */
export const STATES_ERRORS = {
  /** Matches any error except States.Runtime. */
  ALL: 'States.ALL',
  /** Matches any error except States.Timeout (in Retry and Catch). */
  TaskFailed: 'States.TaskFailed',
  Timeout: 'States.Timeout',
  Runtime: 'States.Runtime',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
} as const;
