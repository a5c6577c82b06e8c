import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCompositionMix } from '#local-cloud/stage/composition-mix';
import { FRAME_SAMPLES } from '#local-cloud/stage/audio-format';
import { opusTonePackets } from '#test/fixtures/stage/ogg-opus';
import { decodeToMono, toneIntervals } from '#test/fixtures/stage/tone-analysis';

const START_MS = 1_700_000_000_000;
const DELAY_MS = 100;
const TOLERANCE_S = 0.1;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('The composition mix in its worker thread', { timeout: 60_000 }, () => {
  it('decodes real Opus, mixes on the timeline the ticks give, and records it with ffmpeg', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'composition-mix-'));
    dirs.push(dir);
    const a = opusTonePackets(440, 2);
    const b = opusTonePackets(660, 1);
    const errors: string[] = [];
    const mix = createCompositionMix({
      startMs: START_MS,
      playoutDelayMs: DELAY_MS,
      encoder: { ffmpegPath: 'ffmpeg', dir, startNumber: 0, initName: 'init-0.mp4', segmentSeconds: 1 },
      onError: (message) => errors.push(message),
    });
    // Track a from 0 s for 2 s; track b from 0.3 s for 1 s, its sequence numbers and timestamps wrapping, jittered.
    for (let frame = 0; frame < a.length; frame++) {
      const now = START_MS + frame * 20;
      mix.push('a', { sequenceNumber: 100 + frame, timestamp: 7_000 + frame * FRAME_SAMPLES, payload: a[frame]!, receivedAtMs: now + 2 });
      const j = frame - 15;
      if (j >= 0 && j < b.length) {
        mix.push('b', { sequenceNumber: (65_530 + j) % 65_536, timestamp: (4_294_960_000 + j * FRAME_SAMPLES) % 2 ** 32, payload: b[j]!, receivedAtMs: now + (j % 3) * 7 });
      }
      if (j === b.length) mix.endTrack('b');
      // Ticks as fast as the loop goes: the worker's first frames are due long before its decoder has loaded
      // (it waits for it rather than mixing the track's first packets as silence).
      mix.tick(now);
    }
    await mix.finish(START_MS + a.length * 20 + DELAY_MS);
    expect(mix.encoderPid).toBeGreaterThan(0);
    expect(errors).toEqual([]);

    const samples = await decodeToMono(join(dir, 'ffmpeg.m3u8'));
    const [toneA] = toneIntervals(samples, 440);
    const [toneB] = toneIntervals(samples, 660);
    expect(toneA!.start).toBeLessThan(TOLERANCE_S);
    expect(Math.abs(toneA!.end - 2)).toBeLessThan(TOLERANCE_S);
    expect(Math.abs(toneB!.start - 0.3)).toBeLessThan(TOLERANCE_S);
    expect(Math.abs(toneB!.end - toneB!.start - 1)).toBeLessThan(TOLERANCE_S);
  });
});
