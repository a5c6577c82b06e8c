import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '#local-cloud/stage/audio-format';
import { ANCHOR_SETTLE_MS, ANCHOR_SLACK_MS, CATCH_UP_DRIFT_MS, CATCH_UP_MARGIN_MS, RtpTrackBuffer, SENDER_PAUSE_MS } from '#local-cloud/stage/rtp-track-buffer';

const START_MS = 1_700_000_000_000;
const TS_BASE = 90_000;
const samplesOf = (ms: number) => (ms * 48_000) / 1000;
/** Packets sent during the settling time. */
const SETTLE_PACKETS = ANCHOR_SETTLE_MS / 20;

/** Packet `index` of a sender that sends a 20 ms frame every 20 ms, arriving `delayMs` after it was due. */
function packet(index: number, delayMs: number, options: { timestampIndex?: number; readAtMs?: number } = {}) {
  return {
    sequenceNumber: 500 + index,
    timestamp: TS_BASE + (options.timestampIndex ?? index) * FRAME_SAMPLES,
    payload: new Uint8Array([index % 256]),
    receivedAtMs: START_MS + (options.readAtMs ?? index * 20 + delayMs),
  };
}

/** Releases everything and returns the positions in sequence order. */
function positions(buffer: RtpTrackBuffer): number[] {
  return buffer.release(Number.MAX_SAFE_INTEGER).map((p) => p.position);
}

