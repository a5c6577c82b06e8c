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

/** A short description of a command for the log. */
export function describeCommand(command: CommandInput, titleOf: (programId: string) => string): string {
  switch (command.type) {
    case 'PLAY_MEDIA':
      return `Play “${titleOf(command.programId)}”`;
    case 'SEEK_MEDIA':
      return `Seek to ${command.seconds} s`;
    case 'SET_VOLUME':
      return `Volume ${Math.round(command.volume * 100)} %`;
    case 'PAUSE_MEDIA':
      return 'Pause';
    case 'RESUME_MEDIA':
      return 'Resume';
    case 'STOP_MEDIA':
      return 'Stop';
  }
}
