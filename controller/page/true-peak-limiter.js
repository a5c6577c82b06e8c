/**
 * A look-ahead true-peak limiter (pure DSP, no WebAudio: the worklet in limiter-worklet.js runs it on the
 * audio thread, the unit tests run it in Node). It keeps the mix of every deck under a ceiling in dBTP.
 *
 * - True peak: each input sample and three points between it and the next are estimated with a 4×
 *   polyphase windowed-sinc interpolator (as ITU-R BS.1770's true-peak meter does), so peaks between
 *   samples, which a codec or a DAC reconstructs, are caught too.
 * - Gain: the gain each estimate needs (ceiling / peak, at most 1) goes through a sliding minimum over the
 *   look-ahead window, a release (the gain recovers exponentially), and a moving average over the same
 *   window. The signal is delayed by the window (plus the interpolator's half length), so every peak meets
 *   a gain that has already come down to what it needs, along a smooth ramp: no overshoot, no click.
 * - Channels share one gain (the stereo image does not move).
 * - Cost: it runs on every sample of the mix, on the audio thread. The interpolation is skipped while no
 *   sample in its window could make an estimate over the ceiling (an estimate is at most the window's
 *   largest sample times the sum of a phase's absolute taps), which is most of the time at the podcast norm;
 *   the history is kept twice over, so the taps read it without wrapping.
 *
 * WebAudio's DynamicsCompressorNode is not a limiter (it overshoots on fast peaks and measures sample
 * peaks only) and no package gives a true-peak limiter for an AudioWorklet, hence this one.
 */

/** Taps per phase of the 4× interpolator. */
const TAPS = 16;
/** Oversampling factor of the true-peak estimate. */
const OVERSAMPLING = 4;

/** The interpolator's coefficients: phase k (1..3) estimates x at (TAPS/2 − 1) + k/4 samples back. */
function interpolatorPhases() {
  const phases = [];
  for (let k = 1; k < OVERSAMPLING; k++) {
    const taps = new Float64Array(TAPS);
    const offset = k / OVERSAMPLING;
    let sum = 0;
    for (let m = 0; m < TAPS; m++) {
      // Distance from the estimated point to tap m (tap TAPS/2 − 1 is the sample just before the point).
      const d = m - (TAPS / 2 - 1) - offset;
      const sinc = d === 0 ? 1 : Math.sin(Math.PI * d) / (Math.PI * d);
      const window = 0.5 + 0.5 * Math.cos((Math.PI * d) / (TAPS / 2 + 1)); // Hann, wider than the taps
      taps[m] = sinc * window;
      sum += taps[m];
    }
    for (let m = 0; m < TAPS; m++) taps[m] /= sum; // unity gain at DC
    phases.push(taps);
  }
  return phases;
}

export class TruePeakLimiter {
  /**
   * @param {{ sampleRate: number, channels: number, ceilingDbtp: number, lookaheadSeconds?: number, releaseSeconds?: number }} options
   */
  constructor(options) {
    this.channels = options.channels;
    this.ceiling = 10 ** (options.ceilingDbtp / 20);
    this.window = Math.max(1, Math.round((options.lookaheadSeconds ?? 0.005) * options.sampleRate));
    this.release = Math.exp(-1 / ((options.releaseSeconds ?? 0.1) * options.sampleRate));
    // The sliding minimum holds each needed gain two samples longer than the averaging window, so that the
    // samples on both sides of an interpolated peak meet a gain already down to what it needs.
    this.hold = this.window + 2;
    this.phases = interpolatorPhases();
    // Every phase's taps in one array, and the largest sum of absolute taps: a sample under `ceiling / bound`
    // cannot lift any estimate over the ceiling. (A hair lower, so that rounding cannot matter.)
    this.taps = new Float64Array((OVERSAMPLING - 1) * TAPS);
    this.phases.forEach((taps, k) => this.taps.set(taps, k * TAPS));
    const bound = Math.max(...this.phases.map((taps) => taps.reduce((sum, t) => sum + Math.abs(t), 0)));
    this.quiet = (this.ceiling / bound) * (1 - 1e-9);
    /** The index of the newest sample over `quiet` (its window ends TAPS samples later). */
    this.loudAt = -Infinity;
    /** Samples the delay line holds back the interpolator's centre sample. */
    this.delay = this.window;
    /** Samples the output is behind the input: the delay line, and the centre's place in the interpolator. */
    this.latency = this.delay + TAPS / 2;
    // Per channel: the interpolator's history (a ring of TAPS, written twice over: h[i] = h[i + TAPS], so the
    // window h[historyAt .. historyAt + TAPS) is contiguous) and the delay line (a ring of delay + 1).
    this.history = Array.from({ length: this.channels }, () => new Float64Array(2 * TAPS));
    this.historyAt = 0;
    this.line = Array.from({ length: this.channels }, () => new Float64Array(this.delay + 1));
    this.lineAt = 0;
    // Sliding minimum of the needed gain over the window: a monotonic deque of [index, gain].
    this.minIndex = new Float64Array(this.hold + 1);
    this.minGain = new Float64Array(this.hold + 1);
    this.minHead = 0;
    this.minSize = 0;
    this.sample = 0;
    this.held = 1;
    // Moving average of the held gain over the window.
    this.box = new Float64Array(this.window).fill(1);
    this.boxAt = 0;
    this.boxSum = this.window;
    /** The smallest gain applied since the last read (for a meter). */
    this.lowestGain = 1;
  }

