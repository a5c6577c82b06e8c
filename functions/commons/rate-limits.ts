/**
 * The API's rate limits (numbers in the contract's limits.ts), kept in the sessions table: commands per
 * session (a token bucket per session), sessions started per host (a token bucket per host) and sessions on
 * air per host (slots). Each check runs before its request writes anything, and a refusal writes nothing.
 */
import {
  commandRateKey,
  COMMANDS_PER_SESSION_BURST,
  COMMANDS_PER_SESSION_PER_SECOND,
  ENV,
  MAX_LIVE_SESSIONS_PER_HOST,
  SESSIONS_PER_HOST_PER_HOUR,
  sessionStartRateKey,
} from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { releaseLiveSessionSlot, takeLiveSessionSlot } from '#helpers/live-session-slots';
import { takeRateToken } from '#helpers/take-rate-token';
import { RateLimitedError } from './errors.ts';
import { logger } from './powertools.ts';

const tableName = getStringFromEnv(ENV.sessionsTable);

/** Seconds a host is told to wait when all its live-session slots are taken. */
export const LIVE_SESSIONS_RETRY_AFTER_SECONDS = 60;

/** Takes a command token of the session; throws RateLimitedError (429) when its bucket is empty. */
export async function assertCommandRate(sessionId: string): Promise<void> {
  const decision = await takeRateToken(tableName, commandRateKey(sessionId), {
    ratePerSecond: COMMANDS_PER_SESSION_PER_SECOND,
    burst: COMMANDS_PER_SESSION_BURST,
  });
  if (!decision.allowed) {
    logger.warn('Command rate limited', { retryAfterSeconds: decision.retryAfterSeconds });
    throw new RateLimitedError(`At most ${COMMANDS_PER_SESSION_PER_SECOND} commands per second per session.`, decision.retryAfterSeconds);
  }
}

/**
 * Takes a live-session slot and a session-start token for the host; throws RateLimitedError (429) when either
 * is refused, and then holds neither.
 */
export async function reserveSessionStart(hostId: string, sessionId: string): Promise<void> {
  if (!(await takeLiveSessionSlot(tableName, hostId, sessionId, MAX_LIVE_SESSIONS_PER_HOST))) {
    logger.warn('Session start refused: live sessions', { max: MAX_LIVE_SESSIONS_PER_HOST });
    throw new RateLimitedError(`At most ${MAX_LIVE_SESSIONS_PER_HOST} sessions on air per host.`, LIVE_SESSIONS_RETRY_AFTER_SECONDS);
  }
  const decision = await takeRateToken(tableName, sessionStartRateKey(hostId), {
    ratePerSecond: SESSIONS_PER_HOST_PER_HOUR / 3600,
    burst: SESSIONS_PER_HOST_PER_HOUR,
  });
  if (!decision.allowed) {
    await releaseSessionSlot(hostId, sessionId);
    logger.warn('Session start rate limited', { retryAfterSeconds: decision.retryAfterSeconds });
    throw new RateLimitedError(`At most ${SESSIONS_PER_HOST_PER_HOUR} sessions per hour per host.`, decision.retryAfterSeconds);
  }
}

/** Gives a session's live slot back; a failure is logged (the next full check drops finished sessions). */
export async function releaseSessionSlot(hostId: string, sessionId: string): Promise<void> {
  try {
    await releaseLiveSessionSlot(tableName, hostId, sessionId);
  } catch (error) {
    logger.warn('Could not release the live-session slot', { errorName: (error as Error).name });
  }
}
