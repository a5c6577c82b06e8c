/**
 * The jitter buffer of one published audio track. Packets are keyed by (unwrapped) sequence number and
 * placed on the mix's timeline by their RTP timestamp: position = timestamp + offset, where the offset is
 * the smallest transit seen (arrival on the wall clock minus timestamp), so the least delayed packets set
 * the timeline and later ones wait in the buffer. Packets are released in sequence order once the mix
 * reaches them; duplicates and packets whose place was already mixed are dropped, missing ones skipped.
 * A sender whose timestamps jump back or whose clock drifts slower than ours turns late, and is re-anchored
 * on the arrival time after a few late packets; one that paused sending and resumed where its timestamps
 * left off is re-anchored at once.
 *
 * Moving the anchor earlier places the next packet over the end of the previous one: the track overlaps
 * itself for the difference, a click. So once a track has settled (during its first second, usually silence,
 * the anchor follows every smaller transit), the anchor moves earlier only for a difference of ANCHOR_SLACK_MS
 * or more (a sender clock running fast, a timestamp jump); smaller ones are jitter the playout delay absorbs.
 * Settling is counted in arrival time, not packets: after a stall of the receiving process, a burst of
 * delayed packets is read at once, and its last packets (the least delayed) still teach the anchor.
 *
 * A sender that loses samples (a browser's audio under load) drifts the other way: its timestamps fall
 * behind the wall clock, so its packets land earlier and earlier on the timeline (heard before they were
 * played) until they are late. `catchUp()` moves the anchor later by that drift (less CATCH_UP_MARGIN_MS)
 * once it reaches CATCH_UP_DRIFT_MS, and the packets waiting with it: the mixer calls it while the track is silent, where
 * the gap it leaves is not heard. The drift is the least transit of the last DRIFT_WINDOW_MS of arrivals
 * (the least delayed packet of that window) against the anchor.
 */
import { FRAME_SAMPLES, SAMPLE_RATE } from './audio-format.ts';
import type { AudioRtpPacket } from './stage-participants.ts';

/** RTP timestamps of Opus tick at 48 kHz, the mix's rate. */
const RTP_CLOCK_RATE = SAMPLE_RATE;
/** Consecutive late packets after which the track is re-anchored on the arrival time. */
export const REANCHOR_AFTER_LATE_PACKETS = 5;
/** Time from a track's first packet during which its anchor follows every smaller transit. */
export const ANCHOR_SETTLE_MS = 1000;
/** After settling, the least improvement of the transit that moves the anchor earlier. */
export const ANCHOR_SLACK_MS = 40;
/**
 * A late packet that arrived this much longer after the previous one than their timestamps are apart
 * follows a pause of the sender (a browser stops sending while its audio graph is idle, then goes on from
 * the timestamp it stopped at): it is re-anchored at once instead of dropping packets first.
 */
export const SENDER_PAUSE_MS = 500;
/** A drift of the sender behind the anchor this large is caught up (at the next silence). */
export const CATCH_UP_DRIFT_MS = 60;
/**
 * What a catch-up leaves of the drift. A receiver that lagged (not a sender that lost samples) and then
 * recovers brings packets ahead of the moved anchor by what it moved: kept under ANCHOR_SLACK_MS for a lag
 * under CATCH_UP_DRIFT_MS, so the anchor does not then move earlier (an overlap, a click) mid-sound.
 */
export const CATCH_UP_MARGIN_MS = 20;
/** Arrival time over which the least transit (the drift's measure) is taken. */
export const DRIFT_WINDOW_MS = 1000;

export interface BufferedPacket {
  /** Position on the mix's timeline, in samples since the recording started. */
  position: number;
  payload: Uint8Array;
}

export interface TrackBufferStats {
  received: number;
  duplicates: number;
  late: number;
  lost: number;
  reanchors: number;
  /** Times the anchor moved later to catch up a drifting sender (catchUp). */
  catchUps: number;
}

/** Unwraps a wrapping counter of `bits` bits to the value closest to `reference`. */
export function unwrap(value: number, reference: number | undefined, bits: number): number {
  if (reference === undefined) return value;
  const range = 2 ** bits;
  const base = reference - (((reference % range) + range) % range);
  let candidate = base + value;
  if (candidate - reference > range / 2) candidate -= range;
  else if (reference - candidate > range / 2) candidate += range;
  return candidate;
}

/** One track's jitter buffer on the mix's timeline. */
export class RtpTrackBuffer {
  readonly stats: TrackBufferStats = { received: 0, duplicates: 0, late: 0, lost: 0, reanchors: 0, catchUps: 0 };
  private readonly packets = new Map<number, BufferedPacket>();
  private highestSeq: number | undefined;
  private lastTimestamp: number | undefined;
  private lastArrival: number | undefined;
  private firstArrival: number | undefined;
  private offset: number | undefined;
  private lastReleasedSeq: number | undefined;
  private consecutiveLate = 0;
  /** The drift window being filled: where it started (arrival, samples) and its least transit so far. */
  private window: { start: number; least: number } | undefined;
  /** The least transit of the last complete window. */
  private recentLeast: number | undefined;

