/**
 * What a participant hears of the stage: every remote participant's audio played through one AudioContext,
 * each through its own AnalyserNode, so a page shows a level meter per participant and the tests measure
 * what arrives with WebAudio (`tap`). Chromium feeds WebAudio from a remote WebRTC track only while the
 * track also plays in a media element, so each stream is kept in a muted one (remote-track-source.js).
 *
 * @typedef {{ stream: MediaStream, element: HTMLAudioElement, source: MediaStreamAudioSourceNode, analyser: AnalyserNode, samples: Float32Array<ArrayBuffer> }} Heard
 */
import { remoteTrackSource } from './remote-track-source.js';

/** The loudness of an analyser's input now (RMS, 0 to 1). */
export function rmsLevel(/** @type {AnalyserNode} */ analyser, /** @type {Float32Array<ArrayBuffer>} */ samples) {
  analyser.getFloatTimeDomainData(samples);
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}

export class StageAudio {
  /** @param {AudioContext} [context] */
  constructor(context) {
    this.context = context ?? new AudioContext();
    /** @type {Map<string, Heard>} */
    this.heard = new Map();
    /** @type {Map<string, AnalyserNode>} */
    this.local = new Map();
  }

  /** Plays a participant's audio track (replacing what played for it before). */
  add(/** @type {string} */ participantId, /** @type {MediaStreamTrack} */ track) {
    this.remove(participantId);
    const { stream, element, source } = remoteTrackSource(this.context, track);
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser).connect(this.context.destination);
    this.heard.set(participantId, { stream, element, source, analyser, samples: new Float32Array(analyser.fftSize) });
  }

  /** Measures a local track (the participant's own microphone) for its meter, without playing it. */
  addLocal(/** @type {string} */ id, /** @type {MediaStreamTrack} */ track) {
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 1024;
    this.context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    this.local.set(id, analyser);
  }

  /** Stops playing a participant. */
  remove(/** @type {string} */ participantId) {
    const heard = this.heard.get(participantId);
    if (!heard) return;
    this.heard.delete(participantId);
    heard.source.disconnect();
    heard.analyser.disconnect();
    heard.element.srcObject = null;
  }

  /** The level (RMS, 0 to 1) of each participant heard, and of the local tracks. */
  levels() {
    /** @type {Map<string, number>} */
    const levels = new Map();
    for (const [id, heard] of this.heard) levels.set(id, rmsLevel(heard.analyser, heard.samples));
    for (const [id, analyser] of this.local) levels.set(id, rmsLevel(analyser, new Float32Array(analyser.fftSize)));
    return levels;
  }

  /** A node carrying what is heard of one participant (for measuring it), or undefined. */
  tap(/** @type {string} */ participantId) {
    return this.heard.get(participantId)?.source;
  }

  /** Resumes the context (after a user gesture, as browsers require). */
  async resume() {
    if (this.context.state !== 'running') await this.context.resume();
  }

  async close() {
    for (const id of [...this.heard.keys()]) this.remove(id);
    this.local.clear();
    await this.context.close().catch(() => undefined);
  }
}
