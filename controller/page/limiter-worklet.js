/**
 * The AudioWorklet that runs the true-peak limiter on the mix (see true-peak-limiter.js). Options:
 * `processorOptions: { ceilingDbtp }`. It posts the lowest gain it applied when asked (`'meter'`).
 */
import { TruePeakLimiter } from './true-peak-limiter.js';

class TruePeakLimiterProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const channels = options.outputChannelCount?.[0] ?? 2;
    this.limiter = new TruePeakLimiter({ sampleRate, channels, ceilingDbtp: options.processorOptions.ceilingDbtp });
    this.port.onmessage = (event) => {
      if (event.data === 'meter') this.port.postMessage({ lowestGain: this.limiter.takeLowestGain() });
    };
  }

  process(inputs, outputs) {
    this.limiter.process(inputs[0] ?? [], outputs[0]);
    return true;
  }
}

registerProcessor('true-peak-limiter', TruePeakLimiterProcessor);
