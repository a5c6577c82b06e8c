import { describe, expect, it } from 'vitest';
import { WallClockMixer } from '#local-cloud/stage/wall-clock-mixer';
import { FRAME_SAMPLES, limitSample, type AudioPacketDecoder } from '#local-cloud/stage/audio-format';
import { unwrap } from '#local-cloud/stage/rtp-track-buffer';

const START_MS = 1_700_000_000_000;
const DELAY_MS = 100;

/** A "codec" for tests: the payload is the packet's PCM as mono float32. */
function pcmPayload(value: number, samples = FRAME_SAMPLES): Uint8Array {
  return new Uint8Array(new Float32Array(samples).fill(value).buffer);
}
const pcmDecoder = (): AudioPacketDecoder => ({
  decode: (payload) => {
    const mono = new Float32Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength));
    return { channelData: [mono], samplesDecoded: mono.length };
  },
  free: () => {},
});

function newMixer(): WallClockMixer {
  return new WallClockMixer({ startMs: START_MS, decoderFactory: pcmDecoder, playoutDelayMs: DELAY_MS });
}

/** Pushes packet `index` of a track that started sending at `firstFrame`, arriving `jitterMs` late. */
function send(mixer: WallClockMixer, track: string, index: number, value: number, options: { firstFrame?: number; jitterMs?: number; seqBase?: number; tsBase?: number } = {}) {
  const { firstFrame = 0, jitterMs = 0, seqBase = 1000, tsBase = 50_000 } = options;
  mixer.push(track, {
    sequenceNumber: (seqBase + index) % 65536,
    timestamp: (tsBase + index * FRAME_SAMPLES) % 2 ** 32,
    payload: pcmPayload(value),
    receivedAtMs: START_MS + (firstFrame + index) * 20 + jitterMs,
  });
}

/** Renders until `ms` after the start; returns the left channel as numbers in ±1, one array per frame. */
function frames(mixer: WallClockMixer, ms: number): number[][] {
  const pcm = mixer.renderUntil(START_MS + ms);
  const out: number[][] = [];
  for (let offset = 0; offset < pcm.length; offset += FRAME_SAMPLES * 4) {
    const frame: number[] = [];
    for (let i = 0; i < FRAME_SAMPLES; i++) frame.push(pcm.readInt16LE(offset + i * 4) / 32767);
    out.push(frame);
  }
  return out;
}

/** The value of a frame when it is constant (else NaN). */
function level(frame: number[]): number {
  const first = frame[0]!;
  return frame.every((x) => Math.abs(x - first) < 1e-3) ? first : Number.NaN;
}

