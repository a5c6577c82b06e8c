/**
 * The program's audio: a mixing desk. Each deck (program, bed, clip) has a volume GainNode (ramped); each
 * track on a deck is a DeckVoice (an `<audio>` element streaming the track, its loudness trim and its fade
 * envelope). The decks are summed, go through a true-peak limiter (an AudioWorklet) that keeps the mix under
 * the ceiling, an AnalyserNode (level meter), and a MediaStreamAudioDestinationNode whose track is published.
 *
 *   voice ─┐
 *   voice ─┼─ deck volume ─ duck ─┐
 *   voice ─┘                      ├─ limiter ─ analyser ─ stream destination ─► stage
 *              deck volume ─ duck ┘
 *
 * Each deck's duck gain is moved by the VoiceDucker (voice-ducker.js): down while someone on the stage speaks.
 *
 * The controller drives it by voice id (one id per PLAY) through `api()`; which voice belongs where, what
 * replaces what and what is reported is decided in Node (controller/player/).
 */
import { DeckVoice } from './deck-voice.js';
import { VoiceDucker } from './voice-ducker.js';

const VOLUME_TIME_CONSTANT = 0.05;
const DECKS = ['program', 'bed', 'clip'];

export class AudioProgram {
  /** @param {{ ceilingDbtp: number, onDuck: (change: import('./voice-ducker.js').DuckChange) => void }} options */
  constructor(options) {
    // On the default output (in a container, the audio service's fake device): it paces the graph. With no
    // output device (`sinkId: {type: 'none'}`, ~0.02 core less) the graph rendered fewer samples than real
    // time on a loaded machine, and the stage's recording of the program ran ahead of the show's clock
    // (docs/benchmarks.md).
    this.context = new AudioContext({ sampleRate: 48000 });
    this.mix = this.context.createGain();
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.destination = this.context.createMediaStreamDestination();
    this.analyser.connect(this.destination);
    /** @type {Record<string, GainNode>} */
    this.decks = {};
    /** @type {Record<string, GainNode>} */
    this.duckGains = {};
    for (const deck of DECKS) {
      this.decks[deck] = this.context.createGain();
      this.duckGains[deck] = this.context.createGain();
      this.decks[deck].connect(this.duckGains[deck]).connect(this.mix);
    }
    this.ducker = new VoiceDucker(this.context, this.duckGains, options.onDuck);
    // A source that always runs (and outputs zeros): without one, Chromium stops pulling an idle graph,
    // the published track stops delivering audio, and its RTP timestamps stand still while no packet is
    // sent, so the stage sees the next program start in the past. With it, silence is sent as audio.
    this.keepAlive = this.context.createConstantSource();
    this.keepAlive.offset.value = 0;
    this.keepAlive.connect(this.mix);
    this.keepAlive.start();
    this.samples = new Float32Array(this.analyser.fftSize);
    /** @type {Map<string, DeckVoice>} */
    this.voices = new Map();
    /** Loads not yet started, by voice id: whether each may start, once loaded (a start waits for it). @type {Map<string, Promise<boolean>>} */
    this.loading = new Map();
    /** The voice whose track the video tile names (the program deck's). */
    this.tileVoice = { id: null, label: null };
    this.limiterReady = this.context.audioWorklet.addModule('/page/limiter-worklet.js').then(() => {
      this.limiter = new AudioWorkletNode(this.context, 'true-peak-limiter', {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [2],
        channelCount: 2,
        channelCountMode: 'explicit',
        processorOptions: { ceilingDbtp: options.ceilingDbtp },
      });
      this.mix.connect(this.limiter).connect(this.analyser);
    });
  }

  get audioTrack() {
    return this.destination.stream.getAudioTracks()[0];
  }

  /**
   * Makes sure the context runs (autoplay policy is lifted by a browser flag) and the limiter is in place, and
   * starts the warm-up (see warmUp) without waiting for it: what the join needs.
   */
  async start() {
    await this.limiterReady;
    if (this.context.state !== 'running') await this.context.resume();
    this.warmedUp ??= this.warmUp().catch(() => undefined);
  }

  /** start(), and the warm-up done: what a track's load needs. */
  async resume() {
    await this.start();
    await this.warmedUp;
  }

  /**
   * Plays a tenth of a second of silence through a muted voice once, from the join on (while the SDK joins and
   * publishes; the join does not wait for it, ~0.25 s): Chromium starts its media pipeline (threads, demuxer,
   * audio renderer) for the first element it plays, which would otherwise hold up the show's first PLAY by a
   * few hundred milliseconds.
   */
  async warmUp() {
    const rate = 8000;
    const samples = rate / 10;
    const wav = new DataView(new ArrayBuffer(44 + samples * 2));
    const text = (at, value) => [...value].forEach((c, i) => wav.setUint8(at + i, c.charCodeAt(0)));
    text(0, 'RIFF');
    wav.setUint32(4, 36 + samples * 2, true);
    text(8, 'WAVEfmt ');
    wav.setUint32(16, 16, true);
    wav.setUint16(20, 1, true);
    wav.setUint16(22, 1, true);
    wav.setUint32(24, rate, true);
    wav.setUint32(28, rate * 2, true);
    wav.setUint16(32, 2, true);
    wav.setUint16(34, 16, true);
    text(36, 'data');
    wav.setUint32(40, samples * 2, true);
    const url = URL.createObjectURL(new Blob([wav.buffer], { type: 'audio/wav' }));
    const muted = this.context.createGain();
    muted.gain.value = 0;
    muted.connect(this.mix);
    const voice = new DeckVoice(this.context, muted, 'warm-up', () => undefined);
    try {
      await voice.load(url, 0);
      await voice.start(0);
      await new Promise((resolve) => setTimeout(resolve, 150));
    } finally {
      voice.releaseElement();
      muted.disconnect();
      URL.revokeObjectURL(url);
    }
  }

