/**
 * Mixes every audio track of a stage on a wall-clock timeline: frame k (20 ms, 48 kHz stereo) holds what was
 * published between `startMs + k·20 ms` and the next frame, and is rendered once its playout delay has passed
 * (`startMs + (k+1)·20 ms + playoutDelayMs`), with silence where nothing plays. Tracks join and leave at
 * any time. Time comes from the caller (`renderUntil(nowMs)`), so tests drive it with a manual clock.
 */
import { CHANNELS, FRAME_MS, FRAME_SAMPLES, toS16le, type AudioDecoderFactory, type AudioPacketDecoder } from './audio-format.ts';
import { RtpTrackBuffer, type TrackBufferStats } from './rtp-track-buffer.ts';
import type { AudioRtpPacket } from './stage-participants.ts';

/**
 * Default delay between a frame's end and its rendering: the jitter a packet may have and still be mixed.
 * It places nothing on the timeline (packets go by their RTP timestamps); it only says how late a packet
 * may arrive. 200 ms left gaps of ~0.2 s in the recording on a loaded 2-core machine: a publishing Chromium
 * starved of CPU sends a burst late, and the main thread that receives the packets stalls while the mix
 * worker's clock (MixClock) goes on, since it cannot see the main thread's stalls. IVS's own compositions
 * run seconds behind the stage; 600 ms costs the local recording nothing but that much render latency.
 */
export const DEFAULT_PLAYOUT_DELAY_MS = 600;
/** A decoded packet whose every sample is under this (−60 dBFS) is silence: a catch-up's gap there is not heard. */
export const SILENT_SAMPLE = 0.001;

export interface WallClockMixerOptions {
  /** Wall-clock time (ms) of the timeline's start. */
  startMs: number;
  decoderFactory: AudioDecoderFactory;
  playoutDelayMs?: number;
  /** Told when a track's decoder could not be made or a packet could not be decoded. */
  onError?: (message: string, error: unknown) => void;
}

interface MixTrack {
  buffer: RtpTrackBuffer;
  decoder?: AudioPacketDecoder;
  ended: boolean;
  decodeErrors: number;
}

/** The wall-clock mix of a stage's tracks. */
export class WallClockMixer {
  private readonly tracks = new Map<string, MixTrack>();
  /** Frames being summed, by frame index: interleaved stereo float. */
  private readonly pending = new Map<number, Float32Array>();
  private nextFrame = 0;
  private readonly playoutDelayMs: number;

  constructor(private readonly options: WallClockMixerOptions) {
    this.playoutDelayMs = options.playoutDelayMs ?? DEFAULT_PLAYOUT_DELAY_MS;
  }

  /** Frames rendered so far (the recording's length is this × 20 ms). */
  get framesRendered(): number {
    return this.nextFrame;
  }

  /** Adds a packet of a track (a new track id starts a track). */
  push(trackId: string, packet: AudioRtpPacket): void {
    let track = this.tracks.get(trackId);
    if (!track) {
      track = { buffer: new RtpTrackBuffer(this.options.startMs), ended: false, decodeErrors: 0 };
      this.tracks.set(trackId, track);
      this.attachDecoder(trackId, track);
    }
    if (track.ended) return;
    track.buffer.push(packet, this.nextFrame * FRAME_SAMPLES);
  }

  /** Marks a track ended: what it buffered still plays, then it is dropped. */
  endTrack(trackId: string): void {
    const track = this.tracks.get(trackId);
    if (track) track.ended = true;
  }

  /** Renders every frame due by `nowMs`; returns them as s16le stereo (empty when none is due). */
  renderUntil(nowMs: number): Buffer {
    const due = Math.floor((nowMs - this.options.startMs - this.playoutDelayMs) / FRAME_MS);
    const frames: Buffer[] = [];
    while (this.nextFrame < due) frames.push(this.renderFrame());
    return Buffer.concat(frames);
  }

  /** Per-track counters (received, duplicates, late, lost, re-anchors). */
  stats(): Record<string, TrackBufferStats & { decodeErrors: number }> {
    return Object.fromEntries([...this.tracks].map(([id, t]) => [id, { ...t.buffer.stats, decodeErrors: t.decodeErrors }]));
  }

  /** Frees every decoder. */
  close(): void {
    for (const track of this.tracks.values()) track.decoder?.free();
    this.tracks.clear();
    this.pending.clear();
  }

  private renderFrame(): Buffer {
    const frame = this.nextFrame;
    const frameEnd = (frame + 1) * FRAME_SAMPLES;
    for (const [trackId, track] of this.tracks) {
      if (track.decoder) {
        let silent = false;
        for (const packet of track.buffer.release(frameEnd)) silent = this.decodeInto(track, packet.position, packet.payload);
        // A sender drifting behind the wall clock is caught up where the gap is not heard (rtp-track-buffer.ts).
        if (silent) track.buffer.catchUp();
      }
      if (track.ended && track.buffer.size === 0) {
        track.decoder?.free();
        this.tracks.delete(trackId);
      }
    }
    const mixed = this.pending.get(frame) ?? new Float32Array(FRAME_SAMPLES * CHANNELS);
    this.pending.delete(frame);
    this.nextFrame++;
    return toS16le(mixed);
  }

  /** Decodes a packet into the frames it covers; answers whether it was silent (every sample under SILENT_SAMPLE). */
  private decodeInto(track: MixTrack, position: number, payload: Uint8Array): boolean {
    let decoded;
    try {
      decoded = track.decoder!.decode(payload);
    } catch (error) {
      track.decodeErrors++;
      if (track.decodeErrors === 1) this.options.onError?.('An audio packet could not be decoded', error);
      return false;
    }
    const left = decoded.channelData[0];
    if (!left) return false;
    const right = decoded.channelData[1] ?? left;
    let silent = true;
    const firstAllowed = this.nextFrame * FRAME_SAMPLES;
    for (let i = 0; i < decoded.samplesDecoded; i++) {
      const at = position + i;
      if (at < firstAllowed) continue; // that part of the timeline is already rendered
      const frameIndex = Math.floor(at / FRAME_SAMPLES);
      let frame = this.pending.get(frameIndex);
      if (!frame) this.pending.set(frameIndex, (frame = new Float32Array(FRAME_SAMPLES * CHANNELS)));
      const offset = (at - frameIndex * FRAME_SAMPLES) * CHANNELS;
      frame[offset] = frame[offset]! + left[i]!;
      frame[offset + 1] = frame[offset + 1]! + right[i]!;
    }
    for (let i = 0; i < decoded.samplesDecoded && silent; i++) silent = Math.abs(left[i]!) < SILENT_SAMPLE && Math.abs(right[i]!) < SILENT_SAMPLE;
    return silent;
  }

  private attachDecoder(trackId: string, track: MixTrack): void {
    let made: AudioPacketDecoder | Promise<AudioPacketDecoder>;
    try {
      made = this.options.decoderFactory();
    } catch (error) {
      this.options.onError?.(`No decoder for track ${trackId}`, error);
      return;
    }
    if (made instanceof Promise) {
      made.then(
        (decoder) => {
          if (this.tracks.get(trackId) === track) track.decoder = decoder;
          else decoder.free();
        },
        (error: unknown) => this.options.onError?.(`No decoder for track ${trackId}`, error),
      );
    } else {
      track.decoder = made;
    }
  }
}
