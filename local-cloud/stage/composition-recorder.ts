/**
 * The local stage's composition recorder (the gateway's `CompositionRecorder`): on start it mixes every audio
 * track published to the stage on a wall-clock timeline, encodes the mix with ffmpeg to AAC HLS (2 s
 * segments) and uploads each finished segment, then the rendition playlist, to IVS's layout under the
 * recording prefix; stop flushes, ends the playlist and writes `events/recording-ended.json`.
 * The decoding, the mixing and ffmpeg's input run in a worker thread per recording (composition-mix.ts); the
 * uploads and the journal stay here.
 *
 * Durability: S3 only ever references uploaded segments, so a crash loses at most the segment in progress.
 * Active recordings are listed in a journal (`<journalDir>/recordings.json`). After a restart, `start` of the
 * same composition resumes the same playlist as a new part after `#EXT-X-DISCONTINUITY`; `recoverUnfinished()`
 * (and `stop` of a composition this process did not start) closes a journaled recording with what was
 * uploaded: `#EXT-X-ENDLIST` and `events/recording-failed.json` (RECORDING_ENDED_WITH_FAILURE).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompositionRecorder } from '../gateway/internal.ts';
import type { AudioDecoderFactory } from './audio-format.ts';
import { AAC_BITRATE, finishedSegments, type FfmpegHlsEncoderOptions } from './ffmpeg-hls-encoder.ts';
import {
  parseRenditionPlaylist,
  playlistDurationMs,
  renderMultivariantPlaylist,
  renderRenditionPlaylist,
  type HlsPart,
  type RenditionPlaylist,
} from './hls-playlist.ts';
import {
  HLS_PATH,
  MULTIVARIANT_PLAYLIST,
  RECORDING_ENDED_KEY,
  RECORDING_FAILED_KEY,
  RECORDING_STARTED_KEY,
  RENDITION_PLAYLIST,
  recordingMetadata,
  type RecordingMetadata,
} from './recording-metadata.ts';
import { recordingKey, type RecordingObjectStore } from './recording-store.ts';
import type { StageParticipants } from './stage-participants.ts';
import { DEFAULT_PLAYOUT_DELAY_MS } from './wall-clock-mixer.ts';
import { FRAME_MS } from './audio-format.ts';
import { createCompositionMix, type CompositionMix } from './composition-mix.ts';

/** Name of the recording's only rendition (IVS names video renditions `<preset>-<encoder id>`). */
export const DEFAULT_RENDITION_PATH = 'audio';
export const DEFAULT_SEGMENT_SECONDS = 2;
const DEFAULT_POLL_INTERVAL_MS = 500;

type StartArgs = Parameters<CompositionRecorder['start']>[0];

export interface StageCompositionRecorderOptions {
  participants: StageParticipants;
  store: RecordingObjectStore;
  /** Keeps the list of unfinished recordings; without it nothing can be closed after a crash. */
  journalDir?: string;
  /** Parent of the per-recording work directories (default: the OS temp dir). */
  workDir?: string;
  ffmpegPath?: string;
  renditionPath?: string;
  segmentSeconds?: number;
  playoutDelayMs?: number;
  pollIntervalMs?: number;
  /** Decodes on the recorder's thread (tests' synthetic PCM); without it, each mix runs in a worker with Opus. */
  decoderFactory?: AudioDecoderFactory;
  now?: () => number;
  onError?: (message: string, error: unknown) => void;
}

interface ActiveRecording {
  args: StartArgs;
  startedAt: Date;
  dir: string;
  /** The mix and its ffmpeg (in a worker thread unless the options give a decoder). */
  mixer: CompositionMix;
  playlist: RenditionPlaylist;
  part: HlsPart;
  /** Segments of this part already uploaded. */
  uploaded: number;
  unsubscribe: () => void;
  mixTimer: NodeJS.Timeout;
  pollTimer: NodeJS.Timeout;
  /** Upload steps run one after the other. */
  uploads: Promise<void>;
}

/** The composition recorder of the local stage. */
export class StageCompositionRecorder implements CompositionRecorder {
  private readonly active = new Map<string, ActiveRecording>();
  private readonly starting = new Map<string, Promise<void>>();
  private readonly renditionPath: string;

  constructor(private readonly options: StageCompositionRecorderOptions) {
    this.renditionPath = options.renditionPath ?? DEFAULT_RENDITION_PATH;
  }

  /** Starts (or, after a restart, resumes) recording a composition. Idempotent while it records. */
  async start(args: StartArgs): Promise<void> {
    if (this.active.has(args.compositionArn)) return;
    const pending = this.starting.get(args.compositionArn);
    if (pending) return pending;
    const starting = this.begin(args).finally(() => this.starting.delete(args.compositionArn));
    this.starting.set(args.compositionArn, starting);
    return starting;
  }

