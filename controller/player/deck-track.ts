/**
 * A track on a deck, as the player knows it, and how it reads the page's status: a track whose voice ended,
 * failed or is gone has STOPPED at its end.
 */
import type { DeckPlayState, DeckTrackNowPlaying, TrackLoudness } from '#contract/index';
import type { MediaHandle } from '../media/media-proxy.ts';
import type { DeskStatus } from './page-audio.ts';

export interface DeckTrack {
  voiceId: string;
  programId: string;
  programUrl: string;
  durationSeconds: number;
  loudness: TrackLoudness | undefined;
  /** Loudness gain applied now (dB). */
  gainDb: number;
  state: DeckPlayState;
  /** Where it stopped, once STOPPED (its end when it played out). */
  stoppedAt?: number;
  /** Fading out to its end while it plays on (MediaPlayer.fadeOut), until a seek or a resume brings it back. */
  fadingOut?: boolean;
  media: MediaHandle;
}

/** Notices a PLAYING track whose voice played to its end (or failed, or is gone): it is STOPPED at its end. Returns true if it changed. */
export function settleTrack(track: DeckTrack, status: DeskStatus): boolean {
  if (track.state !== 'PLAYING') return false;
  const voice = status.voices[track.voiceId];
  if (voice && !voice.ended && !voice.error && !voice.released) return false;
  track.state = 'STOPPED';
  track.stoppedAt = track.durationSeconds;
  return true;
}

/** A track's report; the position from the page's status (exact: the media element's own clock). */
export function trackNowPlaying(track: DeckTrack, status: DeskStatus): DeckTrackNowPlaying {
  const voice = status.voices[track.voiceId];
  const position = track.state === 'STOPPED' ? (track.stoppedAt ?? track.durationSeconds) : (voice?.positionSeconds ?? 0);
  return {
    programId: track.programId,
    state: track.state,
    positionSeconds: roundMs(Math.min(position, track.durationSeconds)),
    durationSeconds: roundMs(track.durationSeconds),
    gainDb: Math.round(track.gainDb * 100) / 100,
  };
}

export function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
