/**
 * The AudioWorklet that measures voice activity on one participant's audio (see voice-ducking.js). Options:
 * `processorOptions: { frameSeconds, thresholdDbfs, onsetSeconds, holdSeconds }`. It posts
 * `{ change: 'start' | 'end', atContextSeconds }` when speech starts or ends (the context time of the end of
 * the frame that decided it). It has no output: it only listens. `'stop'` on its port ends it (the participant
 * left), so the context lets it go.
 */
import { VoiceActivityDetector } from './voice-ducking.js';

class VoiceActivityProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.detector = new VoiceActivityDetector({ sampleRate, ...options.processorOptions });
    /** The context time of the first sample taken in. */
    this.origin = currentTime;
    this.mono = new Float32Array(128);
    this.alive = true;
    this.port.onmessage = (event) => {
      if (event.data === 'stop') this.alive = false;
    };
  }

  process(inputs) {
    if (!this.alive) return false;
    const channels = inputs[0] ?? [];
    const frames = channels[0]?.length ?? 128;
    if (this.mono.length !== frames) this.mono = new Float32Array(frames);
    this.mono.fill(0);
    // A mono mix of the channels (none while the track sends nothing: silence).
    for (const channel of channels) for (let i = 0; i < frames; i++) this.mono[i] += channel[i] / channels.length;
    for (const { change, atSample } of this.detector.process(this.mono)) {
      this.port.postMessage({ change, atContextSeconds: this.origin + atSample / sampleRate });
    }
    return true;
  }
}

registerProcessor('voice-activity', VoiceActivityProcessor);
