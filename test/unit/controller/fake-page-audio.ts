/**
 * A fake PageAudio for unit tests: a clock-driven mixing desk with the page's semantics (voices that load
 * at an offset, refuse a track too long or an offset past its end, start once loaded, advance while playing,
 * end by themselves; a stop forgets a voice), recording every call.
 */
import type { Deck, DuckingSettings } from '#contract/index';
import type { DeskStatus, PageAudio, StartOptions, VoiceLoaded, VoiceStarted, VoiceStatus } from '#controller/player/page-audio';

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

  /** While set, loads wait for it (a start sent right behind its load waits for the load, as on the page). */
  loadGate: Promise<void> | undefined;
  /** The wall-clock time (ms) a start reports. */
  nowMs = () => Date.now();
  /** When it last paused, resumed, stopped, sought or faded a voice (by nowMs). */
  lastChangeAtMs = 0;
  private readonly loads = new Map<string, Promise<boolean>>();

  load(voiceId: string, deck: Deck, mediaPath: string, startAtSeconds: number, maxSeconds: number): Promise<VoiceLoaded> {
    this.calls.push(`load ${voiceId} ${deck} ${mediaPath} ${startAtSeconds}`);
    const next = this.nextLoad;
    const gate = this.loadGate;
    const loading = (async () => {
      await gate;
      if (next instanceof Error) throw next;
      const { durationSeconds } = next;
      const startable = durationSeconds <= maxSeconds && startAtSeconds < durationSeconds;
      if (startable) this.voices.set(voiceId, { deck, durationSeconds, offset: startAtSeconds, startedAt: null, gainDb: 0 });
      return { durationSeconds, startable };
    })();
    this.loads.set(
      voiceId,
      loading.then(
        (loaded) => loaded.startable,
        () => false,
      ),
    );
    return loading;
  }
  async start(voiceId: string, options: StartOptions): Promise<VoiceStarted> {
    const replace = options.replace ? ` replace ${options.replace.voiceId} ${options.replace.fadeOutSeconds}${options.replace.crossfade ? ' crossfade' : ''}` : '';
    this.calls.push(`start ${voiceId} gain ${options.gainDb} fadeIn ${options.fadeInSeconds}${replace}`);
    const loading = this.loads.get(voiceId);
    this.loads.delete(voiceId);
    const voice = (loading ? await loading : true) ? this.voices.get(voiceId) : undefined;
    if (!voice) return { started: false, atMs: this.nowMs() };
    voice.gainDb = options.gainDb;
    voice.startedAt = this.clockSeconds;
    if (options.replace) this.voices.delete(options.replace.voiceId);
    return { started: true, atMs: this.nowMs() };
  }
  async pause(voiceId: string, fadeOutSeconds: number) {
    this.calls.push(`pause ${voiceId} ${fadeOutSeconds}`);
    this.lastChangeAtMs = this.nowMs();
    const voice = this.voice(voiceId);
    voice.offset = this.position(voice);
    voice.startedAt = null;
  }
  async fadeOut(voiceId: string, fadeOutSeconds: number) {
    this.calls.push(`fadeOut ${voiceId} ${fadeOutSeconds}`);
    this.lastChangeAtMs = this.nowMs();
    this.voice(voiceId);
  }
  async resume(voiceId: string, fadeInSeconds: number) {
    this.calls.push(`resume ${voiceId} ${fadeInSeconds}`);
    this.lastChangeAtMs = this.nowMs();
    this.voice(voiceId).startedAt = this.clockSeconds;
  }
  async stop(voiceId: string, fadeOutSeconds: number) {
    this.calls.push(`stop ${voiceId} ${fadeOutSeconds}`);
    this.lastChangeAtMs = this.nowMs();
    this.loads.delete(voiceId);
    this.voices.delete(voiceId);
  }
  async seek(voiceId: string, seconds: number) {
    this.calls.push(`seek ${voiceId} ${seconds}`);
    this.lastChangeAtMs = this.nowMs();
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