  /** Stops a recording: flushes the mix, uploads the last segment, ends the playlist, writes recording-ended.json. */
  async stop(compositionArn: string): Promise<void> {
    await this.starting.get(compositionArn)?.catch(() => undefined);
    const recording = this.active.get(compositionArn);
    if (!recording) {
      const journaled = this.readJournal()[compositionArn];
      if (journaled) await this.closeFromStore(compositionArn, journaled);
      return;
    }
    this.active.delete(compositionArn);
    clearInterval(recording.mixTimer);
    clearInterval(recording.pollTimer);
    recording.unsubscribe();
    let encoderError: unknown;
    try {
      // What waits in the jitter buffers was published before now: render it too.
      await recording.mixer.finish(this.now() + (this.options.playoutDelayMs ?? DEFAULT_PLAYOUT_DELAY_MS));
    } catch (error) {
      encoderError = error;
      recording.mixer.kill();
    }
    try {
      await this.enqueueUpload(recording);
      recording.playlist.ended = true;
      const { args } = recording;
      await this.putPlaylist(args, recording.playlist);
      const metadata = recordingMetadata({
        stageArn: args.stageArn,
        renditionPath: this.renditionPath,
        status: encoderError ? 'RECORDING_ENDED_WITH_FAILURE' : 'RECORDING_ENDED',
        startedAt: recording.startedAt,
        endedAt: new Date(this.now()),
        durationMs: playlistDurationMs(recording.playlist),
        message: encoderError ? 'The encoder failed; the recording holds the segments finished before' : 'Recording ended',
      });
      await this.putJson(args, encoderError ? RECORDING_FAILED_KEY : RECORDING_ENDED_KEY, metadata);
      this.updateJournal((journal) => delete journal[compositionArn]);
    } finally {
      await rm(recording.dir, { recursive: true, force: true });
    }
    if (encoderError) throw encoderError;
  }

  /** Closes, with what was uploaded, every journaled recording this process is not recording. Returns their ARNs. */
  async recoverUnfinished(): Promise<string[]> {
    const closed: string[] = [];
    for (const [arn, args] of Object.entries(this.readJournal())) {
      if (this.active.has(arn) || this.starting.has(arn)) continue;
      await this.closeFromStore(arn, args);
      closed.push(arn);
    }
    return closed;
  }

  /** ARNs of the compositions being recorded. */
  recordingArns(): string[] {
    return [...this.active.keys()];
  }

  /** Process ids of the running ffmpeg encoders. */
  encoderPids(): number[] {
    return [...this.active.values()].flatMap((r) => (r.mixer.encoderPid === undefined ? [] : [r.mixer.encoderPid]));
  }

  /** Stops every recording (each ends as with stop); no ffmpeg is left running. */
  async close(): Promise<void> {
    await Promise.all([...this.starting.values()].map((p) => p.catch(() => undefined)));
    const results = await Promise.allSettled([...this.active.keys()].map((arn) => this.stop(arn)));
    for (const result of results) if (result.status === 'rejected') this.options.onError?.('A recording did not stop cleanly', result.reason);
  }

