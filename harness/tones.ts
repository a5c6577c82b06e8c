/**
 * Tones for system tests: writes test tones with ffmpeg, decodes recordings to mono PCM with ffmpeg, and finds
 * where a frequency is present with a Goertzel filter over short Hann-windowed frames.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Sample rate every decoded signal is resampled to. */
export const ANALYSIS_RATE = 48_000;
/** Length of one analysis window. */
export const WINDOW_SECONDS = 0.05;
/** Step between analysis windows (windows overlap, so edges are found to within a step). */
export const HOP_SECONDS = 0.01;

/** One stretch of a tone file: `frequency` Hz for `seconds`. */
export interface ToneSpan {
  frequency: number;
  seconds: number;
}

/** Writes a mono 48 kHz 16-bit WAV holding the spans one after the other (ffmpeg's sine source, amplitude 1/8). */
export async function writeToneWav(path: string, spans: readonly ToneSpan[]): Promise<void> {
  const inputs = spans.flatMap((s) => ['-f', 'lavfi', '-i', `sine=frequency=${s.frequency}:duration=${s.seconds}:sample_rate=${ANALYSIS_RATE}`]);
  const filter = spans.length > 1 ? ['-filter_complex', `${spans.map((_, i) => `[${i}:a]`).join('')}concat=n=${spans.length}:v=0:a=1`] : [];
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...inputs, ...filter, '-ac', '1', '-ar', String(ANALYSIS_RATE), '-c:a', 'pcm_s16le', path]);
}

/** Decodes any file ffmpeg reads into mono float PCM at `rate` (ANALYSIS_RATE unless given; channels averaged). */
export async function decodeMono(path: string, rate = ANALYSIS_RATE): Promise<Float32Array> {
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path, '-vn', '-ac', '1', '-ar', String(rate), '-f', 'f32le', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 512 * 1024 * 1024,
  });
  const bytes = stdout as unknown as Buffer;
  const samples = new Float32Array(bytes.length / 4);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readFloatLE(i * 4);
  return samples;
}

/**
 * Amplitude of `frequency` in `samples[start, start+length)`: a Goertzel filter over a Hann-windowed frame,
 * scaled so that a sine of amplitude A at that frequency reads A.
 */
export function toneAmplitude(samples: Float32Array, start: number, length: number, frequency: number, rate = ANALYSIS_RATE): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / rate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < length; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
    windowSum += w;
    const s0 = (samples[start + i] ?? 0) * w + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / windowSum;
}

/** The amplitude of a frequency in every analysis window; index i covers [i·HOP, i·HOP + WINDOW) seconds. */
export function toneTrack(samples: Float32Array, frequency: number, rate = ANALYSIS_RATE): Float32Array {
  const length = Math.round(WINDOW_SECONDS * rate);
  const hop = Math.round(HOP_SECONDS * rate);
  const count = Math.max(0, Math.floor((samples.length - length) / hop) + 1);
  const track = new Float32Array(count);
  for (let i = 0; i < count; i++) track[i] = toneAmplitude(samples, i * hop, length, frequency, rate);
  return track;
}

/** A stretch of time (seconds on the signal's timeline) where a tone is present. */
export interface Presence {
  startSeconds: number;
  endSeconds: number;
}

/**
 * Where a tone is present: windows whose amplitude is at least `threshold`, joined into stretches (gaps
 * shorter than `bridgeSeconds` are bridged, stretches shorter than `minSeconds` dropped). A window counts
 * at its centre, so a stretch's edges are the tone's edges to within a hop.
 */
export function findPresence(track: Float32Array, threshold: number, options: { bridgeSeconds?: number; minSeconds?: number } = {}): Presence[] {
  const bridge = options.bridgeSeconds ?? 0.1;
  const min = options.minSeconds ?? 0.2;
  const centre = (i: number) => i * HOP_SECONDS + WINDOW_SECONDS / 2;
  const found: Presence[] = [];
  let open: number | undefined;
  for (let i = 0; i <= track.length; i++) {
    const on = i < track.length && track[i]! >= threshold;
    if (on && open === undefined) open = i;
    if (!on && open !== undefined) {
      const stretch = { startSeconds: centre(open), endSeconds: centre(i - 1) };
      const last = found.at(-1);
      if (last && stretch.startSeconds - last.endSeconds <= bridge) last.endSeconds = stretch.endSeconds;
      else found.push(stretch);
      open = undefined;
    }
  }
  return found.filter((p) => p.endSeconds - p.startSeconds >= min);
}

