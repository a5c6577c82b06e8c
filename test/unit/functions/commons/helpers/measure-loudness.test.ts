import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureLoudness, parseEbur128Summary, SILENCE_FLOOR_DB } from '#helpers/measure-loudness';

const run = promisify(execFile);

describe('parseEbur128Summary', () => {
  const summary = (i: string, peak: string) =>
    `[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         ${i} LUFS\n    Threshold: -26.0 LUFS\n\n  True peak:\n    Peak:      ${peak} dBFS\n`;

  it('reads the integrated loudness and the true peak of the summary', () => {
    expect(parseEbur128Summary(`frame lines\n${summary('-16.2', '-1.3')}`)).toEqual({ integratedLufs: -16.2, truePeakDbtp: -1.3 });
  });

  it('keeps digital silence at the floor', () => {
    expect(parseEbur128Summary(summary('-70.0', '-inf'))).toEqual({ integratedLufs: -70, truePeakDbtp: SILENCE_FLOOR_DB });
  });

  it('gives nothing without a summary', () => {
    expect(parseEbur128Summary('Invalid data found when processing input')).toBeUndefined();
  });
});

describe('measureLoudness with the ffmpeg the npm package ships (real files)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loudness-'));
    // A 997 Hz mono sine at −20 dBFS (ffmpeg's sine is 1/8 of full scale, × 0.8) measures −23.0 LUFS (BS.1770:
    // −3.01 dB for a full-scale sine); one 20 dB lower, −43.
    for (const [name, volume] of [['loud.mp3', 0.8], ['quiet.m4a', 0.08]] as const) {
      await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=997:duration=6:sample_rate=48000',
        '-af', `volume=${volume}`, '-ac', '1', ...(name.endsWith('.m4a') ? ['-c:a', 'aac', '-b:a', '96k'] : ['-c:a', 'libmp3lame', '-b:a', '128k']), join(dir, name)]);
    }
    await writeFile(join(dir, 'not-audio.mp3'), '<html>not audio</html>');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('measures integrated loudness and true peak of an mp3 and of an m4a, 20 LU apart', async () => {
    const loud = await measureLoudness(join(dir, 'loud.mp3'), { timeoutMs: 60_000 });
    const quiet = await measureLoudness(join(dir, 'quiet.m4a'), { timeoutMs: 60_000 });
    if (!loud.ok || !quiet.ok) throw new Error(`not measured: ${JSON.stringify([loud, quiet])}`);
    // Within 1 LU: the encoders shave a little off (mp3's priming and padding are measured too).
    expect(Math.abs(loud.loudness.integratedLufs + 23)).toBeLessThanOrEqual(1);
    expect(Math.abs(loud.loudness.truePeakDbtp + 20)).toBeLessThanOrEqual(1);
    expect(Math.abs(loud.loudness.integratedLufs - quiet.loudness.integratedLufs - 20)).toBeLessThanOrEqual(1);
  });

  it('says why a file that is not audio cannot be measured, without its path or URL', async () => {
    const result = await measureLoudness(`${join(dir, 'not-audio.mp3')}`, { timeoutMs: 60_000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^ffmpeg could not read the file: /);
  });

  it('gives up after its time limit', async () => {
    const result = await measureLoudness(join(dir, 'loud.mp3'), { timeoutMs: 1 });
    expect(result).toEqual({ ok: false, reason: 'the measurement took longer than 0.001 s' });
  });
});
