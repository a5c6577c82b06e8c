/**
 * The local stage: the stand-in for IVS real-time's media and events planes.
 *
 * - The web SDK joins as on IVS (`stage-endpoint.ts`, mounted by the gateway under `/_stage/`): the events
 *   WebSocket at the token's `events_url` (`stage-events.ts`: STAGE_STATE snapshots, SET_STATE, PING/PONG,
 *   JOIN_ERROR, DISCONNECT), publish and subscribe under its `whip_url` (`stage-media.ts`: werift peers that
 *   receive a publisher's tracks and forward them to subscribers). Encoders publish with plain WHIP
 *   (`POST <whip_url>`). `StageParticipants` keeps who is on each stage (`snapshot(stageArn)`) and hands the
 *   audio of every publication to whoever records the stage.
 * - Recording: `StageCompositionRecorder` (the gateway's `CompositionRecorder`) mixes every audio track of
 *   a stage on a wall-clock timeline and writes AAC HLS plus IVS's event files under the recording prefix.
 * - The episode: `exportRecordingAsEpisode` turns a finished recording into one m4a or mp3 file.
 *
 * LIMITATIONS (differences from IVS):
 * - The events protocol is IVS's as the web SDK 1.41.0 speaks it (undocumented; read from the bundle and
 *   checked by a test that runs it): no `xdp` (SDP over the socket), no subscriber counts, reassignments,
 *   token exchange or simulcast layers; a subscription forwards what its publisher sends (one layer).
 * - Non-trickle only: PATCH (trickle ICE, ICE restart) answers 405. ICE uses loopback UDP host candidates
 *   only (no STUN/TURN, no TCP, no IPv6), so participants must run on this machine.
 * - Video (H264 or VP8) is forwarded to subscribers and counted, never decoded, mixed or recorded.
 * - The recording is audio only: one rendition named `audio` (IVS: `<preset>-<encoder configuration id>`),
 *   fMP4 segments of about 2 s, no thumbnails; encoder configurations and layouts are ignored.
 * - A track is placed on the timeline by its RTP timestamps, anchored on its least delayed packets; once it
 *   has settled, the anchor moves earlier only for 40 ms or more (so a track never overlaps itself by a few
 *   ms, a click), so a track may sit up to that much later than it was sent. The mix runs 200 ms behind the
 *   wall clock; a packet later than that is dropped.
 * - A composition does not stop by itself after 60 s without publishers (the control plane may do that).
 * - A second publication of the same participant replaces the first; a second events connection with the
 *   same token disconnects the first with TOKEN_REUSED.
 * - After a crash, what ffmpeg had not finished (at most one segment) is lost, and the crashed recording's
 *   work directory is left in the temp dir. A restarted composition continues the same playlist after
 *   `#EXT-X-DISCONTINUITY`; one closed by `recoverUnfinished()` gets `events/recording-failed.json`.
 */
export type { StageParticipantClaims, VerifyParticipantToken, TokenRejectionReason } from './participant-claims.ts';
export { StageEndpoint, MAX_OFFER_BYTES, EVENTS_SUB_PATH, SDK_REQUEST_HEADERS, type StageRequestHandler, type StageEndpointOptions } from './stage-endpoint.ts';
export { MAX_PUBLISHERS_PER_STAGE } from './stage-media.ts';
export { startStageServer, stageSubPath, STAGE_MOUNT_PATH, type StageServer } from './stage-server.ts';
export {
  StageParticipants,
  type StagePublication,
  type StagePresence,
  type ParticipantSnapshot,
  type AudioRtpPacket,
  type UnpublishReason,
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
