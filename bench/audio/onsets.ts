/**
 * Tone onsets in a recording, matched to the moments they were asked for. The detector itself (Goertzel over
 * Hann windows) is the system tests' (harness/tones.ts); this pairs what it finds with event times.
 */
import { findPresence, toneTrack } from '#harness/tones';

/** Onsets (seconds on the recording's timeline) of a frequency: stretches of at least `minSeconds` above a threshold relative to the loudest window. */
export function toneOnsets(samples: Float32Array, frequency: number, options: { relativeThreshold?: number; minSeconds?: number } = {}): number[] {
  const track = toneTrack(samples, frequency);
  let loudest = 0;
  for (const v of track) loudest = Math.max(loudest, v);
  if (loudest < 1e-3) return [];
  return findPresence(track, loudest * (options.relativeThreshold ?? 0.3), { minSeconds: options.minSeconds ?? 0.2, bridgeSeconds: 0.05 }).map((p) => p.startSeconds);
}

/** Latencies (ms) from each event to the first onset at or after it (less `earlyMs`) and before the next event; events with none are counted unmatched. */
export function matchOnsets(eventTimes: readonly number[], onsetTimes: readonly number[], options: { maxLatencyMs: number; earlyMs?: number }): { latencies: number[]; unmatched: number } {
  const events = [...eventTimes].sort((a, b) => a - b);
  const onsets = [...onsetTimes].sort((a, b) => a - b);
  const early = options.earlyMs ?? 0;
  const latencies: number[] = [];
  let unmatched = 0;
  let next = 0;
  for (let i = 0; i < events.length; i++) {
    const at = events[i]!;
    const until = Math.min(at + options.maxLatencyMs, events[i + 1] ?? Number.POSITIVE_INFINITY);
    while (next < onsets.length && onsets[next]! < at - early) next++;
    if (next < onsets.length && onsets[next]! < until) {
      latencies.push(onsets[next]! - at);
      next++;
    } else {
      unmatched++;
    }
  }
  return { latencies, unmatched };
}