describe('WallClockMixer', () => {
  it('renders nothing before a frame and its playout delay have passed', () => {
    const mixer = newMixer();
    expect(mixer.renderUntil(START_MS + DELAY_MS + 19).length).toBe(0);
    expect(mixer.renderUntil(START_MS + DELAY_MS + 20).length).toBe(FRAME_SAMPLES * 4);
  });

  it('renders silence on the wall clock while no track plays', () => {
    const mixer = newMixer();
    const rendered = frames(mixer, DELAY_MS + 1000);
    expect(rendered).toHaveLength(50);
    expect(rendered.every((frame) => level(frame) === 0)).toBe(true);
  });

  it('sums two tracks that play at the same time', () => {
    const mixer = newMixer();
    for (let i = 0; i < 10; i++) {
      send(mixer, 'a', i, 0.25);
      send(mixer, 'b', i, 0.125, { seqBase: 7, tsBase: 999_999 });
    }
    const rendered = frames(mixer, DELAY_MS + 10 * 20);
    expect(rendered.map(level)).toEqual(Array(10).fill(expect.closeTo(0.375, 3)));
  });

  it('places a track that joins later where it joined, with silence before it', () => {
    const mixer = newMixer();
    for (let i = 0; i < 5; i++) send(mixer, 'late-joiner', i, 0.5, { firstFrame: 25 });
    const rendered = frames(mixer, DELAY_MS + 40 * 20).map(level);
    expect(rendered.slice(0, 25).every((x) => x === 0)).toBe(true);
    expect(rendered.slice(25, 30)).toEqual(Array(5).fill(expect.closeTo(0.5, 3)));
    expect(rendered.slice(30).every((x) => x === 0)).toBe(true);
  });

  it('keeps silence in a gap of a track and resumes it on its timestamps', () => {
    const mixer = newMixer();
    for (let i = 0; i < 5; i++) send(mixer, 'a', i, 0.3);
    // The sender pauses for 10 frames: sequence numbers go on, timestamps jump by the pause.
    for (let i = 0; i < 5; i++) {
      mixer.push('a', {
        sequenceNumber: 1005 + i,
        timestamp: 50_000 + (15 + i) * FRAME_SAMPLES,
        payload: pcmPayload(0.6),
        receivedAtMs: START_MS + (15 + i) * 20,
      });
    }
    const rendered = frames(mixer, DELAY_MS + 25 * 20).map(level);
    expect(rendered.slice(0, 5)).toEqual(Array(5).fill(expect.closeTo(0.3, 3)));
    expect(rendered.slice(5, 15).every((x) => x === 0)).toBe(true);
    expect(rendered.slice(15, 20)).toEqual(Array(5).fill(expect.closeTo(0.6, 3)));
  });

  it('reorders packets that arrive out of order within the playout delay', () => {
    const mixer = newMixer();
    send(mixer, 'a', 0, 0.1);
    send(mixer, 'a', 2, 0.3);
    send(mixer, 'a', 1, 0.2, { jitterMs: 50 });
    send(mixer, 'a', 3, 0.4);
    const rendered = frames(mixer, DELAY_MS + 4 * 20).map(level);
    expect(rendered).toEqual([expect.closeTo(0.1, 3), expect.closeTo(0.2, 3), expect.closeTo(0.3, 3), expect.closeTo(0.4, 3)]);
  });

  it('drops a packet that arrives after its place was mixed, and a lost one leaves silence', () => {
    const mixer = newMixer();
    send(mixer, 'a', 0, 0.2);
    // packet 1 is lost; packet 2 arrives on time; packet 3 arrives far too late.
    send(mixer, 'a', 2, 0.2);
    const early = frames(mixer, DELAY_MS + 4 * 20).map(level);
    send(mixer, 'a', 3, 0.2, { jitterMs: DELAY_MS + 100 });
    const later = frames(mixer, DELAY_MS + 6 * 20).map(level);
    expect(early).toEqual([expect.closeTo(0.2, 3), 0, expect.closeTo(0.2, 3), 0]);
    expect(later).toEqual([0, 0]);
    expect(mixer.stats().a).toMatchObject({ late: 1, lost: 1 });
  });

  it('drops a duplicate packet instead of playing it twice', () => {
    const mixer = newMixer();
    send(mixer, 'a', 0, 0.25);
    send(mixer, 'a', 0, 0.25, { jitterMs: 5 });
    expect(frames(mixer, DELAY_MS + 20).map(level)).toEqual([expect.closeTo(0.25, 3)]);
    expect(mixer.stats().a).toMatchObject({ duplicates: 1 });
  });

  it('follows sequence numbers and timestamps across their wrap-around', () => {
    const mixer = newMixer();
    for (let i = 0; i < 6; i++) send(mixer, 'a', i, 0.2, { seqBase: 65533, tsBase: 2 ** 32 - 2 * FRAME_SAMPLES });
    expect(frames(mixer, DELAY_MS + 6 * 20).map(level)).toEqual(Array(6).fill(expect.closeTo(0.2, 3)));
    expect(mixer.stats().a).toMatchObject({ lost: 0, late: 0 });
  });

  it('limits a sum above full scale instead of wrapping it', () => {
    const mixer = newMixer();
    for (let i = 0; i < 3; i++) {
      send(mixer, 'a', i, 0.8);
      send(mixer, 'b', i, 0.8, { seqBase: 1 });
      send(mixer, 'c', i, -0.9, { seqBase: 2 });
      send(mixer, 'd', i, -0.9, { seqBase: 3 });
    }
    // a+b = 1.6 and c+d = -1.8 on separate frames would wrap in 16 bits; together they cancel. Check each:
    const rendered = frames(mixer, DELAY_MS + 3 * 20).map(level);
    expect(rendered).toEqual(Array(3).fill(expect.closeTo(limitSample(-0.2), 3)));
    const loud = newMixer();
    for (let i = 0; i < 3; i++) {
      send(loud, 'a', i, 0.8);
      send(loud, 'b', i, 0.8, { seqBase: 1 });
    }
    const loudFrames = frames(loud, DELAY_MS + 3 * 20).map(level);
    for (const x of loudFrames) {
      expect(x).toBeGreaterThan(0.95);
      expect(x).toBeLessThanOrEqual(1);
    }
  });

  it('plays what an ended track buffered, then forgets the track', () => {
    const mixer = newMixer();
    send(mixer, 'a', 0, 0.5);
    mixer.endTrack('a');
    send(mixer, 'a', 1, 0.5);
    expect(frames(mixer, DELAY_MS + 2 * 20).map(level)).toEqual([expect.closeTo(0.5, 3), 0]);
    expect(mixer.stats()).toEqual({});
  });
});

describe('limitSample', () => {
  it('leaves levels up to the knee unchanged and keeps louder ones inside full scale', () => {
    expect(limitSample(0.5)).toBe(0.5);
    expect(limitSample(-0.9)).toBe(-0.9);
    expect(limitSample(1.5)).toBeLessThan(1);
    expect(limitSample(1.5)).toBeGreaterThan(limitSample(1.2));
    expect(limitSample(-3)).toBeGreaterThanOrEqual(-1);
  });
});

describe('unwrap', () => {
  it('continues a 16-bit counter past its wrap in both directions', () => {
    expect(unwrap(2, 65534, 16)).toBe(65538);
    expect(unwrap(65535, 65538, 16)).toBe(65535);
    expect(unwrap(100, undefined, 16)).toBe(100);
  });

  it('catches up a track whose sender falls behind the wall clock while it is silent, never while it sounds', () => {
    const mixer = new WallClockMixer({ startMs: START_MS, decoderFactory: pcmDecoder, playoutDelayMs: 600 });
    // The sender loses 1 ms in every 20 ms frame; it sounds for 150 frames, then sends silence.
    for (let i = 0; i < 200; i++) {
      mixer.push('a', { sequenceNumber: 1000 + i, timestamp: 50_000 + i * FRAME_SAMPLES, payload: pcmPayload(i < 150 ? 0.3 : 0), receivedAtMs: START_MS + i * 21 });
    }
    const sounding = frames(mixer, 600 + 150 * 20).map(level);
    expect(sounding).toEqual(Array(150).fill(expect.closeTo(0.3, 3)));
    expect(mixer.stats().a?.catchUps).toBe(0);
    const silent = frames(mixer, 600 + 220 * 20).map(level);
    expect(silent.every((x) => x === 0)).toBe(true);
    expect(mixer.stats().a?.catchUps).toBe(1);
  });
});
