/**
 * Step Functions answers that mean a task token is no longer worth using.
 */

const STALE_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Whether an error from SendTask* says the token is stale (timed out, closed, unknown or malformed). */
export function isStaleTokenError(error: unknown): boolean {
  return error instanceof Error && STALE_TOKEN_ERRORS.has(error.name);
}
