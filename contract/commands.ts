/**
 * The media command schema: what POST /sessions/{id}/commands accepts and what travels on a session's
 * command queue to its controller. Validated with zod at the API and again by the controller.
 */
import { z } from 'zod';
import { DECKS, MAX_FADE_SECONDS, SEEKABLE_DECKS } from './decks.ts';
import { DuckingSettingsInput } from './ducking.ts';

export const COMMAND_TYPES = [
  'PLAY_MEDIA',
  'PAUSE_MEDIA',
  'RESUME_MEDIA',
  'STOP_MEDIA',
  'SEEK_MEDIA',
  'SET_VOLUME',
  'SET_LOUDNESS_NORMALIZATION',
  'SET_DUCKING',
  'NEXT',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** Longest programId and programUrl accepted. */
export const MAX_PROGRAM_ID_LENGTH = 128;
export const MAX_PROGRAM_URL_LENGTH = 2048;

const programId = z
  .string()
  .min(1)
  .max(MAX_PROGRAM_ID_LENGTH)
  .regex(/^[A-Za-z0-9._:-]+$/, 'programId may hold letters, digits and . _ : - only');

/** The deck a command is for (default `program`). */
const deck = z.enum(DECKS).optional();
/** A fade's length in seconds (0 to MAX_FADE_SECONDS). */
const fadeSeconds = z.number().finite().min(0).max(MAX_FADE_SECONDS).optional();

export const PlayMediaCommand = z.strictObject({
  type: z.literal('PLAY_MEDIA'),
  programId,
  programUrl: z.string().min(1).max(MAX_PROGRAM_URL_LENGTH),
  /** Optional start offset in seconds. */
  startAtSeconds: z.number().finite().min(0).optional(),
  deck,
  /** Fades the track in from silence. */
  fadeInSeconds: fadeSeconds,
  /** When a track plays on the same deck: it fades out while this one fades in, over this long. */
  crossfadeSeconds: fadeSeconds,
});
export const PauseMediaCommand = z.strictObject({ type: z.literal('PAUSE_MEDIA'), deck, fadeOutSeconds: fadeSeconds });
export const ResumeMediaCommand = z.strictObject({ type: z.literal('RESUME_MEDIA'), deck, fadeInSeconds: fadeSeconds });
export const StopMediaCommand = z.strictObject({
  type: z.literal('STOP_MEDIA'),
  /** `all` stops every deck. */
  deck: z.enum([...DECKS, 'all']).optional(),
  fadeOutSeconds: fadeSeconds,
});
export const SeekMediaCommand = z.strictObject({
  type: z.literal('SEEK_MEDIA'),
  seconds: z.number().finite().min(0),
  deck: z.enum(SEEKABLE_DECKS).optional(),
});
export const SetVolumeCommand = z.strictObject({
  type: z.literal('SET_VOLUME'),
  volume: z.number().finite().min(0).max(1),
  deck,
});
/** Switches loudness normalisation (every track at TARGET_LOUDNESS_LUFS) on or off for the show; on by default. */
export const SetLoudnessNormalizationCommand = z.strictObject({
  type: z.literal('SET_LOUDNESS_NORMALIZATION'),
  enabled: z.boolean(),
});

/**
 * Switches ducking under voices (contract/ducking.ts) on or off, or changes its depth or decks, live: the
 * fields given replace those in force (at least one). Switched off while a deck is ducked, it comes back at once
 * (with the release).
 */
export const SetDuckingCommand = DuckingSettingsInput.extend({ type: z.literal('SET_DUCKING') }).refine(
  (command) => command.enabled !== undefined || command.depthDb !== undefined || command.decks !== undefined,
  { message: 'SET_DUCKING names nothing to change (enabled, depthDb or decks)' },
);

/**
 * Plays the run-of-show's next item (contract/run-of-show.ts) with its deck and fades; FAILED when the list
 * has no next item.
 */
export const NextCommand = z.strictObject({ type: z.literal('NEXT') });

/** A command as the host sends it. */
export const CommandInput = z.discriminatedUnion('type', [
  PlayMediaCommand,
  PauseMediaCommand,
  ResumeMediaCommand,
  StopMediaCommand,
  SeekMediaCommand,
  SetVolumeCommand,
  SetLoudnessNormalizationCommand,
  SetDuckingCommand,
  NextCommand,
]);
export type CommandInput = z.infer<typeof CommandInput>;

/**
 * The reason of a command that was still QUEUED when its show ended (Teardown settles it, or the API when the
 * command was accepted while the show was being torn down): every command ends APPLIED or FAILED.
 */
export const SHOW_ENDED_COMMAND_REASON = 'the show ended before the command was applied';

/** Command lifecycle as the session record reports it. */
export const COMMAND_STATUSES = ['QUEUED', 'APPLIED', 'FAILED'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Message kinds on a session queue. */
export const QUEUE_MESSAGE_KINDS = ['COMMAND', 'CALLBACK'] as const;

/** FIFO message groups: commands are ordered among themselves; callbacks never wait behind a command. */
export const COMMAND_MESSAGE_GROUP = 'commands';
export const CALLBACK_MESSAGE_GROUP = 'callbacks';

/** A command on the queue: the host's command plus the ids the controller reports against. */
export const CommandMessage = z.strictObject({
  kind: z.literal('COMMAND'),
  sessionId: z.string().min(1),
  commandId: z.string().min(1),
  acceptedAt: z.string(),
  command: CommandInput,
});
export type CommandMessage = z.infer<typeof CommandMessage>;

/** Which callback state a token belongs to. */
export const CALLBACK_KINDS = ['READY', 'ON_AIR'] as const;
export type CallbackKind = (typeof CALLBACK_KINDS)[number];

/** A task token sent by the state machine (sqs:sendMessage.waitForTaskToken). */
export const CallbackMessage = z.strictObject({
  kind: z.literal('CALLBACK'),
  callback: z.enum(CALLBACK_KINDS),
  sessionId: z.string().min(1),
  taskToken: z.string().min(1),
});
export type CallbackMessage = z.infer<typeof CallbackMessage>;

export const QueueMessage = z.discriminatedUnion('kind', [CommandMessage, CallbackMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;