  /** Lets a voice's element go and forgets it. @param {string} voiceId */
  forget(voiceId) {
    this.voices.get(voiceId)?.releaseElement();
    this.voices.delete(voiceId);
  }

  /** @param {string} voiceId */
  voice(voiceId) {
    const voice = this.voices.get(voiceId);
    if (!voice) throw new Error(`no voice ${voiceId}`);
    return voice;
  }

  /** RMS level (0..1) of what the graph sends right now. */
  level() {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const s of this.samples) sum += s * s;
    return Math.sqrt(sum / this.samples.length);
  }

  /** What the video tile shows: the program deck's track. */
  tileStatus() {
    const voice = this.tileVoice.id ? this.voices.get(this.tileVoice.id) : undefined;
    const s = voice?.status();
    return {
      programId: voice ? this.tileVoice.label : null,
      playing: s?.playing ?? false,
      positionSeconds: s?.positionSeconds ?? 0,
      durationSeconds: s ? s.durationSeconds : null,
      level: this.level(),
    };
  }

  /** The operations the controller calls (window.shelcaster.audio). */
  api() {
    return {
      /**
       * Creates a voice on a deck and loads its track from `url` at `startAtSeconds`; resolves to its duration and
       * whether it may start: a track longer than `maxSeconds`, or whose start lies at or past its end, is let
       * go at once (never started). A `start` may be sent before this has resolved: it waits for the load.
       */
      load: (voiceId, deck, url, startAtSeconds, maxSeconds) => {
        const loading = (async () => {
          await this.resume();
          const voice = new DeckVoice(this.context, this.decks[deck], deck, () => undefined);
          this.voices.set(voiceId, voice);
          try {
            const { durationSeconds } = await voice.load(url, startAtSeconds);
            const startable = durationSeconds <= maxSeconds && startAtSeconds < durationSeconds;
            if (!startable) this.forget(voiceId);
            return { durationSeconds, startable };
          } catch (error) {
            this.forget(voiceId);
            throw error;
          }
        })();
        // A load that fails or is refused forgets its voice; a start sent meanwhile finds it through `loading`.
        const settled = loading.then(({ startable }) => startable, () => false);
        this.loading.set(voiceId, settled);
        void settled.then((startable) => {
          if (!startable && this.loading.get(voiceId) === settled) this.loading.delete(voiceId);
        });
        return loading;
      },
      /**
       * Starts a voice with a fade-in, once its load is done; resolves to whether it started (not when its load
       * failed or refused it) and the wall-clock time (ms) it began to play. `replace` fades out (and lets go
       * of) another voice at the same moment: with `crossfade` both use the equal-power pair, so the hand-over
       * keeps an even loudness.
       */
      start: async (voiceId, { gainDb, fadeInSeconds, replace, label }) => {
        const loading = this.loading.get(voiceId);
        this.loading.delete(voiceId);
        const voice = (loading ? await loading : true) ? this.voices.get(voiceId) : undefined;
        if (!voice) return { started: false, atMs: Date.now() };
        voice.setGainNow(gainDb);
        const crossfade = replace && replace.crossfade;
        await voice.start(fadeInSeconds, crossfade ? 'power-in' : 's');
        const atMs = Date.now();
        if (replace) {
          this.voices.get(replace.voiceId)?.stop(replace.fadeOutSeconds, crossfade ? 'power-out' : 's');
          this.voices.delete(replace.voiceId);
        }
        if (voice.deck === 'program') this.tileVoice = { id: voiceId, label };
        return { started: true, atMs };
      },
      pause: (voiceId, fadeOutSeconds) => this.voice(voiceId).pause(fadeOutSeconds),
      /** Fades a voice out and lets it play on, silent, to its end (it ends, and is reported, as it would have). */
      fadeOut: (voiceId, fadeOutSeconds) => this.voice(voiceId).fadeOut(fadeOutSeconds),
      resume: (voiceId, fadeInSeconds) => this.voice(voiceId).resume(fadeInSeconds),
      /** Fades a voice out and forgets it (its element is let go once the fade is over). */
      stop: (voiceId, fadeOutSeconds) => {
        this.loading.delete(voiceId);
        const voice = this.voices.get(voiceId);
        if (!voice) return;
        voice.stop(fadeOutSeconds);
        this.voices.delete(voiceId);
      },
      seek: (voiceId, seconds) => this.voice(voiceId).seek(seconds),
      setGain: (voiceId, gainDb) => this.voice(voiceId).setGain(gainDb),
      /** Ramps a deck's volume (0..1) without clicks. */
      setDeckVolume: (deck, volume) => {
        const gain = this.decks[deck].gain;
        const now = this.context.currentTime;
        gain.cancelScheduledValues(now);
        gain.setValueAtTime(gain.value, now);
        gain.setTargetAtTime(volume, now, VOLUME_TIME_CONSTANT);
      },
      /** Ducking under voices: the show's settings and the contract's timing. */
      setDucking: async (settings, timing) => {
        await this.ducker.ready;
        this.ducker.configure(settings, timing);
      },
      /** Every voice's state and the level sent. */
      status: async () => {
        const voices = {};
        for (const [id, voice] of this.voices) voices[id] = voice.status();
        return { voices, level: this.level(), contextState: this.context.state, ducking: this.ducker.status() };
      },
    };
  }
}