  /** @param startMs wall-clock time (ms) of timeline position 0. */
  constructor(private readonly startMs: number) {}

  /**
   * Adds a packet. `mixedUntil` is the first timeline position not yet mixed: a packet placed before it
   * is late. Returns false when the packet was dropped.
   */
  push(packet: AudioRtpPacket, mixedUntil: number): boolean {
    this.stats.received++;
    const seq = unwrap(packet.sequenceNumber, this.highestSeq, 16);
    const timestamp = unwrap(packet.timestamp, this.lastTimestamp, 32);
    if (this.packets.has(seq)) {
      this.stats.duplicates++;
      return false;
    }
    if (this.lastReleasedSeq !== undefined && seq <= this.lastReleasedSeq) {
      // Its place was passed: a retransmission of a played packet, or one too late to keep the order.
      this.stats.late++;
      return false;
    }
    const arrival = Math.round(((packet.receivedAtMs - this.startMs) * RTP_CLOCK_RATE) / 1000);
    const afterPause =
      this.highestSeq !== undefined &&
      seq > this.highestSeq &&
      arrival - this.lastArrival! - (timestamp - this.lastTimestamp!) > (SENDER_PAUSE_MS * RTP_CLOCK_RATE) / 1000;
    if (this.highestSeq === undefined || seq > this.highestSeq) {
      this.highestSeq = seq;
      this.lastTimestamp = timestamp;
      this.lastArrival = arrival;
    }
    const transit = arrival - timestamp;
    this.noteTransit(arrival, transit);
    // A smaller transit (less delay, a sender clock running fast, a timestamp jump forward) becomes the anchor.
    this.firstArrival ??= arrival;
    const settled = arrival - this.firstArrival >= (ANCHOR_SETTLE_MS * RTP_CLOCK_RATE) / 1000;
    const slack = settled ? (ANCHOR_SLACK_MS * RTP_CLOCK_RATE) / 1000 : 0;
    if (this.offset === undefined || transit < this.offset - slack) this.offset = transit;
    let position = timestamp + this.offset;
    if (position < mixedUntil) {
      this.consecutiveLate++;
      if (this.consecutiveLate < REANCHOR_AFTER_LATE_PACKETS && !afterPause) {
        this.stats.late++;
        return false;
      }
      this.reanchor(transit);
      position = timestamp + this.offset!;
      if (position < mixedUntil) {
        this.stats.late++;
        return false;
      }
    }
    this.consecutiveLate = 0;
    this.packets.set(seq, { position, payload: packet.payload });
    return true;
  }

  /** Takes, in sequence order, the packets placed before `until` (timeline samples). */
  release(until: number): BufferedPacket[] {
    const due = [...this.packets.entries()].filter(([, p]) => p.position < until).sort(([a], [b]) => a - b);
    const out: BufferedPacket[] = [];
    for (const [seq, packet] of due) {
      this.packets.delete(seq);
      if (this.lastReleasedSeq !== undefined && seq > this.lastReleasedSeq + 1) this.stats.lost += seq - this.lastReleasedSeq - 1;
      if (this.lastReleasedSeq === undefined || seq > this.lastReleasedSeq) this.lastReleasedSeq = seq;
      out.push(packet);
    }
    return out;
  }

  /** Packets waiting. */
  get size(): number {
    return this.packets.size;
  }

  /**
   * Moves the anchor later by the sender's drift (less CATCH_UP_MARGIN_MS) when it is CATCH_UP_DRIFT_MS or
   * more, and every waiting packet with it (each keeps its place relative to the others; a gap as long as the drift opens before them).
   * Call it where a gap is not heard: after a silent packet. Returns the samples moved (0: nothing to catch up).
   */
  catchUp(): number {
    if (this.offset === undefined || this.recentLeast === undefined) return 0;
    const drift = this.recentLeast - this.offset;
    if (drift < (CATCH_UP_DRIFT_MS * RTP_CLOCK_RATE) / 1000) return 0;
    const moved = drift - (CATCH_UP_MARGIN_MS * RTP_CLOCK_RATE) / 1000;
    this.offset += moved;
    for (const packet of this.packets.values()) packet.position += moved;
    this.stats.catchUps++;
    // The drift is measured afresh from the new anchor.
    this.recentLeast = undefined;
    this.window = undefined;
    return moved;
  }

  private noteTransit(arrival: number, transit: number): void {
    if (!this.window) {
      this.window = { start: arrival, least: transit };
      return;
    }
    if (arrival - this.window.start >= (DRIFT_WINDOW_MS * RTP_CLOCK_RATE) / 1000) {
      this.recentLeast = this.window.least;
      this.window = { start: arrival, least: transit };
    } else if (transit < this.window.least) {
      this.window.least = transit;
    }
  }

  private reanchor(transit: number): void {
    this.offset = transit;
    this.consecutiveLate = 0;
    this.recentLeast = undefined;
    this.window = undefined;
    this.stats.reanchors++;
    // Buffered packets keep their positions; the next ones continue from the new anchor.
  }
}
