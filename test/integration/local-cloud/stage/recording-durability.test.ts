/**
 * A recording survives a crash of the process that records it: the recorder runs in a child process that is
 * killed (SIGKILL) after it uploaded segments; its ffmpeg ends by itself; a new recorder then closes the
 * recording with what was uploaded, or resumes it as a new part of the same playlist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '#harness/eventually';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StageParticipants } from '#local-cloud/stage/stage-participants';
import { StageCompositionRecorder } from '#local-cloud/stage/composition-recorder';
import { exportRecordingAsEpisode } from '#local-cloud/stage/recording-episode';
import { parseRenditionPlaylist } from '#local-cloud/stage/hls-playlist';
import { FileRecordingStore } from '#test/fixtures/stage/file-recording-store';
import { pcmPacketDecoder, publishSyntheticTone } from '#test/fixtures/stage/synthetic-publisher';
import { decodeToMono, toneIntervals } from '#test/fixtures/stage/tone-analysis';
import { alive } from '#test/support/process-alive';

const CHILD = fileURLToPath(new URL('../../../fixtures/stage/recording-child.ts', import.meta.url));
const STAGE_ARN = 'arn:aws:ivs:us-east-1:000000000000:stage/CrashStage01';

describe('A composition recording after a crash of the local stage', () => {
  let root: string;
  let store: FileRecordingStore;
  let journalDir: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'stage-crash-'));
    store = new FileRecordingStore(join(root, 'buckets'));
    journalDir = join(root, 'journal');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Runs the recorder in a child until a segment is uploaded, then kills it; returns ffmpeg's pid. */
  async function crashWhileRecording(compositionArn: string, recordingPrefix: string): Promise<number> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, join(root, 'buckets'), journalDir, compositionArn, recordingPrefix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const ffmpegPid = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the child uploaded no segment')), 20_000);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (text: string) => {
          const match = /SEGMENT (\d+)/.exec(text);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        child.once('exit', () => reject(new Error('the child exited early')));
      });
      return ffmpegPid;
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  }

  it('leaves no ffmpeg running, and recoverUnfinished closes it with the segments uploaded', async () => {
    const arn = 'arn:aws:ivs:us-east-1:000000000000:composition/crashClose01';
    const prefix = 'CrashStage01/st-1/crashClose01/composite';
    const ffmpegPid = await crashWhileRecording(arn, prefix);
    await eventually(async () => !alive(ffmpegPid) || undefined, 5_000, 'ffmpeg to exit', 50);

    const before = parseRenditionPlaylist((await store.get('bucket', `${prefix}/media/hls/audio/playlist.m3u8`))!.toString());
    expect(before.ended).toBe(false);
    expect(before.parts[0]!.segments.length).toBeGreaterThanOrEqual(2);

    const recorder = new StageCompositionRecorder({ participants: new StageParticipants(), store, journalDir });
    expect(await recorder.recoverUnfinished()).toEqual([arn]);
    expect(await recorder.recoverUnfinished()).toEqual([]);

    const after = parseRenditionPlaylist((await store.get('bucket', `${prefix}/media/hls/audio/playlist.m3u8`))!.toString());
    expect(after).toEqual({ ...before, ended: true });
    const failed = JSON.parse((await store.get('bucket', `${prefix}/events/recording-failed.json`))!.toString());
    expect(failed).toMatchObject({ stage_arn: STAGE_ARN, recording_status: 'RECORDING_ENDED_WITH_FAILURE' });
    expect(failed.media.hls.duration_ms).toBeGreaterThanOrEqual(3_900);

    const episode = await exportRecordingAsEpisode({ store, bucketName: 'bucket', recordingPrefix: prefix, format: 'mp3' });
    const samples = await decodeToMono(episode.path);
    rmSync(episode.path, { force: true });
    const tone = toneIntervals(samples, 440);
    expect(tone).toHaveLength(1);
    expect(tone[0]!.end - tone[0]!.start).toBeGreaterThan(3.5);
  });

  it('resumes the same playlist as a new part when the composition starts again', async () => {
    const arn = 'arn:aws:ivs:us-east-1:000000000000:composition/crashResume1';
    const prefix = 'CrashStage01/st-1/crashResume1/composite';
    const args = { compositionArn: arn, stageArn: STAGE_ARN, bucketName: 'bucket', recordingPrefix: prefix };
    await crashWhileRecording(arn, prefix);
    const startedBefore = (await store.get('bucket', `${prefix}/events/recording-started.json`))!.toString();

    const participants = new StageParticipants();
    const recorder = new StageCompositionRecorder({ participants, store, journalDir, decoderFactory: pcmPacketDecoder, pollIntervalMs: 100 });
    try {
      await recorder.start(args);
      const stopTone = publishSyntheticTone(participants, STAGE_ARN, 880);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      stopTone();
      await recorder.stop(arn);
    } finally {
      await recorder.close();
    }
    expect(recorder.encoderPids()).toEqual([]);

    const playlistText = (await store.get('bucket', `${prefix}/media/hls/audio/playlist.m3u8`))!.toString();
    const playlist = parseRenditionPlaylist(playlistText);
    expect(playlist.ended).toBe(true);
    expect(playlist.parts.map((p) => p.initUri)).toEqual(['init-0.mp4', 'init-1.mp4']);
    expect(playlistText).toContain('#EXT-X-DISCONTINUITY');
    const uris = playlist.parts.flatMap((p) => p.segments.map((s) => s.uri));
    expect(new Set(uris).size).toBe(uris.length);
    expect((await store.get('bucket', `${prefix}/events/recording-started.json`))!.toString()).toBe(startedBefore);
    expect(JSON.parse((await store.get('bucket', `${prefix}/events/recording-ended.json`))!.toString())).toMatchObject({ recording_status: 'RECORDING_ENDED' });

    const episode = await exportRecordingAsEpisode({ store, bucketName: 'bucket', recordingPrefix: prefix });
    const samples = await decodeToMono(episode.path);
    rmSync(episode.path, { force: true });
    const low = toneIntervals(samples, 440);
    const high = toneIntervals(samples, 880);
    expect(low).toHaveLength(1);
    expect(high).toHaveLength(1);
    // The resumed part follows the crashed one (they touch: the second tone starts as the part does).
    expect(high[0]!.start).toBeGreaterThanOrEqual(low[0]!.end - 0.1);
    expect(high[0]!.end - high[0]!.start).toBeGreaterThan(2);
  });
});
