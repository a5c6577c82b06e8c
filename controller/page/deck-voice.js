/**
 * One track on a deck: an `<audio>` element reading the track through the controller's page server (HTTP
 * ranges, so only what it buffers is in memory, and a seek reads from where it lands) → its
 * MediaElementAudioSourceNode → a trim gain (loudness normalisation) → an envelope gain (every start, stop,
 * pause, seek and fade is a curve on it, so nothing clicks) → the deck's input.
 */
import { Envelope, MIN_RAMP_SECONDS } from './fade-curves.js';

/** How long after a fade the element is paused or released (the curve has reached silence by then). */
const AFTER_FADE_MS = 30;
/** The longest a resume waits for the element's sound before it fades in anyway. */
const RESUME_WAIT_MS = 300;

export class DeckVoice {
  /**
   * @param {AudioContext} context
   * @param {AudioNode} deckInput
   * @param {string} deck
   * @param {(voice: DeckVoice) => void} onEnded
   */
  constructor(context, deckInput, deck, onEnded) {
    this.context = context;
    this.deck = deck;
    this.audio = new Audio();
    this.audio.preload = 'auto';
    this.source = context.createMediaElementSource(this.audio);
    this.trim = context.createGain();
    const envelopeNode = context.createGain();
    this.envelope = new Envelope(envelopeNode.gain, context, 0);
    this.source.connect(this.trim).connect(envelopeNode).connect(deckInput);
    this.nodes = [this.source, this.trim, envelopeNode];
    this.ended = false;
    this.released = false;
    /** Fading out to its end (fadeOut): playing on, toward silence. */
    this.fadingOut = false;
    this.durationSeconds = 0;
    /** Position kept once the element is released (a track that played to its end). */
    this.finalPosition = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */ this.pending = undefined;
    this.audio.addEventListener('ended', () => {
      this.ended = true;
      this.finalPosition = this.durationSeconds;
      this.releaseElement();
      onEnded(this);
    });
  }

  /**
   * Points the element at the track and waits until it can play from `startAtSeconds` (metadata read,
   * seeked). Resolves to the duration; rejects with the element's error.
   * @param {string} url @param {number} startAtSeconds
   */
  async load(url, startAtSeconds) {
    this.audio.src = url;
    await this.until('loadedmetadata');
    this.durationSeconds = this.audio.duration;
    if (!Number.isFinite(this.durationSeconds)) throw new Error('the media has no known duration (a live stream?)');
    if (startAtSeconds > 0 && startAtSeconds < this.durationSeconds) {
      this.audio.currentTime = startAtSeconds;
      await this.until('seeked');
    }
    return { durationSeconds: this.durationSeconds };
  }

  /** Starts playing and fades in over `seconds` (from silence). */
  async start(seconds, shape = 's') {
    await this.audio.play();
    this.envelope.fadeTo(1, seconds, shape);
  }

  /** Fades out over `seconds`, then pauses the element. */
  pause(seconds) {
    this.clearPending();
    this.envelope.fadeTo(0, seconds);
    this.pending = setTimeout(() => this.audio.pause(), Math.max(MIN_RAMP_SECONDS, seconds) * 1000 + AFTER_FADE_MS);
  }

  /**
   * Fades out over `seconds` and plays on toward its end (a run-of-show item's fade-out before it ends by
   * itself): unlike pause and stop, the element keeps playing, so the track still ends when it ends.
   */
  fadeOut(seconds) {
    if (this.released) return;
    this.fadingOut = true;
    this.envelope.fadeTo(0, seconds);
  }

  /**
   * Plays again (if paused, or still fading out to a pause) and fades in over `seconds`, once the element's
   * sound reaches the graph: `play()` resolves before it does (tens of milliseconds later on a busy machine),
   * and a fade-in over by then let the track come in at full level mid-waveform, a click.
   */
  async resume(seconds) {
    this.clearPending();
    this.fadingOut = false;
    if (this.audio.paused) {
      const from = this.audio.currentTime;
      await this.audio.play();
      await this.untilPositionPasses(from);
    }
    this.envelope.fadeTo(1, seconds);
  }

  /** Waits (at most RESUME_WAIT_MS) until the element's position moves past `seconds`: its sound is being pulled. */
  async untilPositionPasses(seconds) {
    const deadline = performance.now() + RESUME_WAIT_MS;
    while (this.audio.currentTime <= seconds && !this.audio.paused && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Fades out over `seconds` (with a shape), then lets the element go. */
  stop(seconds, shape = 's') {
    this.clearPending();
    if (this.released) return;
    this.envelope.fadeTo(0, seconds, shape);
    this.pending = setTimeout(() => this.releaseElement(), Math.max(MIN_RAMP_SECONDS, seconds) * 1000 + AFTER_FADE_MS);
  }

  /**
   * Moves the position: a short dip to silence around the jump when playing, so it does not click. A voice
   * fading out to its end comes back at full level (where it lands is before or inside its fade-out again).
   */
  async seek(seconds) {
    const playing = !this.audio.paused;
    const level = this.fadingOut ? 1 : this.envelope.target;
    this.fadingOut = false;
    if (playing) {
      this.envelope.fadeTo(0, MIN_RAMP_SECONDS);
      await new Promise((resolve) => setTimeout(resolve, MIN_RAMP_SECONDS * 1000 + 5));
    }
    this.ended = false;
    this.audio.currentTime = seconds;
    await this.until('seeked');
    if (playing) this.envelope.fadeTo(level, MIN_RAMP_SECONDS);
  }

  /** Sets the trim (loudness gain, dB), ramped. @param {number} gainDb */
  setGain(gainDb) {
    const now = this.context.currentTime;
    this.trim.gain.cancelScheduledValues(now);
    this.trim.gain.setValueAtTime(this.trim.gain.value, now);
    this.trim.gain.setTargetAtTime(10 ** (gainDb / 20), now, 0.05);
  }

  /** Sets the trim at once (before the track starts). @param {number} gainDb */
  setGainNow(gainDb) {
    this.trim.gain.value = 10 ** (gainDb / 20);
  }

  status() {
    const position = this.released ? this.finalPosition : this.audio.currentTime;
    return {
      positionSeconds: position,
      durationSeconds: this.durationSeconds,
      playing: !this.released && !this.audio.paused && !this.ended && this.pending === undefined,
      ended: this.ended,
      released: this.released,
      error: this.audio.error ? `${this.audio.error.code} ${this.audio.error.message}` : undefined,
    };
  }

  /** Frees the element's media resources and the nodes (the status keeps the final position). */
  releaseElement() {
    this.clearPending();
    if (this.released) return;
    this.finalPosition = this.ended ? this.durationSeconds : this.audio.currentTime;
    this.released = true;
    this.audio.pause();
    this.audio.removeAttribute('src');
    this.audio.load();
    for (const node of this.nodes) node.disconnect();
  }

  clearPending() {
    clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** Waits for an element event; rejects on the element's error. @param {string} event */
  until(event) {
    return new Promise((resolve, reject) => {
      const onEvent = () => {
        this.audio.removeEventListener('error', onError);
        resolve(undefined);
      };
      const onError = () => {
        this.audio.removeEventListener(event, onEvent);
        const error = this.audio.error;
        reject(new Error(error ? `media error ${error.code}: ${error.message || 'no detail'}` : 'media error'));
      };
      this.audio.addEventListener(event, onEvent, { once: true });
      this.audio.addEventListener('error', onError, { once: true });
    });
  }
}
