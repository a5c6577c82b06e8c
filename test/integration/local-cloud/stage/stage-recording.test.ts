/**
 * The local stage end to end with real Chromium: pages publish WebAudio tones and a canvas video over plain
 * WHIP and with the IVS web SDK, the composition recorder mixes and records them as HLS, and the recording,
 * turned into one audio file and decoded with ffmpeg, has each tone where and as long as it played.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParticipantTokenSigner } from '#local-cloud/services/ivs/tokens';
import { startStageServer, type StageServer } from '#local-cloud/stage/stage-server';
import { StageCompositionRecorder } from '#local-cloud/stage/composition-recorder';
import { exportRecordingAsEpisode } from '#local-cloud/stage/recording-episode';
import { parseRenditionPlaylist } from '#local-cloud/stage/hls-playlist';
import { MemoryRecordingStore } from '#test/fixtures/stage/memory-recording-store';
import { decodeToMono, toneIntervals } from '#test/fixtures/stage/tone-analysis';
import { launchSdkBrowser, type SdkBrowser, type SdkParticipant } from '#test/fixtures/stage/sdk-browser';

const STAGE_ARN = 'arn:aws:ivs:us-east-1:000000000000:stage/AbCdEf123456';
const BUCKET = 'shelcaster-media-000000000000-us-east-1';
const TOLERANCE_S = 0.3;

interface Tone {
  frequency: number;
  startSeconds: number;
  durationSeconds: number;
}

describe('The local stage records what Chromium publishes over plain WHIP and with the IVS web SDK', () => {
  let dataDir: string;
  let signer: ParticipantTokenSigner;
  let stage: StageServer;
  let browser: SdkBrowser;
  let store: MemoryRecordingStore;
  let recorder: StageCompositionRecorder;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stage-it-'));
    signer = await ParticipantTokenSigner.open(dataDir);
    stage = await startStageServer({ verify: (token) => signer.verify(token) });
    store = new MemoryRecordingStore();
    recorder = new StageCompositionRecorder({ participants: stage.endpoint.participants, store, journalDir: join(dataDir, 'journal') });
    browser = await launchSdkBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await recorder?.close();
    await stage?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function token(participantId: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return signer.sign({
      topic: 'AbCdEf123456',
      resource: STAGE_ARN,
      jti: participantId,
      whip_url: `${stage.baseUrl}/whip`,
      events_url: `${stage.baseUrl.replace(/^http/, 'ws')}/events`,
      capabilities: { allow_publish: true, allow_subscribe: false },
      attributes: {},
      version: '1.0',
      iat: now,
      exp: now + 600,
    });
  }

  type PageApi = { sdkTest: { publishOverWhip(u: string, t: string): Promise<{ status: number }>; playTones(t: Tone[]): number; unpublishWhip(): Promise<void> } };

  /** Publishes the page's oscillator and canvas over plain WHIP as an encoder does. */
  async function publish(participant: SdkParticipant, participantId: string): Promise<void> {
    const bearer = await token(participantId);
    const result = await participant.page.evaluate((url, t) => (window as unknown as PageApi).sdkTest.publishOverWhip(url, t), `${stage.baseUrl}/whip`, bearer);
    expect(result.status).toBe(201);
  }

  function playTones(participant: SdkParticipant, tones: Tone[]): Promise<number> {
    return participant.page.evaluate((t) => (window as unknown as PageApi).sdkTest.playTones(t), tones);
  }

  async function record(compositionId: string, during: () => Promise<void>) {
    const recordingPrefix = `AbCdEf123456/st-test/${compositionId}/composite`;
    const compositionArn = `arn:aws:ivs:us-east-1:000000000000:composition/${compositionId}`;
    await recorder.start({ compositionArn, stageArn: STAGE_ARN, bucketName: BUCKET, recordingPrefix });
    try {
      await during();
    } finally {
      await recorder.stop(compositionArn);
    }
    const rendition = parseRenditionPlaylist(store.text(BUCKET, `${recordingPrefix}/media/hls/audio/playlist.m3u8`)!);
    const recordingStartMs = Date.parse(rendition.parts[0]!.programDateTime);
    const episode = await exportRecordingAsEpisode({ store, bucketName: BUCKET, recordingPrefix });
    const samples = await decodeToMono(episode.path);
    rmSync(episode.path, { force: true });
    return { recordingPrefix, recordingStartMs, samples, rendition };
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('finds each tone of one publisher where and as long as it played, with silence between', async () => {
    const page = await browser.newParticipant();
    const tones: Tone[] = [
      { frequency: 440, startSeconds: 0, durationSeconds: 2 },
      { frequency: 880, startSeconds: 3, durationSeconds: 2 },
    ];
    let wallStart = 0;
    const { recordingPrefix, recordingStartMs, samples, rendition } = await record('onePublisher', async () => {
      await publish(page, 'host-participant');
      expect(stage.endpoint.participants.listPublications(STAGE_ARN)).toMatchObject([{ participantId: 'host-participant', state: 'connected' }]);
      wallStart = await playTones(page, tones);
      await sleep(5_300 + 500);
      await page.page.evaluate(() => (window as unknown as PageApi).sdkTest.unpublishWhip());
    });
    await page.page.close();

    for (const tone of tones) {
      const expectedStart = (wallStart - recordingStartMs) / 1000 + tone.startSeconds;
      const found = toneIntervals(samples, tone.frequency);
      expect(found, `${tone.frequency} Hz`).toHaveLength(1);
      expect(Math.abs(found[0]!.start - expectedStart), `${tone.frequency} Hz start`).toBeLessThanOrEqual(TOLERANCE_S);
      expect(Math.abs(found[0]!.end - found[0]!.start - tone.durationSeconds), `${tone.frequency} Hz length`).toBeLessThanOrEqual(TOLERANCE_S);
    }
    // Neither tone sounds in the second between them.
    const gapFrom = (wallStart - recordingStartMs) / 1000 + 2.2;
    const between = samples.subarray(Math.round(gapFrom * 16_000), Math.round((gapFrom + 0.6) * 16_000));
    expect(Math.max(...between.map(Math.abs))).toBeLessThan(0.02);

    // IVS's layout under the recording prefix.
    const keys = store.keys(BUCKET, recordingPrefix);
    expect(keys).toEqual(
      expect.arrayContaining([
        `${recordingPrefix}/events/recording-started.json`,
        `${recordingPrefix}/events/recording-ended.json`,
        `${recordingPrefix}/media/hls/multivariant.m3u8`,
        `${recordingPrefix}/media/hls/audio/playlist.m3u8`,
        `${recordingPrefix}/media/hls/audio/init-0.mp4`,
        `${recordingPrefix}/media/hls/audio/0.mp4`,
      ]),
    );
    expect(rendition.ended).toBe(true);
    const ended = JSON.parse(store.text(BUCKET, `${recordingPrefix}/events/recording-ended.json`)!);
    expect(ended).toMatchObject({ version: 'v1', stage_arn: STAGE_ARN, recording_status: 'RECORDING_ENDED', media: { hls: { path: 'media/hls', playlist: 'multivariant.m3u8' } } });
    expect(ended.media.hls.duration_ms).toBeGreaterThan(5_000);
    expect(recorder.encoderPids()).toEqual([]);
  });

  it('mixes two publishers: both tones sound at once', async () => {
    const first = await browser.newParticipant();
    const second = await browser.newParticipant();
    let wallStart = 0;
    const { recordingStartMs, samples } = await record('twoPublishers', async () => {
      await publish(first, 'host');
      await publish(second, 'caller');
      expect(stage.endpoint.participants.listPublications(STAGE_ARN)).toHaveLength(2);
      const [a] = await Promise.all([
        playTones(first, [{ frequency: 440, startSeconds: 0, durationSeconds: 2 }]),
        playTones(second, [{ frequency: 880, startSeconds: 0, durationSeconds: 2 }]),
      ]);
      wallStart = a;
      await sleep(2_300 + 500);
    });
    await Promise.all([first.page.close(), second.page.close()]);

    const low = toneIntervals(samples, 440);
    const high = toneIntervals(samples, 880);
    expect(low).toHaveLength(1);
    expect(high).toHaveLength(1);
    const expectedStart = (wallStart - recordingStartMs) / 1000;
    for (const found of [low[0]!, high[0]!]) {
      expect(Math.abs(found.start - expectedStart)).toBeLessThanOrEqual(TOLERANCE_S);
      expect(Math.abs(found.end - found.start - 2)).toBeLessThanOrEqual(TOLERANCE_S);
    }
    // Both at once: the overlap covers nearly all of each tone.
    const overlap = Math.min(low[0]!.end, high[0]!.end) - Math.max(low[0]!.start, high[0]!.start);
    expect(overlap).toBeGreaterThan(2 - TOLERANCE_S);
  });

  it('mixes a plain WHIP encoder and a participant of the IVS web SDK', async () => {
    const encoder = await browser.newParticipant();
    const participant = await browser.newParticipant();
    let encoderStart = 0;
    let participantStart = 0;
    const { recordingStartMs, samples } = await record('whipAndSdk', async () => {
      await publish(encoder, 'encoder');
      expect(await participant.join(await token('sdk-participant'), { publishAudio: true })).toMatchObject({ ok: true });
      const routes = Object.fromEntries(stage.endpoint.participants.listPublications(STAGE_ARN).map((p) => [p.participantId, p.route]));
      expect(routes).toMatchObject({ encoder: 'whip', 'sdk-participant': 'sdk' });
      encoderStart = await playTones(encoder, [{ frequency: 440, startSeconds: 0, durationSeconds: 2 }]);
      participantStart = await participant.page.evaluate(() => (window as unknown as { sdkTest: { tone(f: number, s: number): number } }).sdkTest.tone(660, 2));
      await sleep(2_500 + 500);
    });
    await Promise.all([encoder.page.close(), participant.page.close()]);

    for (const [frequency, startedAt] of [
      [440, encoderStart],
      [660, participantStart],
    ] as const) {
      const found = toneIntervals(samples, frequency);
      expect(found, `${frequency} Hz`).toHaveLength(1);
      expect(Math.abs(found[0]!.start - (startedAt - recordingStartMs) / 1000), `${frequency} Hz start`).toBeLessThanOrEqual(TOLERANCE_S);
      expect(Math.abs(found[0]!.end - found[0]!.start - 2), `${frequency} Hz length`).toBeLessThanOrEqual(TOLERANCE_S);
    }
  });
});
