/**
 * The mixing desk of the console: the fade settings every command takes, the commands of the track rows, the
 * bed slot and the clip pads, and how each deck and each track's loudness are shown. Pure functions (the page
 * wiring is in main.ts).
 */
import type { CommandInput } from '#contract/commands';
import { MAX_FADE_SECONDS, TARGET_LOUDNESS_LUFS, type Deck, type DecksNowPlaying, type SingleDeckNowPlaying } from '#contract/decks';
import type { TrackView } from '#contract/api-responses';

/** The fade settings of the desk (seconds). */
export interface FadeSettings {
  fadeInSeconds: number;
  fadeOutSeconds: number;
  crossfadeSeconds: number;
}

/** A fade setting typed by the host, kept within 0..MAX_FADE_SECONDS (an empty or bad field is 0). */
export function fadeSeconds(text: string): number {
  const value = Number(text);
  return Number.isFinite(value) ? Math.min(MAX_FADE_SECONDS, Math.max(0, value)) : 0;
}

/** PLAY of a track on a deck with the desk's fades (a clip fires at once: no fade). */
export function playCommand(track: TrackView, deck: Deck, fades: FadeSettings): CommandInput {
  const base = { type: 'PLAY_MEDIA', programId: track.trackId, programUrl: track.programUrl, deck } as const;
  if (deck === 'clip') return base;
  return {
    ...base,
    ...(fades.fadeInSeconds > 0 ? { fadeInSeconds: fades.fadeInSeconds } : {}),
    ...(fades.crossfadeSeconds > 0 ? { crossfadeSeconds: fades.crossfadeSeconds } : {}),
  };
}

/** The loudness column of a track: measured, still measuring, or why not. */
export function describeLoudness(track: TrackView): string {
  if (track.loudness) {
    const gain = TARGET_LOUDNESS_LUFS - track.loudness.integratedLufs;
    const sign = gain >= 0 ? '+' : '−';
    return `${track.loudness.integratedLufs.toFixed(1)} LUFS, peak ${track.loudness.truePeakDbtp.toFixed(1)} dBTP (plays ${sign}${Math.abs(gain).toFixed(1)} dB)`;
  }
  if (track.loudnessError) return `not measured: ${track.loudnessError}`;
  return 'measuring…';
}

/** One line for a single deck (program, bed). */
export function describeDeck(name: string, deck: SingleDeckNowPlaying | undefined, titleOf: (programId: string) => string, position: number): string {
  if (!deck || !deck.programId || deck.state === 'STOPPED') return `${name}: nothing`;
  const total = deck.durationSeconds === null ? '' : ` / ${clockOf(deck.durationSeconds)}`;
  return `${name}: ${deck.state === 'PLAYING' ? 'playing' : 'paused'} ${titleOf(deck.programId)} — ${clockOf(position)}${total} — volume ${Math.round(deck.volume * 100)} %`;
}

/** The clips sounding now. */
export function describeClips(decks: DecksNowPlaying | undefined, titleOf: (programId: string) => string): string {
  const clips = decks?.clip.clips ?? [];
  if (clips.length === 0) return 'Clips: none';
  return `Clips: ${clips.map((c) => titleOf(c.programId)).join(', ')}`;
}

function clockOf(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
