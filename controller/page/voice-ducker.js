/**
 * Ducking under voices in the page (contract/ducking.ts): the stage's other participants are heard here (the
 * controller's own program never is: it is not a remote track, and another controller's is left out by
 * role), each through a 100 Hz–4 kHz band-pass into a voice-activity worklet. While anyone speaks and ducking
 * is on, each ducked deck's duck gain (between the deck's volume and the mix) goes down by the depth with the
 * attack time; when the last voice has been quiet for the hold time it comes back with the release time.
 * Every duck and its end is reported (`onChange`) with the wall clock and the settings it used.
 *
 *   remote track ─ muted <audio> (Chromium feeds WebAudio from a remote track only while it plays;
 *        │          #stage-client/remote-track-source)
 *        └─ MediaStreamSource ─ high-pass ─ low-pass ─ voice-activity worklet (no output)
 */
// A shared module by its alias: Node (the unit tests) resolves it with package.json's `imports`, the page with
// the import map in index.html.
import { remoteTrackSource } from '#stage-client/remote-track-source';
import { DuckDecision, dbToGain, timeConstantFor } from './voice-ducking.js';

/** The band voices are measured in (Hz). */
const VOICE_BAND_LOW_HZ = 100;
const VOICE_BAND_HIGH_HZ = 4000;

/**
 * @typedef {{ enabled: boolean, depthDb: number, decks: string[] }} DuckingSettings
 * @typedef {{ attackSeconds: number, holdSeconds: number, releaseSeconds: number, frameSeconds: number, thresholdDbfs: number, onsetSeconds: number }} DuckingTiming
 * @typedef {{ event: 'DUCK' | 'UNDUCK', atMs: number, depthDb: number, decks: string[], cause: string }} DuckChange
 */

export class VoiceDucker {
  /**
   * @param {AudioContext} context
   * @param {Record<string, GainNode>} duckGains the duck gain of each deck that may be ducked
   * @param {(change: DuckChange) => void} onChange
   */
  constructor(context, duckGains, onChange) {
    this.context = context;
    this.duckGains = duckGains;
    this.onChange = onChange;
    this.decision = new DuckDecision();
    this.decision.enabled = false;
    /** @type {DuckingSettings} */
    this.settings = { enabled: false, depthDb: 0, decks: [] };
    /** @type {DuckingTiming | null} */
    this.timing = null;
    /** The decks ducked now, and by how much. */
    this.ducked = { decks: /** @type {string[]} */ ([]), depthDb: 0 };
    /** @type {Map<string, { element: HTMLAudioElement, nodes: AudioNode[], worklet: AudioWorkletNode }>} */
    this.voices = new Map();
    this.ready = context.audioWorklet.addModule('/page/voice-activity-worklet.js');
    /** Resolved by the first `configure` (the VAD's numbers come with it): voices heard before wait for it. */
    this.configured = new Promise((resolve) => {
      this.markConfigured = resolve;
    });
  }

  /**
   * Applies the show's settings (and the timing, from the contract). Switched off, or with other decks or
   * depth, while ducked: the decks no longer ducked come back, the others move to the new depth.
   * @param {DuckingSettings} settings @param {DuckingTiming} timing
   */
  configure(settings, timing) {
    this.settings = { enabled: settings.enabled, depthDb: settings.depthDb, decks: [...settings.decks] };
    this.timing = timing;
    this.markConfigured?.(undefined);
    const change = this.decision.setEnabled(settings.enabled);
    if (change === 'unduck') return this.unduck('SET_DUCKING');
    if (change === 'duck') return this.duck('SET_DUCKING');
    if (this.decision.ducked) {
      // Still ducked: a change of depth or decks ends this duck and starts one with the new settings.
      const same = this.ducked.depthDb === settings.depthDb && this.ducked.decks.join() === [...settings.decks].join();
      if (!same) {
        this.unduck('SET_DUCKING');
        this.duck('SET_DUCKING');
      }
    }
  }

  /** Starts listening to a participant's audio track (replacing what was heard of them). @param {string} id @param {MediaStreamTrack} track */
  async addVoice(id, track) {
    await this.ready;
    await this.configured;
    this.removeVoice(id);
    if (!this.timing || track.readyState === 'ended') return;
    const { element, source } = remoteTrackSource(this.context, track);
    const highPass = new BiquadFilterNode(this.context, { type: 'highpass', frequency: VOICE_BAND_LOW_HZ });
    const lowPass = new BiquadFilterNode(this.context, { type: 'lowpass', frequency: VOICE_BAND_HIGH_HZ });
    const { attackSeconds: _a, releaseSeconds: _r, ...vad } = this.timing;
    const worklet = new AudioWorkletNode(this.context, 'voice-activity', { numberOfInputs: 1, numberOfOutputs: 0, processorOptions: vad });
    worklet.port.onmessage = (event) => this.heard(id, event.data.change === 'start');
    source.connect(highPass).connect(lowPass).connect(worklet);
    this.voices.set(id, { element, nodes: [source, highPass, lowPass], worklet });
  }

  /** Stops listening to a participant (gone, or stopped publishing): they no longer speak. @param {string} id */
  removeVoice(id) {
    const voice = this.voices.get(id);
    if (!voice) return;
    this.voices.delete(id);
    voice.worklet.port.onmessage = null;
    voice.worklet.port.postMessage('stop');
    for (const node of voice.nodes) node.disconnect();
    voice.element.srcObject = null;
    this.heard(id, false);
  }

  /** @param {string} id @param {boolean} speaking */
  heard(id, speaking) {
    const change = this.decision.voice(id, speaking);
    if (change === 'duck') this.duck('VOICE');
    else if (change === 'unduck') this.unduck('VOICE');
  }

  /** @param {string} cause */
  duck(cause) {
    const { depthDb, decks } = this.settings;
    this.ramp(decks, dbToGain(-depthDb), this.timing?.attackSeconds ?? 0); // timing is set by configure, before any duck
    this.ducked = { decks: [...decks], depthDb };
    this.onChange({ event: 'DUCK', atMs: Date.now(), depthDb, decks: [...decks], cause });
  }

  /** @param {string} cause */
  unduck(cause) {
    const { decks, depthDb } = this.ducked;
    this.ramp(decks, 1, this.timing?.releaseSeconds ?? 0);
    this.ducked = { decks: [], depthDb: 0 };
    this.onChange({ event: 'UNDUCK', atMs: Date.now(), depthDb, decks, cause });
  }

  /** Moves the duck gain of some decks towards `gain`, 95 % of the way in `seconds`. @param {string[]} decks @param {number} gain @param {number} seconds */
  ramp(decks, gain, seconds) {
    const now = this.context.currentTime;
    if (seconds <= 0) {
      for (const deck of decks) this.duckGains[deck]?.gain.setValueAtTime(gain, now);
      return;
    }
    for (const deck of decks) {
      const param = this.duckGains[deck]?.gain;
      if (!param) continue;
      param.cancelScheduledValues(now);
      param.setValueAtTime(param.value, now);
      param.setTargetAtTime(gain, now, timeConstantFor(seconds));
    }
  }

  /** Who is heard, who speaks, and what is ducked. */
  status() {
    return {
      listening: [...this.voices.keys()],
      speaking: [...this.decision.speakers],
      ducked: this.decision.ducked ? { ...this.ducked } : null,
      settings: { ...this.settings },
    };
  }
}
