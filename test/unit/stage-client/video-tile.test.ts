import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECK_MS, REFRESH_MS, VideoTile } from '#stage-client/video-tile';

/** A canvas that records what is drawn on it: each frame is the texts written and the meter's width. */
function recordingCanvas() {
  const frames: { texts: string[]; meter: number }[] = [];
  let current: { texts: string[]; meter: number } | undefined;
  let rects = 0;
  const context = {
    fillStyle: '',
    font: '',
    fillRect(_x: number, _y: number, w: number) {
      // Each frame: background, meter track, meter bar (the fourth rect starts the next frame's background).
      if (rects % 3 === 0) frames.push((current = { texts: [], meter: 0 }));
      if (rects % 3 === 2) current!.meter = w;
      rects++;
    },
    fillText(text: string) {
      current!.texts.push(text);
    },
  };
  const canvas = { width: 324, height: 180, getContext: () => context, captureStream: vi.fn(() => ({ getVideoTracks: () => [] })) };
  return { canvas: canvas as unknown as HTMLCanvasElement, frames, captureStream: canvas.captureStream };
}

describe('VideoTile: a frame when what it shows changes, and once a second', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('draws one frame a second while only the position and the level move, the meter showing the loudest level of that second', () => {
    const { canvas, frames, captureStream } = recordingCanvas();
    let ms = 0;
    let level = 0;
    let position = 0;
    const tile = new VideoTile(canvas, () => ({ title: 'Show', programId: 'bed', state: 'Playing', positionSeconds: position, durationSeconds: 60, level }), () => ms);
    expect(captureStream).toHaveBeenCalledWith(1000 / CHECK_MS);
    expect(frames).toHaveLength(1);
    const levels = [0.1, 0.3, 0.2, 0.05];
    for (let i = 0; i < 8; i++) {
      level = levels[i % 4]!;
      ms += CHECK_MS;
      position = ms / 1000;
      vi.advanceTimersByTime(CHECK_MS);
    }
    // 2 s: two more frames, not 2 × 15.
    expect(frames).toHaveLength(3);
    expect(frames[1]!.texts).toEqual(['Show', 'Playing: bed', '0:01 / 1:00']);
    expect(frames[2]!.texts[2]).toBe('0:02 / 1:00');
    // The meter (300 px wide, at level × 3) shows the loudest level read in the second (0.3), not the last (0.05).
    expect(frames[1]!.meter).toBeCloseTo(270);
    tile.close();
  });

  it('draws at once (within a check) when the track, its state or the title changes', () => {
    const { canvas, frames } = recordingCanvas();
    let ms = 0;
    let state = 'Playing';
    const tile = new VideoTile(canvas, () => ({ title: 'Show', programId: 'jingle', state, positionSeconds: 1, durationSeconds: 2, level: 0 }), () => ms);
    ms += CHECK_MS;
    vi.advanceTimersByTime(CHECK_MS);
    expect(frames).toHaveLength(1);
    state = 'Paused';
    ms += CHECK_MS;
    vi.advanceTimersByTime(CHECK_MS);
    expect(frames).toHaveLength(2);
    expect(frames[1]!.texts[1]).toBe('Paused: jingle');
    tile.close();
    ms += REFRESH_MS * 3;
    vi.advanceTimersByTime(REFRESH_MS * 3);
    expect(frames).toHaveLength(2);
  });
});