/** The median amplitude of a track between two times (seconds). */
export function medianAmplitude(track: Float32Array, fromSeconds: number, toSeconds: number): number {
  const from = Math.max(0, Math.ceil(fromSeconds / HOP_SECONDS));
  const to = Math.min(track.length, Math.floor((toSeconds - WINDOW_SECONDS) / HOP_SECONDS) + 1);
  const values = [...track.subarray(from, Math.max(from, to))].sort((a, b) => a - b);
  return values.length === 0 ? 0 : values[Math.floor(values.length / 2)]!;
}

/** The largest sample-to-sample step between two times (seconds): a click shows as a step no sine of the tone makes. */
export function largestStep(samples: Float32Array, fromSeconds: number, toSeconds: number, rate = ANALYSIS_RATE): number {
  return largestStepAt(samples, fromSeconds, toSeconds, rate).step;
}

/** The largest sample-to-sample step between two times, and when it happens (seconds). */
export function largestStepAt(samples: Float32Array, fromSeconds: number, toSeconds: number, rate = ANALYSIS_RATE): { step: number; atSeconds: number } {
  const from = Math.max(1, Math.floor(fromSeconds * rate));
  const to = Math.min(samples.length, Math.ceil(toSeconds * rate));
  let step = 0;
  let at = from;
  for (let i = from; i < to; i++) {
    const size = Math.abs(samples[i]! - samples[i - 1]!);
    if (size > step) {
      step = size;
      at = i;
    }
  }
  return { step, atSeconds: at / rate };
}

/** Root-mean-square level between two times (seconds). */
export function rmsLevel(samples: Float32Array, fromSeconds: number, toSeconds: number, rate = ANALYSIS_RATE): number {
  const from = Math.max(0, Math.floor(fromSeconds * rate));
  const to = Math.min(samples.length, Math.ceil(toSeconds * rate));
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

/** Longest dropout of the whole stream `acrossDropouts` bridges (a late burst of packets under load). */
export const MAX_STREAM_DROPOUT_SECONDS = 0.5;

/**
 * A tone's stretches joined across the dropouts of the whole recording between them: gaps of at most
 * MAX_STREAM_DROPOUT_SECONDS in which everything fell silent at once (the mix's level in the gap at most a
 * tenth of its level in the 0.3 s before), which is the stream dropping out (its packets late on a loaded
 * machine), not the tone stopping. A gap where the rest of the mix goes on is the tone's own and stays a gap.
 * Returns the joined stretches and the dropouts it bridged (for the test's notes).
 */
export function acrossDropouts(found: readonly Presence[], samples: Float32Array, rate = ANALYSIS_RATE): { stretches: Presence[]; dropouts: Presence[] } {
  const stretches: Presence[] = [];
  const dropouts: Presence[] = [];
  for (const stretch of found) {
    const last = stretches.at(-1);
    if (last) {
      // The gap between the analysis windows' centres, less half a window each side: where the tone was absent.
      const gap = { startSeconds: last.endSeconds + WINDOW_SECONDS / 2, endSeconds: stretch.startSeconds - WINDOW_SECONDS / 2 };
      const short = stretch.startSeconds - last.endSeconds <= MAX_STREAM_DROPOUT_SECONDS;
      const before = rmsLevel(samples, Math.max(0, gap.startSeconds - 0.3), gap.startSeconds, rate);
      if (short && gap.endSeconds > gap.startSeconds && rmsLevel(samples, gap.startSeconds, gap.endSeconds, rate) <= before / 10) {
        dropouts.push(gap);
        last.endSeconds = stretch.endSeconds;
        continue;
      }
    }
    stretches.push({ ...stretch });
  }
  return { stretches, dropouts };
}
