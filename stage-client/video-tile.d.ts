/** Types of video-tile.js (plain JavaScript, run by Chromium and by the unit tests). */
export interface TileInfo {
  title: string;
  programId: string | null;
  state: string;
  positionSeconds: number;
  durationSeconds: number | null;
  level: number;
}

export declare const CHECK_MS: number;
export declare const REFRESH_MS: number;

export declare class VideoTile {
  constructor(canvas: HTMLCanvasElement, read: () => TileInfo, now?: () => number);
  readonly videoTrack: MediaStreamTrack | undefined;
  check(): void;
  draw(info: TileInfo): void;
  close(): void;
}
