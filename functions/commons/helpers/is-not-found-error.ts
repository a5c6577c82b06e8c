/** Decides whether an AWS SDK error means "already gone", which teardown treats as done. */

const NOT_FOUND_NAMES = new Set([
  'ResourceNotFoundException',
  'NotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
]);

/** Whether the error says the resource does not exist (any service). */
export function isNotFoundError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; message?: unknown; Code?: unknown };
  if (typeof e.name === 'string' && NOT_FOUND_NAMES.has(e.name)) return true;
  if (typeof e.Code === 'string' && NOT_FOUND_NAMES.has(e.Code)) return true;
  // ECS answers a StopTask of an unknown task with InvalidParameterException "The referenced task was not found."
  return e.name === 'InvalidParameterException' && typeof e.message === 'string' && /not found/i.test(e.message);
}
