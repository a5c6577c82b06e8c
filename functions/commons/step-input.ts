/** Validation of what the state machine passes to a step (its Parameters), and the session it names. */
import { z } from 'zod';
import { SESSION_ID_PATTERN, type SessionRecord } from '#contract/index';
import { SessionRecordMissingError, StepFailedError } from './errors.ts';
import { logSessionId } from './powertools.ts';
import { getSession } from './sessions-repository.ts';

/** A session id as the state machine passes it. */
export const StepSessionId = z.string().regex(SESSION_ID_PATTERN);

/** Parses a step's input; an input that does not match is a failure no retry will fix. */
export function parseStepInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new StepFailedError(`Step input is not valid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** Reads the step's session (and adds its id to the logs); throws when there is no record. */
export async function requireSession(sessionId: string): Promise<SessionRecord> {
  logSessionId(sessionId);
  const session = await getSession(sessionId);
  if (!session) throw new SessionRecordMissingError(sessionId);
  return session;
}
