/** Player commands: sent to the show's queue, then followed until the controller applied them or they failed. */
import { ApiError, type ApiClient } from '#contract/api-client';
import type { CommandInput } from '#contract/commands';
import type { AcceptedCommandView, CommandView } from '#contract/api-responses';

/** What the console knows of a command while it follows it (the API's view, before the first read of it too). */
export type CommandProgress = Pick<CommandView, 'commandId' | 'type' | 'status' | 'reason'>;

/** How often a queued command is read, and for how long. */
export const COMMAND_POLL_MS = 400;
export const COMMAND_FOLLOW_MS = 120_000;

/** POSTs of one command at most (all under the same Idempotency-Key). */
export const COMMAND_SEND_ATTEMPTS = 4;

/**
 * POSTs a command under one Idempotency-Key (one per click), again while the API did not answer, answered 5xx
 * (its function may have died between recording the command and queueing it) or 409 with Retry-After (a dead
 * attempt still holds the key): every attempt names the same command, so it is queued once (docs/api.md,
 * "Retries and `Idempotency-Key`").
 */
export async function postCommand(
  api: ApiClient,
  sessionId: string,
  command: CommandInput,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<AcceptedCommandView> {
  const idempotencyKey = crypto.randomUUID();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api.call('enqueueCommand', { params: { sessionId }, body: command, idempotencyKey });
    } catch (error) {
      const wait = retryDelayMs(error, attempt);
      if (wait === undefined || attempt >= COMMAND_SEND_ATTEMPTS) throw error;
      await sleep(wait);
    }
  }
}

/** How long to wait before POSTing a command again after `error`; undefined when it must not be sent again. */
function retryDelayMs(error: unknown, attempt: number): number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 409 && error.code === 'CONFLICT' && error.retryAfterSeconds !== undefined) return error.retryAfterSeconds * 1000;
  if (error.status === 0 || error.status >= 500) return 1000 * attempt;
  return undefined;
}

/** Sends a command (idempotent per click) and follows its status, telling each change. */
export async function sendCommand(
  api: ApiClient,
  sessionId: string,
  command: CommandInput,
  onStatus: (view: CommandProgress) => void,
): Promise<CommandProgress> {
  const accepted = await postCommand(api, sessionId, command);
  let view: CommandProgress = { commandId: accepted.commandId, type: command.type, status: accepted.status };
  onStatus(view);
  const deadline = Date.now() + COMMAND_FOLLOW_MS;
  while (view.status === 'QUEUED' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, COMMAND_POLL_MS));
    const next = await api.call('getCommand', { params: { sessionId, commandId: accepted.commandId } });
    if (next.status !== view.status || next.reason !== view.reason) onStatus(next);
    view = next;
  }
  return view;
}

/** ` on the bed` for a command on another deck than the program's. */
function onDeck(deck: string | undefined): string {
  if (!deck || deck === 'program') return '';
  return deck === 'all' ? ' everything' : deck === 'clip' ? ' clips' : ` the ${deck}`;
}

/** `, fade 2 s` when a fade is asked for. */
function fade(label: string, seconds: number | undefined): string {
  return seconds ? `, ${label} ${seconds} s` : '';
}

/** A short description of a command for the log. */
export function describeCommand(command: CommandInput, titleOf: (programId: string) => string): string {
  switch (command.type) {
    case 'PLAY_MEDIA': {
      const where = command.deck === 'bed' ? ' on the bed' : command.deck === 'clip' ? ' as a clip' : '';
      return `Play “${titleOf(command.programId)}”${where}${fade('fade in', command.fadeInSeconds)}${fade('crossfade', command.crossfadeSeconds)}`;
    }
    case 'SEEK_MEDIA':
      return `Seek${onDeck(command.deck)} to ${command.seconds} s`;
    case 'SET_VOLUME':
      return `Volume${onDeck(command.deck)} ${Math.round(command.volume * 100)} %`;
    case 'PAUSE_MEDIA':
      return `Pause${onDeck(command.deck)}${fade('fade out', command.fadeOutSeconds)}`;
    case 'RESUME_MEDIA':
      return `Resume${onDeck(command.deck)}${fade('fade in', command.fadeInSeconds)}`;
    case 'STOP_MEDIA':
      return `Stop${onDeck(command.deck)}${fade('fade out', command.fadeOutSeconds)}`;
    case 'SET_LOUDNESS_NORMALIZATION':
      return command.enabled ? 'Even loudness on' : 'Even loudness off';
    case 'SET_DUCKING': {
      const parts = [command.enabled === undefined ? '' : command.enabled ? ' on' : ' off', command.depthDb === undefined ? '' : ` ${command.depthDb} dB`];
      return `Duck under voices${parts.join('')}${command.decks ? ` (${command.decks.join(', ')})` : ''}`;
    }
    case 'NEXT':
      return 'Next in the running order';
  }
}
