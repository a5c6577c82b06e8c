/**
 * Accepting a host's command: checked, recorded QUEUED, then put on the session's FIFO queue.
 *
 * A process can die between the record and the send (a crash, a timeout). With an Idempotency-Key the
 * command's id is derived from the request (keyed-ids.ts), so the host's retry finds the record the dead
 * attempt left: still QUEUED with the same command, it is sent again (the FIFO queue drops a second copy of a
 * message with the same deduplication id, the command id, within 5 minutes, and the controller never applies a
 * command whose record already has a result) and answered as the first attempt would have been; one that has
 * a result (APPLIED, FAILED) is answered as it is. Without a key, a command left QUEUED by a dead process is
 * settled FAILED by Teardown at the show's end at the latest.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  ENV,
  SHOW_ENDED_COMMAND_REASON,
  type AcceptedCommandView,
  type CommandInput,
  type CommandRecord,
  type SessionRecord,
} from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isConditionFailed } from '#helpers/is-condition-failed';
import { sendCommandMessage } from '#helpers/send-command-message';
import { commandIdFor } from '../keyed-ids.ts';
import { failQueuedCommand, getCommandRecord, markCommandFailed, putNewCommand } from '../commands-repository.ts';
import { assertMediaUrlAllowed } from '../assert-media-url-allowed.ts';
import { ConflictError, SessionNotActiveError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { assertCommandRate } from '../rate-limits.ts';
import { getOwnedSession, getSessionStatus } from '../sessions-repository.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

/** Statuses in which commands are accepted (STARTING ones wait on the queue for the controller). */
const COMMANDABLE_STATUSES = new Set(['STARTING', 'LIVE']);

/** Statuses after which no command of the session will ever be applied. */
const FINISHED_STATUSES = new Set(['ENDED', 'FAILED']);

/** A host's command request; `idempotencyKey` is the request's Idempotency-Key header, when it has one. */
export interface EnqueueCommandRequest {
  sessionId: string;
  hostId: string;
  command: CommandInput;
  idempotencyKey?: string;
}

/**
 * Checks the session's command rate (429), records the command and sends it; a failed send marks it FAILED.
 * Teardown settles the commands still QUEUED after it has recorded the end, so a command recorded while the
 * show was being torn down is settled here when the session is found finished after it was sent: either way
 * no command stays QUEUED. A keyed request whose command is already recorded goes on from that record.
 */
export async function enqueueCommand(request: EnqueueCommandRequest): Promise<AcceptedCommandView> {
  if (request.command.type === 'PLAY_MEDIA') assertMediaUrlAllowed(request.command.programUrl, request.hostId, mediaBucket);
  const session = await getOwnedSession(request.sessionId, request.hostId);
  const commandId = commandIdFor(request);
  if (request.idempotencyKey !== undefined) {
    const earlier = await getCommandRecord(request.sessionId, commandId);
    if (earlier) return resumeRecordedCommand(session, earlier, request.command);
  }
  if (!COMMANDABLE_STATUSES.has(session.status) || !session.queueUrl) {
    throw new SessionNotActiveError('The session does not accept commands now.');
  }
  await assertCommandRate(request.sessionId);
  const record: CommandRecord = { sessionId: request.sessionId, commandId, command: request.command, status: 'QUEUED', acceptedAt: new Date().toISOString() };
  try {
    await putNewCommand(record);
  } catch (error) {
    // Only a keyed id can be taken: by an attempt with the same key that got there first.
    const earlier = request.idempotencyKey !== undefined && isConditionFailed(error) ? await getCommandRecord(request.sessionId, commandId) : undefined;
    if (earlier) return resumeRecordedCommand(session, earlier, request.command);
    throw error;
  }
  return sendRecordedCommand(session.queueUrl, record);
}

/**
 * A keyed request whose command an earlier attempt recorded: another command under the same key is a 409; a
 * command with a result is answered as it is; one still QUEUED is sent again while the show takes commands,
 * settled FAILED when the show is over, and left to Teardown (which settles it) while the show is ending.
 */
async function resumeRecordedCommand(session: SessionRecord, record: CommandRecord, command: CommandInput): Promise<AcceptedCommandView> {
  if (!sameCommand(record.command, command)) {
    throw new ConflictError('The Idempotency-Key was already used with a different request.');
  }
  if (record.status !== 'QUEUED') return { commandId: record.commandId, status: record.status };
  if (COMMANDABLE_STATUSES.has(session.status) && session.queueUrl) {
    logger.warn('Command found QUEUED by a retry; sending it again', { commandId: record.commandId });
    return sendRecordedCommand(session.queueUrl, record);
  }
  if (FINISHED_STATUSES.has(session.status)) return settleAsShowEnded(record);
  return { commandId: record.commandId, status: 'QUEUED' };
}

/** Sends a recorded command; FAILED if the queue refuses it, or if the show turns out to be over meanwhile. */
async function sendRecordedCommand(queueUrl: string, record: CommandRecord): Promise<AcceptedCommandView> {
  const { sessionId, commandId, acceptedAt, command } = record;
  try {
    await sendCommandMessage(queueUrl, { kind: 'COMMAND', sessionId, commandId, acceptedAt, command });
  } catch (error) {
    await markCommandFailed(sessionId, commandId, 'The command could not be queued.').catch(() => undefined);
    throw error;
  }
  if (FINISHED_STATUSES.has((await getSessionStatus(sessionId)) ?? 'ENDED')) return settleAsShowEnded(record);
  logger.info('Command queued', { commandId, commandType: command.type });
  return { commandId, status: 'QUEUED' };
}

/** Settles a command of a finished show FAILED (unless it has a result already). */
async function settleAsShowEnded(record: CommandRecord): Promise<AcceptedCommandView> {
  const settled = await failQueuedCommand(record.sessionId, record.commandId, SHOW_ENDED_COMMAND_REASON);
  logger.warn('Command accepted as the show ended; settled FAILED', { commandId: record.commandId, settled });
  if (settled) return { commandId: record.commandId, status: 'FAILED' };
  // The controller settled it first: answer what it recorded.
  const current = await getCommandRecord(record.sessionId, record.commandId);
  return { commandId: record.commandId, status: current?.status ?? 'FAILED' };
}

/** Whether two commands are the same request (as JSON: the stored copy has no undefined fields, and no key order). */
function sameCommand(a: CommandInput, b: CommandInput): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
