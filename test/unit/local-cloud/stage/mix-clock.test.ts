import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES, type AudioPacketDecoder } from '#local-cloud/stage/audio-format';
import { MAX_MIX_STEP_MS, MixClock } from '#local-cloud/stage/mix-clock';
import { WallClockMixer } from '#local-cloud/stage/wall-clock-mixer';

const START_MS = 1_700_000_000_000;
const DELAY_MS = 200;

/** The payload is the packet's PCM as mono float32. */
const pcmDecoder = (): AudioPacketDecoder => ({
  decode: (payload) => {
    const mono = new Float32Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength));
    return { channelData: [mono], samplesDecoded: mono.length };
  },
  free: () => {},
});

/**
 * A sender of 20 ms frames of 0.5 whose packets are read by the process at `readAtMs(i)`, and a tick every
 * 20 ms of the process's clock except during a stall: returns the level of every mixed frame.
 */
function runWithStall(clock: (nowMs: number) => number, stall: { fromMs: number; toMs: number }, frames: number): number[] {
  const mixer = new WallClockMixer({ startMs: START_MS, decoderFactory: pcmDecoder, playoutDelayMs: DELAY_MS });
  const levels: number[] = [];
  const render = (untilMs: number) => {
    const pcm = mixer.renderUntil(untilMs);
    for (let offset = 0; offset < pcm.length; offset += FRAME_SAMPLES * 4) levels.push(Math.round((pcm.readInt16LE(offset) / 32767) * 100) / 100);
  };
  let next = 0;
  const readAt = (i: number) => (i * 20 > stall.fromMs && i * 20 < stall.toMs ? stall.toMs : i * 20);
  for (let t = 0; t <= frames * 20 + DELAY_MS + 100; t += 20) {
    if (t > stall.fromMs && t < stall.toMs) continue; // the event loop is blocked: no tick, no reads
    // Node runs the expired timer first, then reads what waited in the socket (a few per poll).
    render(clock(START_MS + t));
    for (let reads = 0; next < frames && readAt(next) <= t && reads < 8; reads++, next++) {
      mixer.push('a', {
        sequenceNumber: next,
        timestamp: next * FRAME_SAMPLES,
        payload: new Uint8Array(new Float32Array(FRAME_SAMPLES).fill(0.5).buffer),
        receivedAtMs: START_MS + Math.max(t, readAt(next)),
      });
    }
  }
  return levels;
}

describe('MixClock', () => {
  it('follows the wall clock while ticks come on time', () => {
    const clock = new MixClock(START_MS);
    expect(clock.advance(START_MS + 20)).toBe(START_MS + 20);
    expect(clock.advance(START_MS + 65)).toBe(START_MS + 65);
  });

  it('advances at most one step per tick after a stall, and never backwards', () => {
    const clock = new MixClock(START_MS);
    expect(clock.advance(START_MS + 700)).toBe(START_MS + MAX_MIX_STEP_MS);
    expect(clock.advance(START_MS + 720)).toBe(START_MS + 2 * MAX_MIX_STEP_MS);
    expect(clock.advance(START_MS)).toBe(START_MS + 2 * MAX_MIX_STEP_MS);
  });

  it('lets the packets that waited in the socket during a 600 ms stall be mixed, where the wall clock drops them', () => {
    const stall = { fromMs: 1000, toMs: 1600 };
    const withClock = new MixClock(START_MS);
    const kept = runWithStall((now) => withClock.advance(now), stall, 100);
    const wallClock = runWithStall((now) => now, stall, 100);
    // Every packet is mixed where its timestamp puts it: frames 0–99 hold the track.
    expect(kept.slice(0, 100)).toEqual(Array(100).fill(0.5));
    expect(wallClock.slice(0, 100)).not.toEqual(Array(100).fill(0.5));
  });
});
