/**
 * Step GoLive: starts the recording composition unless the recorded one is STARTING or ACTIVE, marks the
 * session LIVE (liveAt and endsAt set once, kept across controller replacements), and returns how long
 * OnAir may wait and when the show ends (`endsAt`: OnAir's timeout is the maximum length only at or after it,
 * AWS names a missed heartbeat the same). A composition started after an earlier one stopped (mid-show, e.g.
 * while a controller was replaced) is recorded as one more part of `recordings`: the earlier parts are kept.
 */
import { createHash } from 'node:crypto';
import { ENV } from '#contract/index';
import { getCompositionState } from '#helpers/get-composition-state';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { onAirSecondsLeft, showEndsAt } from '#helpers/on-air-seconds-left';
import { startRecordingComposition, type RecordingConfiguration } from '#helpers/start-recording-composition';
import { SessionEndedError, StepFailedError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { isConditionFailed, markSessionLive, recordComposition } from '../sessions-repository.ts';
import { requireSession } from '../step-input.ts';

const recording: RecordingConfiguration = {
  storageConfigurationArn: getStringFromEnv(ENV.storageConfigurationArn),
  encoderConfigurationArn: getStringFromEnv(ENV.encoderConfigurationArn),
};

const RUNNING_COMPOSITION_STATES = new Set(['STARTING', 'ACTIVE']);

/** StartComposition's idempotency token: the same for retries, new once the previous composition ended. */
const compositionToken = (sessionId: string, previousCompositionArn: string | undefined) =>
  createHash('sha256').update(`${sessionId}|${previousCompositionArn ?? ''}`).digest('hex').slice(0, 64);

/** Goes live; returns `{compositionArn, onAirTimeoutSeconds}`. */
export async function goLive(
  sessionId: string,
  maxShowSeconds: number,
  now: () => Date = () => new Date(),
): Promise<{ compositionArn: string; onAirTimeoutSeconds: number; endsAt: string }> {
  const session = await requireSession(sessionId);
  if (session.endRequested) throw new SessionEndedError(sessionId);
  if (!session.stageArn) throw new StepFailedError(`Session ${sessionId} has no stage recorded.`);
  let compositionArn = session.compositionArn;
  const state = compositionArn ? await getCompositionState(compositionArn) : undefined;
  if (!compositionArn || !state || !RUNNING_COMPOSITION_STATES.has(state)) {
    const started = await startRecordingComposition(sessionId, session.stageArn, recording, compositionToken(sessionId, compositionArn));
    compositionArn = started.compositionArn;
    await recordComposition(sessionId, {
      compositionArn,
      ...(started.recordingPrefix ? { recordingPrefix: started.recordingPrefix } : {}),
      startedAt: now().toISOString(),
    });
    logger.info('Composition started', { compositionArn, recordingPrefix: started.recordingPrefix, part: (session.recordings?.length ?? 0) + 1 });
  } else {
    logger.info('Composition already running', { compositionArn, state });
  }
  const liveAt = now();
  let live;
  try {
    live = await markSessionLive(sessionId, liveAt.toISOString(), showEndsAt(liveAt, maxShowSeconds));
  } catch (error) {
    if (isConditionFailed(error)) throw new SessionEndedError(sessionId);
    throw error;
  }
  const endsAt = live.endsAt ?? showEndsAt(liveAt, maxShowSeconds);
  const onAirTimeoutSeconds = onAirSecondsLeft(endsAt, now());
  logger.info('Session live', { endsAt, onAirTimeoutSeconds });
  return { compositionArn, onAirTimeoutSeconds, endsAt };
}
