import { describe, expect, it } from 'vitest';
import { isTransientAwsError } from '#helpers/is-transient-aws-error';
import { isNotFoundError } from '#helpers/is-not-found-error';

const awsError = (name: string, status?: number, extra: object = {}) =>
  Object.assign(new Error(name), { name, $metadata: status ? { httpStatusCode: status } : {}, ...extra });

describe('Helper: isTransientAwsError', () => {
  it.each([
    ['throttling', awsError('ThrottlingException', 400)],
    ['a 503', awsError('ServiceUnavailable', 503)],
    ['any 5xx', awsError('SomethingOdd', 502)],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an SDK timeout', awsError('TimeoutError')],
  ])('counts %s as transient', (_case, error) => {
    expect(isTransientAwsError(error)).toBe(true);
  });

  it.each([
    ['access denied', awsError('AccessDeniedException', 403)],
    ['a validation error', awsError('ValidationException', 400)],
    ['not found', awsError('ResourceNotFoundException', 404)],
    ['a plain error', new Error('bug')],
    ['a string', 'oops'],
  ])('does not count %s as transient', (_case, error) => {
    expect(isTransientAwsError(error)).toBe(false);
  });
});

describe('Helper: isNotFoundError', () => {
  it('recognises each service\'s way of saying "gone"', () => {
    expect(isNotFoundError(awsError('ResourceNotFoundException', 404))).toBe(true);
    expect(isNotFoundError(awsError('QueueDoesNotExist', 400))).toBe(true);
    expect(isNotFoundError(awsError('AWS.SimpleQueueService.NonExistentQueue', 400))).toBe(true);
    expect(isNotFoundError(Object.assign(awsError('InvalidParameterException', 400), { message: 'The referenced task was not found.' }))).toBe(true);
    expect(isNotFoundError(Object.assign(awsError('InvalidParameterException', 400), { message: 'Bad cluster' }))).toBe(false);
    expect(isNotFoundError(awsError('AccessDeniedException', 403))).toBe(false);
  });
});
