/**
 * Ducking under voices, as plain functions and small state machines (no WebAudio here): run by the page's
 * voice-activity worklet and its ducker, and by the unit tests as they are. The numbers (threshold, onset,
 * hold, attack, release) come from the contract (contract/ducking.ts), sent by the controller.
 *
 * - VoiceActivityDetector: one per participant heard. Cuts the audio into frames, measures each frame's RMS
 *   level (dBFS) and says when speech starts (the level above the threshold for `onsetSeconds` in a row) and
 *   when it ends (below it for `holdSeconds`: the pause between words is not an end).
 * - DuckDecision: any participant speaking (and ducking on) → duck; nobody → unduck.
 * - The gain's curve: WebAudio's setTargetAtTime, a first-order approach whose time constant makes it reach
 *   95 % of the way within the attack (or release) time; `duckGainAt` is that curve, for the tests and the docs.
 */

/** ln(20): a first-order approach is 95 % of the way after this many time constants. */
const TIME_CONSTANTS_TO_95_PERCENT = Math.log(20);

/** The level below which a frame is taken as digital silence (dBFS). */
export const SILENCE_DBFS = -120;

/** @param {number} db */
export const dbToGain = (db) => 10 ** (db / 20);

/** The time constant (s) of a setTargetAtTime that gets 95 % of the way in `seconds`. @param {number} seconds */
export const timeConstantFor = (seconds) => seconds / TIME_CONSTANTS_TO_95_PERCENT;

/**
 * The gain `t` seconds after a change from `from` towards `to` began, reaching 95 % of the way at `seconds`
 * (what setTargetAtTime plays). @param {number} from @param {number} to @param {number} seconds @param {number} t
 */
export function duckGainAt(from, to, seconds, t) {
  if (t <= 0) return from;
  return to + (from - to) * Math.exp(-t / timeConstantFor(seconds));
}

/** RMS level of some samples, in dBFS (SILENCE_DBFS for silence). @param {ArrayLike<number>} samples */
export function levelDbfs(samples) {
  if (samples.length === 0) return SILENCE_DBFS;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length);
  return rms > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(rms)) : SILENCE_DBFS;
}

/**
 * One step of the detector on one frame's level: the state after it, and whether speech started or ended
 * there. Pure.
 * @param {{ speaking: boolean, above: number, below: number }} state frames above / below the threshold in a row
 * @param {number} levelDb
 * @param {{ thresholdDbfs: number, onsetFrames: number, holdFrames: number }} params
 * @returns {{ state: { speaking: boolean, above: number, below: number }, change: 'start' | 'end' | null }}
 */
export function vadStep(state, levelDb, params) {
  const loud = levelDb > params.thresholdDbfs;
  const above = loud ? state.above + 1 : 0;
  const below = loud ? 0 : state.below + 1;
  if (!state.speaking && above >= params.onsetFrames) return { state: { speaking: true, above, below }, change: 'start' };
  if (state.speaking && below >= params.holdFrames) return { state: { speaking: false, above, below }, change: 'end' };
  return { state: { speaking: state.speaking, above, below }, change: null };
}

export class VoiceActivityDetector {
  /**
   * @param {{ sampleRate: number, frameSeconds: number, thresholdDbfs: number, onsetSeconds: number, holdSeconds: number }} options
   */
  constructor(options) {
    this.frameLength = Math.max(1, Math.round(options.sampleRate * options.frameSeconds));
    this.params = {
      thresholdDbfs: options.thresholdDbfs,
      onsetFrames: Math.max(1, Math.round(options.onsetSeconds / options.frameSeconds)),
      holdFrames: Math.max(1, Math.round(options.holdSeconds / options.frameSeconds)),
    };
    this.frame = new Float32Array(this.frameLength);
    this.filled = 0;
    /** Samples taken in so far. */
    this.position = 0;
    this.state = { speaking: false, above: 0, below: 0 };
  }

  get speaking() {
    return this.state.speaking;
  }

  /**
   * Takes the next samples; answers each start and end of speech found in them, with the sample (counted from
   * the first taken in) at the end of the frame that decided it.
   * @param {Float32Array} samples
   * @returns {{ change: 'start' | 'end', atSample: number }[]}
   */
  process(samples) {
    /** @type {{ change: 'start' | 'end', atSample: number }[]} */
    const changes = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(this.frameLength - this.filled, samples.length - at);
      this.frame.set(samples.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      this.position += take;
      if (this.filled < this.frameLength) break;
      this.filled = 0;
      const step = vadStep(this.state, levelDbfs(this.frame), this.params);
      this.state = step.state;
      if (step.change) changes.push({ change: step.change, atSample: this.position });
    }
    return changes;
  }
}

/**
 * Whether the decks are ducked, from who speaks and whether ducking is on: `update` answers `duck` or `unduck`
 * when that changes, else null.
 */
export class DuckDecision {
  constructor() {
    /** @type {Set<string>} */
    this.speakers = new Set();
    this.enabled = true;
    this.ducked = false;
  }

  /** A participant started or stopped speaking, or left (`speaking` false). @param {string} id @param {boolean} speaking */
  voice(id, speaking) {
    if (speaking) this.speakers.add(id);
    else this.speakers.delete(id);
    return this.update();
  }

  /** Ducking switched on or off. @param {boolean} enabled */
  setEnabled(enabled) {
    this.enabled = enabled;
    return this.update();
  }

  /** @returns {'duck' | 'unduck' | null} */
  update() {
    const duck = this.enabled && this.speakers.size > 0;
    if (duck === this.ducked) return null;
    this.ducked = duck;
    return duck ? 'duck' : 'unduck';
  }
}
