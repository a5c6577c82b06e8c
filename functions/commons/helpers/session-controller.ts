/**
 * Whether a session still has a given controller task as its own: the one rule controller-stopped (is this
 * stop the session's to answer?) and the warm pool's refill (is this stopped claim's record still needed?)
 * both read a session by.
 */
import { ACTIVE_SESSION_STATUSES, type SessionRecord } from '#contract/index';

/** Why `session` does not (or no longer) name `taskArn` as its controller while active; undefined when it does. */
export function whyNotSessionsController(session: Pick<SessionRecord, 'taskArn' | 'status'> | undefined, taskArn: string | undefined): string | undefined {
  if (!session) return 'no such session';
  if (taskArn === undefined || session.taskArn !== taskArn) return 'not the current controller task';
  if (!ACTIVE_SESSION_STATUSES.includes(session.status)) return `session is ${session.status}`;
  return undefined;
}
