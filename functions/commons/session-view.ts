/** What the API shows of a session and of a command: no tokens, no internal handles. */
import { DEFAULT_DUCKING, END_REASONS, type CommandRecord, type CommandView, type SessionRecord, type SessionView } from '#contract/index';

/** The public view of a session. */
export function sessionView(session: SessionRecord): SessionView {
  return {
    sessionId: session.sessionId,
    title: session.title,
    status: session.status,
    ...(session.reason ? { reason: session.reason, reasonMessage: END_REASONS[session.reason] } : {}),
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    ...(session.liveAt ? { liveAt: session.liveAt } : {}),
    ...(session.endsAt ? { endsAt: session.endsAt } : {}),
    ...(session.endedAt ? { endedAt: session.endedAt } : {}),
    ...(session.stageArn ? { stageArn: session.stageArn } : {}),
    ...(session.nowPlaying ? { nowPlaying: session.nowPlaying } : {}),
    ducking: session.nowPlaying?.decks?.ducking ?? session.ducking ?? DEFAULT_DUCKING,
    controllerRestarts: session.controllerRestarts ?? 0,
  };
}

/** The public view of a command. */
export function commandView(command: CommandRecord): CommandView {
  return {
    commandId: command.commandId,
    type: command.command.type,
    status: command.status,
    ...(command.reason ? { reason: command.reason } : {}),
    acceptedAt: command.acceptedAt,
    ...(command.appliedAt ? { appliedAt: command.appliedAt } : {}),
  };
}
