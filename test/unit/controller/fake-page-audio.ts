/**
 * A fake PageAudio for unit tests: a clock-driven mixing desk with the page's semantics (voices that load
 * at an offset, advance while playing, end by themselves; a stop forgets a voice), recording every call.
 */
import type { Deck, DuckingSettings } from '#contract/index';
import type { DeskStatus, PageAudio, StartOptions, VoiceStatus } from '#controller/player/page-audio';

interface FakeVoice {
  deck: Deck;
  durationSeconds: number;
  offset: number;
  startedAt: number | null;
  gainDb: number;
}

export class FakePageAudio implements PageAudio {
  calls: string[] = [];
  /** Duration the next load reports, or an error to throw. */
  nextLoad: { durationSeconds: number } | Error = { durationSeconds: 60 };
  clockSeconds = 0;
  volumes: Record<string, number> = {};
  readonly voices = new Map<string, FakeVoice>();

  async load(voiceId: string, deck: Deck, mediaPath: string, startAtSeconds: number) {
    this.calls.push(`load ${voiceId} ${deck} ${mediaPath} ${startAtSeconds}`);
    if (this.nextLoad instanceof Error) throw this.nextLoad;
    this.voices.set(voiceId, { deck, durationSeconds: this.nextLoad.durationSeconds, offset: startAtSeconds, startedAt: null, gainDb: 0 });
    return this.nextLoad;
  }
  async start(voiceId: string, options: StartOptions) {
    const replace = options.replace ? ` replace ${options.replace.voiceId} ${options.replace.fadeOutSeconds}${options.replace.crossfade ? ' crossfade' : ''}` : '';
    this.calls.push(`start ${voiceId} gain ${options.gainDb} fadeIn ${options.fadeInSeconds}${replace}`);
    const voice = this.voice(voiceId);
    voice.gainDb = options.gainDb;
    voice.startedAt = this.clockSeconds;
    if (options.replace) this.voices.delete(options.replace.voiceId);
  }
  async pause(voiceId: string, fadeOutSeconds: number) {
    this.calls.push(`pause ${voiceId} ${fadeOutSeconds}`);
    const voice = this.voice(voiceId);
    voice.offset = this.position(voice);
    voice.startedAt = null;
  }
  async fadeOut(voiceId: string, fadeOutSeconds: number) {
    this.calls.push(`fadeOut ${voiceId} ${fadeOutSeconds}`);
    this.voice(voiceId);
  }
  async resume(voiceId: string, fadeInSeconds: number) {
    this.calls.push(`resume ${voiceId} ${fadeInSeconds}`);
    this.voice(voiceId).startedAt = this.clockSeconds;
  }
  async stop(voiceId: string, fadeOutSeconds: number) {
    this.calls.push(`stop ${voiceId} ${fadeOutSeconds}`);
    this.voices.delete(voiceId);
  }
  async seek(voiceId: string, seconds: number) {
    this.calls.push(`seek ${voiceId} ${seconds}`);
    const voice = this.voice(voiceId);
    voice.offset = seconds;
    if (voice.startedAt !== null) voice.startedAt = this.clockSeconds;
  }
  ducking: DuckingSettings | undefined;
  async setDucking(settings: DuckingSettings) {
    this.calls.push(`setDucking ${settings.enabled ? 'on' : 'off'} ${settings.depthDb} ${settings.decks.join('+')}`);
    this.ducking = settings;
  }
  async setGain(voiceId: string, gainDb: number) {
    this.calls.push(`setGain ${voiceId} ${gainDb}`);
    this.voice(voiceId).gainDb = gainDb;
  }
  async setDeckVolume(deck: Deck, volume: number) {
    this.calls.push(`setDeckVolume ${deck} ${volume}`);
    this.volumes[deck] = volume;
  }
  async status(): Promise<DeskStatus> {
    const voices: Record<string, VoiceStatus> = {};
    for (const [id, voice] of this.voices) {
      const position = this.position(voice);
      const ended = position >= voice.durationSeconds;
      voices[id] = { positionSeconds: position, durationSeconds: voice.durationSeconds, playing: voice.startedAt !== null && !ended, ended, released: ended };
    }
    return { voices, level: 0 };
  }
  private voice(voiceId: string): FakeVoice {
    const voice = this.voices.get(voiceId);
    if (!voice) throw new Error(`no voice ${voiceId}`);
    return voice;
  }
  private position(voice: FakeVoice): number {
    const p = voice.startedAt === null ? voice.offset : voice.offset + (this.clockSeconds - voice.startedAt);
    return Math.min(p, voice.durationSeconds);
  }
}
