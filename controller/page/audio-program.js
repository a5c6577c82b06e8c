/**
 * The program's audio: AudioBufferSourceNode → envelope gain (fades at start/stop, no clicks) →
 * volume GainNode (ramped) → AnalyserNode (level meter) → MediaStreamAudioDestinationNode.
 */

const VOLUME_TIME_CONSTANT = 0.05;
const FADE_TIME_CONSTANT = 0.005;
/** How long after a stop the old source and its envelope are disconnected (after the fade-out). */
const SOURCE_RELEASE_MS = 200;
const FADE_SECONDS = 0.03;

export class AudioProgram {
  constructor() {
    this.context = new AudioContext({ sampleRate: 48000 });
    this.volumeGain = this.context.createGain();
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.destination = this.context.createMediaStreamDestination();
    this.volumeGain.connect(this.analyser).connect(this.destination);
    // A source that always runs (and outputs zeros): without one, Chromium stops pulling an idle graph,
    // the published track stops delivering audio, and its RTP timestamps stand still while no packet is
    // sent, so the stage sees the next program start in the past. With it, silence is sent as audio.
    this.keepAlive = this.context.createConstantSource();
    this.keepAlive.offset.value = 0;
    this.keepAlive.connect(this.destination);
    this.keepAlive.start();
    this.samples = new Float32Array(this.analyser.fftSize);
    /** @type {AudioBuffer | null} */ this.buffer = null;
    /** @type {AudioBuffer | null} */ this.pending = null;
    this.current = null; // { source, envelope, startedAt, offset }
    this.pausedAt = 0;
    this.ended = false;
    this.volume = 1;
  }

  get audioTrack() {
    return this.destination.stream.getAudioTracks()[0];
  }

  /** Makes sure the context runs (autoplay policy is lifted by a browser flag). */
  async resume() {
    if (this.context.state !== 'running') await this.context.resume();
  }

  /** Fetches and decodes a media file into the pending slot; the current program plays on. */
  async load(path) {
    const response = await fetch(path);
    if (!response.ok) throw new Error(`media fetch from controller failed: HTTP ${response.status}`);
    const bytes = await response.arrayBuffer();
    this.pending = await this.context.decodeAudioData(bytes);
    return { durationSeconds: this.pending.duration };
  }

  /** Drops a loaded program that will not be played. */
  discardPending() {
    this.pending = null;
    releaseMemory();
  }

  /** Replaces the program with the pending one and starts it at an offset. */
  startPending(offsetSeconds) {
    if (!this.pending) throw new Error('No program is loaded');
    this.stopSource();
    this.buffer = this.pending;
    this.pending = null;
    this.startAt(offsetSeconds);
    releaseMemory();
  }

  /** Starts (or restarts) the current program at an offset. */
  startAt(offsetSeconds) {
    if (!this.buffer) throw new Error('No program');
    this.stopSource();
    const now = this.context.currentTime;
    const source = this.context.createBufferSource();
    source.buffer = this.buffer;
    const envelope = this.context.createGain();
    envelope.gain.setValueAtTime(0, now);
    envelope.gain.setTargetAtTime(1, now, FADE_TIME_CONSTANT);
    source.connect(envelope).connect(this.volumeGain);
    const entry = { source, envelope, startedAt: now, offset: offsetSeconds };
    source.onended = () => {
      if (this.current === entry) {
        this.current = null;
        this.pausedAt = this.buffer ? this.buffer.duration : 0;
        this.ended = true;
      }
    };
    this.ended = false;
    this.current = entry;
    source.start(now, offsetSeconds);
  }

  /** Pauses: remembers the position and stops the source with a short fade. */
  pause() {
    this.pausedAt = this.position();
    this.stopSource();
    return this.pausedAt;
  }

  /** Stops and forgets the program. */
  stop() {
    this.stopSource();
    this.buffer = null;
    this.pending = null;
    this.pausedAt = 0;
    this.ended = false;
    releaseMemory();
  }

  /** Moves the position; keeps playing if it was. */
  seek(seconds) {
    if (!this.buffer) throw new Error('No program');
    if (this.current) this.startAt(seconds);
    else this.pausedAt = seconds;
  }

  /** Ramps the volume (0..1) without clicks. */
  setVolume(volume) {
    const now = this.context.currentTime;
    this.volume = volume;
    this.volumeGain.gain.cancelScheduledValues(now);
    this.volumeGain.gain.setValueAtTime(this.volumeGain.gain.value, now);
    this.volumeGain.gain.setTargetAtTime(volume, now, VOLUME_TIME_CONSTANT);
  }

  /** Position in seconds of the current program. */
  position() {
    if (!this.current) return this.pausedAt;
    const p = this.current.offset + (this.context.currentTime - this.current.startedAt);
    return this.buffer ? Math.min(p, this.buffer.duration) : p;
  }

  /** RMS level (0..1) of what the graph sends right now. */
  level() {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const s of this.samples) sum += s * s;
    return Math.sqrt(sum / this.samples.length);
  }

  status() {
    return {
      loaded: this.buffer !== null,
      playing: this.current !== null,
      ended: this.ended,
      positionSeconds: this.position(),
      durationSeconds: this.buffer ? this.buffer.duration : null,
      volume: this.volume,
      level: this.level(),
      contextState: this.context.state,
    };
  }

  stopSource() {
    const entry = this.current;
    this.current = null;
    if (!entry) return;
    const now = this.context.currentTime;
    entry.source.onended = null;
    entry.envelope.gain.cancelScheduledValues(now);
    entry.envelope.gain.setValueAtTime(entry.envelope.gain.value, now);
    entry.envelope.gain.setTargetAtTime(0, now, FADE_TIME_CONSTANT);
    entry.source.stop(now + FADE_SECONDS);
    setTimeout(() => {
      entry.source.disconnect();
      entry.envelope.disconnect();
    }, SOURCE_RELEASE_MS);
  }
}

/**
 * Collects garbage now when the browser exposes gc() (the controller starts Chromium with
 * --js-flags=--expose-gc): decoded programs are large external allocations that V8 would keep for a while.
 */
function releaseMemory() {
  const collect = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  // After the stopped source has faded out and been disconnected (SOURCE_RELEASE_MS), nothing holds it.
  if (typeof collect === 'function') setTimeout(() => collect(), SOURCE_RELEASE_MS + 50);
}
