import { describe, expect, it } from 'vitest';
// The page's modules are plain JavaScript run by Chromium; the DSP is pure and runs here as it is.
import { TruePeakLimiter } from '#controller-page/true-peak-limiter';

const RATE = 48_000;
const CEILING_DBTP = -1;

/** Runs a signal through the limiter in WebAudio's 128-frame blocks (stereo: the same signal on both channels). */
function limit(signal: Float32Array): { output: Float32Array; latency: number } {
  const limiter = new TruePeakLimiter({ sampleRate: RATE, channels: 2, ceilingDbtp: CEILING_DBTP });
  const output = new Float32Array(signal.length);
  for (let at = 0; at < signal.length; at += 128) {
    const input = signal.subarray(at, at + 128);
    const left = new Float32Array(input.length);
    const right = new Float32Array(input.length);
    limiter.process([input, input], [left, right]);
    output.set(left, at);
    expect(right).toEqual(left);
  }
  return { output, latency: limiter.latency };
}

/** An independent true-peak measure: 16× oversampling with a long (128-tap) windowed sinc. */
function truePeak(signal: Float32Array, from: number, to: number): number {
  const half = 64;
  let peak = 0;
  for (let n = Math.max(from, half); n < Math.min(to, signal.length - half); n++) {
    for (let k = 0; k < 16; k++) {
      let v = 0;
      for (let m = -half + 1; m <= half; m++) {
        const d = m - k / 16;
        const sinc = d === 0 ? 1 : Math.sin(Math.PI * d) / (Math.PI * d);
        v += signal[n + m]! * sinc * (0.5 + 0.5 * Math.cos((Math.PI * d) / (half + 1)));
      }
      peak = Math.max(peak, Math.abs(v));
    }
  }
  return peak;
}

const dB = (x: number) => 20 * Math.log10(x);
function sine(frequency: number, amplitude: number, seconds: number, phase = 0): Float32Array {
  const s = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < s.length; i++) s[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / RATE + phase);
  return s;
}

describe('TruePeakLimiter', () => {
  it('passes a signal under the ceiling untouched, only delayed (about 5 ms)', () => {
    const input = sine(440, 0.5, 0.2);
    const { output, latency } = limit(input);
    expect(latency / RATE).toBeLessThan(0.006);
    for (let i = latency; i < input.length; i++) expect(output[i]).toBeCloseTo(input[i - latency]!, 6);
  });

  it('keeps a sine at +6 dBFS under −1 dBTP', () => {
    const { output } = limit(sine(1000, 2, 0.3));
    expect(dB(truePeak(output, 0, output.length))).toBeLessThanOrEqual(CEILING_DBTP + 0.1);
  });

  it('catches peaks between samples (a quarter-rate sine sampled 45° off its crests)', () => {
    // Sampled at ±A·cos(45°): the samples read 0.75 while the wave between them reaches 1.06 (+0.5 dBTP).
    const input = sine(RATE / 4, 1.06, 0.2, Math.PI / 4);
    expect(Math.max(...input.map(Math.abs))).toBeLessThan(0.76);
    const { output } = limit(input);
    expect(dB(truePeak(output, 0, output.length))).toBeLessThanOrEqual(CEILING_DBTP + 0.1);
  });

  it('meets a sudden loud burst with a gain already down, along a smooth ramp (no step)', () => {
    const quiet = sine(440, 0.2, 0.2);
    const loud = sine(440, 3, 0.2);
    const input = new Float32Array(quiet.length + loud.length);
    input.set(quiet);
    input.set(loud, quiet.length);
    const { output, latency } = limit(input);
    expect(dB(truePeak(output, 0, output.length))).toBeLessThanOrEqual(CEILING_DBTP + 0.1);
    // The gain is output / delayed input (read away from zero crossings); it changes by less than 1 % a sample.
    let largest = 0;
    let previous = { gain: 1, at: latency };
    for (let i = latency; i < output.length; i++) {
      const x = input[i - latency]!;
      if (Math.abs(x) < 0.1) continue;
      const gain = output[i]! / x;
      largest = Math.max(largest, Math.abs(gain - previous.gain) / (i - previous.at));
      previous = { gain, at: i };
    }
    expect(largest).toBeLessThan(0.01);
  });

  it('recovers after the burst: a quiet passage a second later is back at full level', () => {
    const input = new Float32Array(RATE * 1.5);
    input.set(sine(440, 3, 0.2));
    input.set(sine(440, 0.2, 0.5), RATE);
    const { output, latency } = limit(input);
    const at = RATE + latency + RATE / 4;
    expect(output[at]! / input[at - latency]!).toBeCloseTo(1, 3);
  });
});
