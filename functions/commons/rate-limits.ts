/**
 * The API's rate limits (numbers in the contract's limits.ts and routes.ts), kept in the sessions table:
 * commands per session (a token bucket per session), sessions started per host (a token bucket per host),
 * sessions on air per host and across the account (slots; the account's bound is IVS's composition quota),
 * and requests per caller and route (a token bucket per caller and route, see callerRouteRate*). Each check
 * runs before its request changes anything, and a refusal leaves nothing behind.
 */
import {
  ACCOUNT_LIVE_SLOTS_KEY,
  callerRouteRateKey,
  commandRateKey,
  hostLiveSlotsKey,
  COMMANDS_PER_SESSION_BURST,
  COMMANDS_PER_SESSION_PER_SECOND,
  ENV,
  maxLiveSessionsPerAccount,
  MAX_LIVE_SESSIONS_PER_HOST,
  MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY,
  MEDIA_UPLOADS_PER_USER_PER_DAY,
  SESSIONS_PER_HOST_PER_HOUR,
  sessionStartRateKey,
} from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { releaseLiveSessionSlot, takeLiveSessionSlot } from '#helpers/live-session-slots';
import { giveBackRateTokens, takeRateToken, type RateLimit } from '#helpers/take-rate-token';
import { RateLimitedError } from './errors.ts';
import { logger } from './powertools.ts';

const tableName = getStringFromEnv(ENV.sessionsTable);
/** The deployment's IVS composition quota caps the live sessions of the account (one setting, binding compositionQuota). */
const MAX_LIVE_SESSIONS_PER_ACCOUNT = maxLiveSessionsPerAccount(process.env[ENV.compositionQuota]);

/** Seconds a host is told to wait when all its live-session slots are taken. */
export const LIVE_SESSIONS_RETRY_AFTER_SECONDS = 60;

/**
 * Counts one answered request of the caller on the route; answers the seconds until the bucket has a token
 * again when it was spent (the request was not counted), else undefined. A failure to count is logged.
 */
export async function countCallerRouteRequest(callerId: string, routeKey: string, limit: RateLimit): Promise<number | undefined> {
  try {
    const decision = await takeRateToken(tableName, callerRouteRateKey(callerId, routeKey), limit);
    if (decision.allowed) return undefined;
    logger.warn('Caller rate limited', { routeKey, retryAfterSeconds: decision.retryAfterSeconds });
    return decision.retryAfterSeconds;
  } catch (error) {
    logger.warn('Could not count the request against the caller', { routeKey, errorName: (error as Error).name });
    return undefined;
  }
}

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
 * Takes a live-session slot of the host and one of the account, and a session-start token of the host, for a
 * session whose record is already written (the slots rely on it: see live-session-slots.ts). Throws
 * RateLimitedError (429) when one is refused, and then holds none of them; any other failure gives back what
 * was taken too.
 */
export async function reserveSessionStart(hostId: string, sessionId: string): Promise<void> {
  await takeSessionSlots(hostId, sessionId);
  let reserved = false;
  try {
    const decision = await takeRateToken(tableName, sessionStartRateKey(hostId), {
      ratePerSecond: SESSIONS_PER_HOST_PER_HOUR / 3600,
      burst: SESSIONS_PER_HOST_PER_HOUR,
    });
    if (!decision.allowed) {
      logger.warn('Session start rate limited', { retryAfterSeconds: decision.retryAfterSeconds });
      throw new RateLimitedError(`At most ${SESSIONS_PER_HOST_PER_HOUR} sessions per hour per host.`, decision.retryAfterSeconds);
    }
    reserved = true;
  } finally {
    if (!reserved) await releaseSessionSlot(hostId, sessionId);
  }
}

/**
 * Takes a live-session slot of the host and one of the account for a session whose record is already written
 * (a slot the session holds already counts as taken). Throws RateLimitedError (429) when one is refused, and
 * then holds neither; any other failure gives back what was taken too.
 */
