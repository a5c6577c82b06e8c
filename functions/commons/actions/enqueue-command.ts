/** Accepting a host's command: checked, recorded QUEUED, then put on the session's FIFO queue. */
import { randomUUID } from 'node:crypto';
import { ENV, SHOW_ENDED_COMMAND_REASON, type AcceptedCommandView, type CommandInput } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { sendCommandMessage } from '#helpers/send-command-message';
import { failQueuedCommand, markCommandFailed, putNewCommand } from '../commands-repository.ts';
import { assertMediaUrlAllowed } from '../assert-media-url-allowed.ts';
import { SessionNotActiveError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { assertCommandRate } from '../rate-limits.ts';
import { getOwnedSession, getSessionStatus } from '../sessions-repository.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

/** Statuses in which commands are accepted (STARTING ones wait on the queue for the controller). */
const COMMANDABLE_STATUSES = new Set(['STARTING', 'LIVE']);

/** Statuses after which no command of the session will ever be applied. */
const FINISHED_STATUSES = new Set(['ENDED', 'FAILED']);

/**
 * Checks the session's command rate (429), records the command and sends it; a failed send marks it FAILED.
 * Teardown settles the commands still QUEUED after it has recorded the end, so a command recorded while the
 * show was being torn down is settled here when the session is found finished after it was sent: either way
 * no command stays QUEUED.
 */
export async function enqueueCommand(request: { sessionId: string; hostId: string; command: CommandInput }): Promise<AcceptedCommandView> {
  if (request.command.type === 'PLAY_MEDIA') assertMediaUrlAllowed(request.command.programUrl, request.hostId, mediaBucket);
  const session = await getOwnedSession(request.sessionId, request.hostId);
  if (!COMMANDABLE_STATUSES.has(session.status) || !session.queueUrl) {
    throw new SessionNotActiveError('The session does not accept commands now.');
  }
  await assertCommandRate(request.sessionId);
  const commandId = randomUUID();
  const acceptedAt = new Date().toISOString();
  await putNewCommand({ sessionId: request.sessionId, commandId, command: request.command, status: 'QUEUED', acceptedAt });
  try {
    await sendCommandMessage(session.queueUrl, { kind: 'COMMAND', sessionId: request.sessionId, commandId, acceptedAt, command: request.command });
  } catch (error) {
    await markCommandFailed(request.sessionId, commandId, 'The command could not be queued.').catch(() => undefined);
    throw error;
  }
  if (FINISHED_STATUSES.has((await getSessionStatus(request.sessionId)) ?? 'ENDED')) {
    const settled = await failQueuedCommand(request.sessionId, commandId, SHOW_ENDED_COMMAND_REASON);
    logger.warn('Command accepted as the show ended; settled FAILED', { commandId, settled });
    return { commandId, status: 'FAILED' };
  }
  logger.info('Command queued', { commandId, commandType: request.command.type });
  return { commandId, status: 'QUEUED' };
}
