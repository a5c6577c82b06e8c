/**
 * The local stage: the stand-in for IVS real-time's media plane.
 *
 * - Publishing: participants publish over WHIP (`POST <base>/whip`, the participant token as bearer, an SDP
 *   offer with Opus audio and optionally H264/VP8 video) to a werift peer connection. The gateway mounts
 *   `WhipEndpoint.handle` under `/_stage/`; `startStageServer` runs it alone. `StageParticipants` keeps who is
 *   on each stage (`listParticipants(stageArn)`, events `participantJoined` / `participantLeft` /
 *   `participantStateChanged`) and hands their audio packets to subscribers.
 * - Recording: `StageCompositionRecorder` (the gateway's `CompositionRecorder`) mixes every audio track of
 *   a stage on a wall-clock timeline and writes AAC HLS plus IVS's event files under the recording prefix.
 * - The episode: `exportRecordingAsEpisode` turns a finished recording into one m4a or mp3 file.
 *
 * LIMITATIONS (differences from IVS):
 * - Publish only: there is no subscribing (no WHEP, no SFU forwarding); `allow_subscribe` is ignored.
 * - No events WebSocket (`events_url`): the IVS web SDK cannot join a local stage, only WHIP publishers can.
 * - Non-trickle WHIP only: PATCH (trickle ICE, ICE restart) answers 405. ICE uses loopback UDP host
 *   candidates only (no STUN/TURN, no TCP, no IPv6), so publishers must run on this machine.
 * - IVS refuses offers without H264 video; the local stage accepts audio-only offers and H264 or VP8 video.
 *   Video is counted, never decoded, mixed or recorded.
 * - The recording is audio only: one rendition named `audio` (IVS: `<preset>-<encoder configuration id>`),
 *   fMP4 segments of about 2 s, no thumbnails; encoder configurations and layouts are ignored.
 * - A track is placed on the timeline by its RTP timestamps, anchored on its least delayed packets; once it
 *   has settled, the anchor moves earlier only for 40 ms or more (so a track never overlaps itself by a few
 *   ms, a click), so a track may sit up to that much later than it was sent. The mix runs 200 ms behind the
 *   wall clock; a packet later than that is dropped.
 * - A composition does not stop by itself after 60 s without publishers (the control plane may do that).
 * - Participant ids are unique per publication: a second publication of the same participant replaces the
 *   first (IVS disconnects the earlier session too).
 * - After a crash, what ffmpeg had not finished (at most one segment) is lost, and the crashed recording's
 *   work directory is left in the temp dir. A restarted composition continues the same playlist after
 *   `#EXT-X-DISCONTINUITY`; one closed by `recoverUnfinished()` gets `events/recording-failed.json`.
 */
export type { StageParticipantClaims, VerifyParticipantToken } from './participant-claims.ts';
export { WhipEndpoint, MAX_OFFER_BYTES, type StageRequestHandler, type WhipEndpointOptions } from './whip-endpoint.ts';
export { startStageServer, STAGE_MOUNT_PATH, type StageServer } from './stage-server.ts';
export {
  StageParticipants,
  type StageParticipant,
  type AudioRtpPacket,
  type LeaveReason,
  type ParticipantConnectionState,
} from './stage-participants.ts';
export { StageCompositionRecorder, DEFAULT_RENDITION_PATH, type StageCompositionRecorderOptions } from './composition-recorder.ts';
export { s3RecordingStore, recordingKey, type RecordingObjectStore } from './recording-store.ts';
export {
  exportRecordingAsEpisode,
  EPISODE_CONTENT_TYPES,
  RecordingNotFoundError,
  RecordingNotFinishedError,
  EpisodeExportError,
  type Episode,
  type EpisodeFormat,
} from './recording-episode.ts';