describe('RtpTrackBuffer', () => {
  it('lets the least delayed of its first packets set the anchor', () => {
    const buffer = new RtpTrackBuffer(START_MS);
    buffer.push(packet(0, 30), 0);
    buffer.push(packet(1, 0), 0);
    buffer.push(packet(2, 10), 0);
    const placed = positions(buffer);
    // Packet 1's transit (the smallest) anchors the track: packet i sits at i frames after the start.
    expect(placed.slice(1)).toEqual([FRAME_SAMPLES, 2 * FRAME_SAMPLES]);
  });

  it('keeps a settled track contiguous when a packet comes with less delay than the anchor (no self-overlap)', () => {
    const buffer = new RtpTrackBuffer(START_MS);
    for (let i = 0; i <= SETTLE_PACKETS; i++) buffer.push(packet(i, 20), 0);
    const settled = positions(buffer);
    const next = SETTLE_PACKETS + 1;
    // 15 ms less delay than every packet before: jitter, within the slack.
    buffer.push(packet(next, 5), 0);
    buffer.push(packet(next + 1, 20), 0);
    const after = positions(buffer);
    expect(after[0]! - settled.at(-1)!).toBe(FRAME_SAMPLES);
    expect(after[1]! - after[0]!).toBe(FRAME_SAMPLES);
  });

  it('moves a settled anchor earlier when packets come a slack or more ahead of it', () => {
    const buffer = new RtpTrackBuffer(START_MS);
    for (let i = 0; i <= SETTLE_PACKETS; i++) buffer.push(packet(i, ANCHOR_SLACK_MS + 20), 0);
    const last = positions(buffer).at(-1)!;
    buffer.push(packet(SETTLE_PACKETS + 1, 10), 0);
    const [moved] = positions(buffer);
    expect(last + FRAME_SAMPLES - moved!).toBe(samplesOf(ANCHOR_SLACK_MS + 10));
  });

  it('learns its anchor from the last packets of a burst read after a stall in its first second, and keeps it', () => {
    const buffer = new RtpTrackBuffer(START_MS);
    // The receiving process stalls for 1.5 s from the start: packets 0–74 are read at once, then on time.
    for (let i = 0; i < 75; i++) buffer.push(packet(i, 5, { readAtMs: 1500 }), 0);
    positions(buffer);
    for (let i = 75; i < 75 + 2 * SETTLE_PACKETS; i++) buffer.push(packet(i, i % 2 === 0 ? 5 : 25), 0);
    const placed = positions(buffer);
    // The least delayed packet (5 ms) anchors the track, and settled packets follow it contiguously.
    expect(placed.at(-1)).toBe(samplesOf((74 + 2 * SETTLE_PACKETS) * 20 + 5));
    const settled = placed.slice(SETTLE_PACKETS);
    expect(settled.every((p, i) => i === 0 || p - settled[i - 1]! === FRAME_SAMPLES)).toBe(true);
  });

  it('re-anchors at once, dropping nothing, when a sender resumes after a pause where its timestamps stopped', () => {
    const buffer = new RtpTrackBuffer(START_MS);
    for (let i = 0; i < 10; i++) buffer.push(packet(i, 5), 0);
    positions(buffer);
    // The sender sends nothing for 1.5 s; its next packet carries the next timestamp.
    const pauseFrames = 75;
    const resumed = packet(10 + pauseFrames, 5, { timestampIndex: 10 });
    const mixedUntil = samplesOf(10 * 20 + pauseFrames * 20 - 200);
    expect(buffer.push(resumed, mixedUntil)).toBe(true);
    expect(buffer.push(packet(11 + pauseFrames, 5, { timestampIndex: 11 }), mixedUntil)).toBe(true);
    const [first, second] = positions(buffer);
    expect(first).toBe(samplesOf((10 + pauseFrames) * 20 + 5)); // where it arrived
    expect(second! - first!).toBe(FRAME_SAMPLES);
    expect(buffer.stats).toMatchObject({ late: 0, reanchors: 1 });
  });

  it('still drops a late packet that is only delayed (no pause) until several in a row are late', () => {
    const buffer = new RtpTrackBuffer(START_MS);
    for (let i = 0; i < 10; i++) buffer.push(packet(i, 5), 0);
    positions(buffer);
    // Packet 10 arrives on time but the mix already passed its place (it is jitter, not a pause).
    expect(buffer.push(packet(10, 5 + SENDER_PAUSE_MS / 2), samplesOf(11 * 20))).toBe(false);
    expect(buffer.stats).toMatchObject({ late: 1, reanchors: 0 });
  });

  describe('a sender whose timestamps fall behind the wall clock (it loses samples)', () => {
    /** Packets 0..count-1 of a sender that loses 1 ms in every 20 ms frame: packet i arrives i ms later than its timestamp says. */
    function drifting(buffer: RtpTrackBuffer, count: number): void {
      for (let i = 0; i < count; i++) buffer.push(packet(i, 0, { readAtMs: i * 21 }), 0);
    }

    it('catches up once the least delay of a second of arrivals is CATCH_UP_DRIFT_MS behind, moving its waiting packets too', () => {
      const buffer = new RtpTrackBuffer(START_MS);
      // Windows of 1 s of arrivals start at packets 0, 48, 96 and 144: after 150 packets the last complete
      // window's least delay is packet 96's, 96 ms.
      drifting(buffer, 150);
      expect(96).toBeGreaterThanOrEqual(CATCH_UP_DRIFT_MS);
      expect(buffer.catchUp()).toBe(samplesOf(96 - CATCH_UP_MARGIN_MS));
      // Packet 0 set the anchor (no delay); every waiting packet moved later by the catch-up.
      const placed = positions(buffer);
      expect(placed[0]).toBe(samplesOf(96 - CATCH_UP_MARGIN_MS));
      expect(placed.at(-1)).toBe(samplesOf(149 * 20 + 96 - CATCH_UP_MARGIN_MS));
      expect(buffer.stats.catchUps).toBe(1);
      // The next packets continue from the moved anchor, and the drift is measured afresh: no second catch-up.
      buffer.push(packet(150, 0, { readAtMs: 150 * 21 }), 0);
      expect(positions(buffer)).toEqual([samplesOf(150 * 20 + 96 - CATCH_UP_MARGIN_MS)]);
      expect(buffer.catchUp()).toBe(0);
    });

    it('leaves a smaller drift alone', () => {
      const buffer = new RtpTrackBuffer(START_MS);
      // After 100 packets the last complete window's least delay is packet 48's: 48 ms, under the threshold.
      drifting(buffer, 100);
      expect(48).toBeLessThan(CATCH_UP_DRIFT_MS);
      expect(buffer.catchUp()).toBe(0);
      expect(positions(buffer).at(-1)).toBe(samplesOf(99 * 20));
      expect(buffer.stats.catchUps).toBe(0);
    });
  });
});