export async function takeSessionSlots(hostId: string, sessionId: string): Promise<void> {
  let taken = false;
  try {
    if (!(await takeLiveSessionSlot(tableName, hostLiveSlotsKey(hostId), sessionId, MAX_LIVE_SESSIONS_PER_HOST))) {
      logger.warn('Session start refused: live sessions of the host', { max: MAX_LIVE_SESSIONS_PER_HOST });
      throw new RateLimitedError(`At most ${MAX_LIVE_SESSIONS_PER_HOST} sessions on air per host.`, LIVE_SESSIONS_RETRY_AFTER_SECONDS);
    }
    if (!(await takeLiveSessionSlot(tableName, ACCOUNT_LIVE_SLOTS_KEY, sessionId, MAX_LIVE_SESSIONS_PER_ACCOUNT))) {
      logger.warn('Session start refused: live sessions of the account (IVS composition quota)', { max: MAX_LIVE_SESSIONS_PER_ACCOUNT });
      throw new RateLimitedError(
        `The service has ${MAX_LIVE_SESSIONS_PER_ACCOUNT} shows on air, as many as it can record at once: try again later.`,
        LIVE_SESSIONS_RETRY_AFTER_SECONDS,
      );
    }
    taken = true;
  } finally {
    if (!taken) await releaseSessionSlot(hostId, sessionId);
  }
}

/** Gives a session's live slots back; a failure is logged (the next full check drops finished sessions). */
export async function releaseSessionSlot(hostId: string, sessionId: string): Promise<void> {
  for (const key of [hostLiveSlotsKey(hostId), ACCOUNT_LIVE_SLOTS_KEY]) {
    try {
      await releaseLiveSessionSlot(tableName, key, sessionId);
    } catch (error) {
      logger.warn('Could not release a live-session slot', { slots: key.pk, errorName: (error as Error).name });
    }
  }
}

/** The buckets of a user's uploads: files, and bytes, a day. */
export const mediaUploadsRateKey = (userId: string) => ({ pk: `RATE#USER#${userId}`, sk: 'UPLOADS' });
export const mediaUploadBytesRateKey = (userId: string) => ({ pk: `RATE#USER#${userId}`, sk: 'UPLOAD_BYTES' });

const DAY_SECONDS = 24 * 60 * 60;
const UPLOADS_LIMIT: RateLimit = { ratePerSecond: MEDIA_UPLOADS_PER_USER_PER_DAY / DAY_SECONDS, burst: MEDIA_UPLOADS_PER_USER_PER_DAY };
const UPLOAD_BYTES_LIMIT: RateLimit = { ratePerSecond: MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY / DAY_SECONDS, burst: MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY };

/**
 * Counts an upload of `sizeBytes` against the user's daily quotas (files, then bytes); throws
 * RateLimitedError (429) when either is spent, and then holds neither.
 */
export async function reserveMediaUpload(userId: string, sizeBytes: number): Promise<void> {
  const files = await takeRateToken(tableName, mediaUploadsRateKey(userId), UPLOADS_LIMIT);
  if (!files.allowed) {
    logger.warn('Upload refused: files per day', { retryAfterSeconds: files.retryAfterSeconds });
    throw new RateLimitedError(`At most ${MEDIA_UPLOADS_PER_USER_PER_DAY} uploads a day per user.`, files.retryAfterSeconds);
  }
  const bytes = await takeRateToken(tableName, mediaUploadBytesRateKey(userId), UPLOAD_BYTES_LIMIT, Date.now, sizeBytes);
  if (!bytes.allowed) {
    await giveBackRateTokens(tableName, mediaUploadsRateKey(userId), UPLOADS_LIMIT).catch((error: unknown) =>
      logger.warn('Could not give the upload back', { errorName: (error as Error).name }),
    );
    logger.warn('Upload refused: bytes per day', { retryAfterSeconds: bytes.retryAfterSeconds });
    throw new RateLimitedError(`At most ${MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY} bytes of uploads a day per user.`, bytes.retryAfterSeconds);
  }
}