  private async begin(args: StartArgs): Promise<void> {
    const existing = await this.readPlaylist(args);
    const startedMeta = await this.readJson(args, RECORDING_STARTED_KEY);
    const startMs = this.now();
    const startedAt = startedMeta?.recording_started_at ? new Date(startedMeta.recording_started_at) : new Date(startMs);
    const playlist: RenditionPlaylist = { parts: existing?.parts ?? [], ended: false };
    const partIndex = playlist.parts.length;
    const startNumber = playlist.parts.reduce((n, p) => n + p.segments.length, 0);
    const part: HlsPart = { initUri: `init-${partIndex}.mp4`, programDateTime: new Date(startMs).toISOString(), segments: [] };
    playlist.parts.push(part);

    const dir = await mkdtemp(join(this.options.workDir ?? tmpdir(), 'stage-recording-'));
    const encoder: FfmpegHlsEncoderOptions = {
      ffmpegPath: this.options.ffmpegPath ?? 'ffmpeg',
      dir,
      startNumber,
      initName: part.initUri,
      segmentSeconds: this.options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS,
    };
    try {
      this.updateJournal((journal) => (journal[args.compositionArn] = args));
      if (!startedMeta) {
        await this.putJson(args, RECORDING_STARTED_KEY, recordingMetadata({ stageArn: args.stageArn, renditionPath: this.renditionPath, status: 'RECORDING_STARTED', startedAt }));
      }
      await this.options.store.put(
        args.bucketName,
        recordingKey(args.recordingPrefix, `${HLS_PATH}/${MULTIVARIANT_PLAYLIST}`),
        renderMultivariantPlaylist(`${this.renditionPath}/${RENDITION_PLAYLIST}`, Math.round(AAC_BITRATE * 1.1)),
        'application/vnd.apple.mpegurl',
      );
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }

    const mixer = createCompositionMix({
      startMs,
      playoutDelayMs: this.options.playoutDelayMs,
      encoder,
      decoderFactory: this.options.decoderFactory,
      onError: this.options.onError,
    });
    const unsubscribe = this.options.participants.subscribeAudio(
      args.stageArn,
      (trackId, packet) => mixer.push(trackId, packet),
      (trackId) => mixer.endTrack(trackId),
    );
    const recording: ActiveRecording = {
      args,
      startedAt,
      dir,
      mixer,
      playlist,
      part,
      uploaded: 0,
      unsubscribe,
      mixTimer: setInterval(() => mixer.tick(this.now()), FRAME_MS),
      pollTimer: setInterval(() => void this.enqueueUpload(recording).catch((error: unknown) => this.options.onError?.('A recording segment was not uploaded', error)), this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
      uploads: Promise.resolve(),
    };
    this.active.set(args.compositionArn, recording);
  }

  /** Uploads the segments ffmpeg finished since the last time, then the playlist that lists them. */
  private enqueueUpload(recording: ActiveRecording): Promise<void> {
    const step = recording.uploads.then(async () => {
      const finished = await finishedSegments(recording.dir);
      if (finished.length <= recording.uploaded) return;
      const base = `${HLS_PATH}/${this.renditionPath}`;
      const { args } = recording;
      if (recording.uploaded === 0) {
        await this.options.store.put(args.bucketName, recordingKey(args.recordingPrefix, `${base}/${recording.part.initUri}`), await readFile(join(recording.dir, recording.part.initUri)), 'video/mp4');
      }
      for (const segment of finished.slice(recording.uploaded)) {
        await this.options.store.put(args.bucketName, recordingKey(args.recordingPrefix, `${base}/${segment.uri}`), await readFile(join(recording.dir, segment.uri)), 'video/mp4');
        recording.part.segments.push(segment);
        recording.uploaded++;
      }
      await this.putPlaylist(args, recording.playlist);
    });
    recording.uploads = step.catch(() => undefined);
    return step;
  }

  private async closeFromStore(compositionArn: string, args: StartArgs): Promise<void> {
    const playlist = (await this.readPlaylist(args)) ?? { parts: [], ended: false };
    playlist.ended = true;
    if (playlist.parts.length > 0) await this.putPlaylist(args, playlist);
    const started = await this.readJson(args, RECORDING_STARTED_KEY);
    await this.putJson(
      args,
      RECORDING_FAILED_KEY,
      recordingMetadata({
        stageArn: args.stageArn,
        renditionPath: this.renditionPath,
        status: 'RECORDING_ENDED_WITH_FAILURE',
        startedAt: started?.recording_started_at ? new Date(started.recording_started_at) : new Date(this.now()),
        endedAt: new Date(this.now()),
        durationMs: playlistDurationMs(playlist),
        message: 'The local stage stopped while recording; the recording holds the segments uploaded before',
      }),
    );
    this.updateJournal((journal) => delete journal[compositionArn]);
  }

  private async readPlaylist(args: StartArgs): Promise<RenditionPlaylist | undefined> {
    const body = await this.options.store.get(args.bucketName, recordingKey(args.recordingPrefix, `${HLS_PATH}/${this.renditionPath}/${RENDITION_PLAYLIST}`));
    return body ? parseRenditionPlaylist(body.toString('utf8')) : undefined;
  }

  private async putPlaylist(args: StartArgs, playlist: RenditionPlaylist): Promise<void> {
    await this.options.store.put(
      args.bucketName,
      recordingKey(args.recordingPrefix, `${HLS_PATH}/${this.renditionPath}/${RENDITION_PLAYLIST}`),
      renderRenditionPlaylist(playlist),
      'application/vnd.apple.mpegurl',
    );
  }

  private async readJson(args: StartArgs, path: string): Promise<RecordingMetadata | undefined> {
    const body = await this.options.store.get(args.bucketName, recordingKey(args.recordingPrefix, path));
    return body ? (JSON.parse(body.toString('utf8')) as RecordingMetadata) : undefined;
  }

  private async putJson(args: StartArgs, path: string, value: RecordingMetadata): Promise<void> {
    await this.options.store.put(args.bucketName, recordingKey(args.recordingPrefix, path), JSON.stringify(value, null, 2), 'application/json');
  }

  private readJournal(): Record<string, StartArgs> {
    if (!this.options.journalDir) return {};
    try {
      return JSON.parse(readFileSync(join(this.options.journalDir, 'recordings.json'), 'utf8')) as Record<string, StartArgs>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  private updateJournal(change: (journal: Record<string, StartArgs>) => void): void {
    const dir = this.options.journalDir;
    if (!dir) return;
    const journal = this.readJournal();
    change(journal);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'recordings.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(journal, null, 2));
    renameSync(`${file}.tmp`, file);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
