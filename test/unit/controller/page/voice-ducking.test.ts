import { describe, expect, it } from 'vitest';
import { DUCKING_TIMING } from '#contract/index';
// The page's modules are plain JavaScript run by Chromium; the logic is pure and runs here as it is.
import { DuckDecision, VoiceActivityDetector, dbToGain, duckGainAt, levelDbfs, vadStep } from '#controller-page/voice-ducking';

const RATE = 48_000;
const T = DUCKING_TIMING;

/** A voice-like signal: a 300 Hz tone whose loudness moves like syllables (4 Hz, between 30 % and 100 %). */
function voice(seconds: number, amplitude = 0.1): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    const syllables = 0.65 + 0.35 * Math.sin(2 * Math.PI * 4 * t);
    out[i] = amplitude * syllables * Math.sin(2 * Math.PI * 300 * t);
  }
  return out;
}

/** Low noise (about −66 dBFS RMS), as a quiet room through a microphone. */
function roomNoise(seconds: number): Float32Array {
  let seed = 1;
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out[i] = (seed / 2 ** 31 - 0.5) * 0.0017;
  }
  return out;
}

function join(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Runs a signal through a detector in WebAudio's 128-frame blocks; the changes with their times (s). */
function detect(signal: Float32Array): { change: string; atSeconds: number }[] {
  const vad = new VoiceActivityDetector({ sampleRate: RATE, ...T });
  const changes: { change: string; atSeconds: number }[] = [];
  for (let at = 0; at < signal.length; at += 128) {
    for (const c of vad.process(signal.subarray(at, at + 128))) changes.push({ change: c.change, atSeconds: c.atSample / RATE });
  }
  return changes;
}

describe('voice-activity detector', () => {
  it('measures levels in dBFS', () => {
    expect(levelDbfs(new Float32Array(480))).toBe(-120);
    expect(levelDbfs(new Float32Array(480).fill(0.5))).toBeCloseTo(-6.02, 2);
  });

  it('starts after the onset time above the threshold and ends after the hold time below it', () => {
    const params = { thresholdDbfs: -45, onsetFrames: 3, holdFrames: 30 };
    let state = { speaking: false, above: 0, below: 0 };
    const changes: (string | null)[] = [];
    const levels = [-20, -20, -60, -20, -20, -20, ...Array<number>(29).fill(-60), -20, ...Array<number>(30).fill(-60)];
    for (const level of levels) {
      const step = vadStep(state, level, params);
      state = step.state;
      changes.push(step.change);
    }
    // Two loud frames then a quiet one: no start; three in a row: start at the sixth frame.
    expect(changes.indexOf('start')).toBe(5);
    // 29 quiet frames and a loud one: still speaking; 30 quiet ones: the end, at the last frame.
    expect(changes.indexOf('end')).toBe(levels.length - 1);
    expect(changes.filter((c) => c !== null)).toEqual(['start', 'end']);
  });

  it('finds a voice-like signal in room noise: one start at its onset, one end a hold time after it stops', () => {
    const changes = detect(join(roomNoise(1), voice(2), roomNoise(2)));
    expect(changes.map((c) => c.change)).toEqual(['start', 'end']);
    expect(changes[0]!.atSeconds).toBeGreaterThanOrEqual(1 + T.onsetSeconds - T.frameSeconds);
    expect(changes[0]!.atSeconds).toBeLessThanOrEqual(1 + T.onsetSeconds + T.frameSeconds);
    expect(changes[1]!.atSeconds).toBeGreaterThanOrEqual(3 + T.holdSeconds - T.frameSeconds);
    expect(changes[1]!.atSeconds).toBeLessThanOrEqual(3 + T.holdSeconds + T.frameSeconds);
  });

  it('keeps speaking through the gaps between words shorter than the hold time', () => {
    const gap = T.holdSeconds / 2;
    const changes = detect(join(voice(0.8), roomNoise(gap), voice(0.6), roomNoise(gap), voice(0.7), roomNoise(1)));
    expect(changes.map((c) => c.change)).toEqual(['start', 'end']);
  });

  it('ignores a click, and room noise and a quiet hum below the threshold', () => {
    const click = new Float32Array(Math.round(0.015 * RATE)).fill(0.5);
    expect(detect(join(roomNoise(1), click, roomNoise(1)))).toEqual([]);
    expect(detect(voice(2, 10 ** (-52 / 20)))).toEqual([]);
  });
});

describe('duck decision', () => {
  it('ducks while anyone speaks and comes back when the last one stops', () => {
    const d = new DuckDecision();
    expect(d.voice('caller', true)).toBe('duck');
    expect(d.voice('host', true)).toBeNull();
    expect(d.voice('caller', false)).toBeNull();
    expect(d.voice('host', false)).toBe('unduck');
    expect(d.voice('host', false)).toBeNull();
  });

  it('switched off while ducked comes back at once; switched on while someone speaks ducks', () => {
    const d = new DuckDecision();
    d.voice('caller', true);
    expect(d.setEnabled(false)).toBe('unduck');
    expect(d.voice('host', true)).toBeNull();
    expect(d.setEnabled(true)).toBe('duck');
    expect(d.voice('caller', false)).toBeNull();
    expect(d.voice('host', false)).toBe('unduck');
  });
});

describe('duck envelope', () => {
  it('is 95 % of the way down at the attack time and 95 % of the way back at the release time', () => {
    const down = dbToGain(-12);
    expect(down).toBeCloseTo(0.251, 3);
    expect(duckGainAt(1, down, T.attackSeconds, 0)).toBe(1);
    expect(duckGainAt(1, down, T.attackSeconds, T.attackSeconds)).toBeCloseTo(down + 0.05 * (1 - down), 6);
    expect(duckGainAt(down, 1, T.releaseSeconds, T.releaseSeconds)).toBeCloseTo(1 - 0.05 * (1 - down), 6);
    // Natural: the attack is within 50–150 ms, the release within 500–800 ms, and slower than the attack.
    expect(T.attackSeconds).toBeGreaterThanOrEqual(0.05);
    expect(T.attackSeconds).toBeLessThanOrEqual(0.15);
    expect(T.releaseSeconds).toBeGreaterThanOrEqual(0.5);
    expect(T.releaseSeconds).toBeLessThanOrEqual(0.8);
    // Monotonic both ways.
    const times = Array.from({ length: 50 }, (_, i) => i * 0.02);
    const falling = times.map((t) => duckGainAt(1, down, T.attackSeconds, t));
    const rising = times.map((t) => duckGainAt(down, 1, T.releaseSeconds, t));
    for (let i = 1; i < times.length; i++) {
      expect(falling[i]!).toBeLessThanOrEqual(falling[i - 1]!);
      expect(rising[i]!).toBeGreaterThanOrEqual(rising[i - 1]!);
    }
  });
});
