/** Player commands: sent to the show's queue, then followed until the controller applied them or they failed. */
import type { ApiClient } from '#contract/api-client';
import type { CommandInput } from '#contract/commands';
import type { CommandView } from '#contract/api-responses';

/** What the console knows of a command while it follows it (the API's view, before the first read of it too). */
export type CommandProgress = Pick<CommandView, 'commandId' | 'type' | 'status' | 'reason'>;

/** How often a queued command is read, and for how long. */
export const COMMAND_POLL_MS = 400;
export const COMMAND_FOLLOW_MS = 120_000;

/** Sends a command (idempotent per click) and follows its status, telling each change. */
export async function sendCommand(
  api: ApiClient,
  sessionId: string,
  command: CommandInput,
  onStatus: (view: CommandProgress) => void,
): Promise<CommandProgress> {
  const accepted = await api.call('enqueueCommand', { params: { sessionId }, body: command, idempotencyKey: crypto.randomUUID() });
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
