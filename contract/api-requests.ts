/**
 * What the HTTP API accepts: the request bodies and path parameters of its routes (api-routes.ts), as zod
 * schemas the handlers validate with.
 */
import { z } from 'zod';
import { CommandInput, MAX_PROGRAM_URL_LENGTH } from './commands.ts';
import { DuckingSettingsInput } from './ducking.ts';
import { MEDIA_CONTENT_TYPES, MAX_MEDIA_BYTES, MAX_PARTICIPANT_ATTRIBUTES_BYTES, MAX_TRACK_TITLE_LENGTH } from './limits.ts';

/** Bodies. Strict: unknown fields are refused. */
export const CreateSessionBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  /** The show's ducking under voices (contract/ducking.ts); the fields not given keep DEFAULT_DUCKING's. */
  ducking: DuckingSettingsInput.optional(),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const PARTICIPANT_ROLES = ['HOST', 'CALLER'] as const;
export const CreateParticipantTokenBody = z.strictObject({
  role: z.enum(PARTICIPANT_ROLES),
  /** Shown to others on the stage. */
  displayName: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine((s) => Buffer.byteLength(s) <= MAX_PARTICIPANT_ATTRIBUTES_BYTES / 4, 'displayName is too long'),
});
export type CreateParticipantTokenBody = z.infer<typeof CreateParticipantTokenBody>;

export const EnqueueCommandBody = CommandInput;

export const CreateMediaBody = z.strictObject({
  fileName: z.string().trim().min(1).max(200),
  contentType: z.enum(MEDIA_CONTENT_TYPES),
  sizeBytes: z.number().int().min(1).max(MAX_MEDIA_BYTES),
});
export type CreateMediaBody = z.infer<typeof CreateMediaBody>;

/** Body of POST /tracks: a file uploaded through POST /media, registered under a title. */
export const CreateTrackBody = z.strictObject({
  title: z.string().trim().min(1).max(MAX_TRACK_TITLE_LENGTH),
  /** The `programUrl` POST /media answered (`s3://<media bucket>/media/<owner>/...`). */
  programUrl: z.string().min(1).max(MAX_PROGRAM_URL_LENGTH),
  contentType: z.enum(MEDIA_CONTENT_TYPES),
  sizeBytes: z.number().int().min(1).max(MAX_MEDIA_BYTES),
});
export type CreateTrackBody = z.infer<typeof CreateTrackBody>;

/** Path parameters. */
export const SessionPathParams = z.strictObject({
  sessionId: z.uuid(),
});
export const CommandPathParams = z.strictObject({
  sessionId: z.uuid(),
  commandId: z.uuid(),
});
export const TrackPathParams = z.strictObject({
  trackId: z.uuid(),
});