  /** The true-peak estimate (absolute) of the newest interpolation interval, all channels. */
  peakEstimate() {
    const taps = this.taps;
    const from = this.historyAt;
    let peak = 0;
    for (let c = 0; c < this.channels; c++) {
      const h = this.history[c];
      const centre = Math.abs(h[from + TAPS / 2 - 1]);
      if (centre > peak) peak = centre;
      for (let k = 0; k < taps.length; k += TAPS) {
        let v = 0;
        for (let m = 0; m < TAPS; m++) v += taps[k + m] * h[from + m];
        if (v > peak) peak = v;
        else if (-v > peak) peak = -v;
      }
    }
    return peak;
  }

  /** Pushes a needed gain into the sliding minimum and returns the window's minimum. */
  slidingMinimum(gain) {
    const cap = this.hold + 1;
    while (this.minSize > 0 && this.minGain[(this.minHead + this.minSize - 1) % cap] >= gain) this.minSize--;
    const tail = (this.minHead + this.minSize) % cap;
    this.minIndex[tail] = this.sample;
    this.minGain[tail] = gain;
    this.minSize++;
    while (this.minIndex[this.minHead] <= this.sample - this.hold) {
      this.minHead = (this.minHead + 1) % cap;
      this.minSize--;
    }
    return this.minGain[this.minHead];
  }

  /**
   * Limits one block. `input[c]` and `output[c]` are channel arrays of equal length; a missing input channel
   * is silence. Output may be the input (in place).
   * @param {Float32Array[]} input @param {Float32Array[]} output
   */
  process(input, output) {
    const frames = output[0] ? output[0].length : 0;
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < this.channels; c++) {
        const x = input[c] ? input[c][i] : input[0] ? input[0][i] : 0;
        const h = this.history[c];
        h[this.historyAt] = x;
        h[this.historyAt + TAPS] = x;
        if (x > this.quiet || -x > this.quiet) this.loudAt = this.sample;
      }
      this.historyAt = (this.historyAt + 1) % TAPS;
      const peak = this.sample - this.loudAt < TAPS ? this.peakEstimate() : 0;
      const needed = peak > this.ceiling ? this.ceiling / peak : 1;
      const minimum = this.slidingMinimum(needed);
      this.sample++;
      // Release: recover towards 1, never above what the window needs.
      this.held = Math.min(minimum, 1 - (1 - this.held) * this.release);
      this.boxSum += this.held - this.box[this.boxAt];
      this.box[this.boxAt] = this.held;
      this.boxAt = (this.boxAt + 1) % this.window;
      const gain = Math.min(1, this.boxSum / this.window);
      if (gain < this.lowestGain) this.lowestGain = gain;
      // The delay line takes the interpolator's centre sample and gives back the one `delay` samples older.
      const readAt = (this.lineAt + 1) % (this.delay + 1);
      for (let c = 0; c < this.channels; c++) {
        const centre = this.history[c][this.historyAt + TAPS / 2 - 1];
        this.line[c][this.lineAt] = centre;
        const out = output[c];
        if (out) out[i] = this.line[c][readAt] * gain;
      }
      this.lineAt = readAt;
    }
  }

  /** The smallest gain applied since the last call (1 = no limiting), then resets it. */
  takeLowestGain() {
    const lowest = this.lowestGain;
    this.lowestGain = 1;
    return lowest;
  }
}
