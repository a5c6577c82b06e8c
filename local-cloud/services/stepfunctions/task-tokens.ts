/** Task tokens: issued one per callback task attempt, unguessable, and recognisable by their form. */
import { randomBytes } from 'node:crypto';
import { MAX_TASK_TOKEN_LENGTH, TASK_TOKEN_PREFIX, TASK_TOKEN_RANDOM_BYTES } from './constants.ts';

/** A fresh, unguessable task token. */
export function newTaskToken(): string {
  return TASK_TOKEN_PREFIX + randomBytes(TASK_TOKEN_RANDOM_BYTES).toString('base64url');
}

/** Whether a string has the form of a token this service issues. */
export function isWellFormedToken(token: string): boolean {
  return token.length <= MAX_TASK_TOKEN_LENGTH && token.startsWith(TASK_TOKEN_PREFIX) && /^[A-Za-z0-9_-]+$/.test(token);
}
