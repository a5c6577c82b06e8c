/**
 * The published video tile: a small canvas with the show title, what plays, its position and a level
 * meter, captured as a video track.
 *
 * It is redrawn only when what it shows changes (a new title, track or state: at once, within CHECK_MS) and
 * once a second otherwise (the position's clock moves by seconds; the meter then shows the loudest level
 * read in that second). Each redraw is a frame to encode and send: drawn at 15 fps the tile cost the program
 * controller about 0.09 of a core (Chromium's canvas capture and video encoder), more than all its audio
 * (docs/benchmarks.md); a card of text needs no more than this.
 */

/** How often what the tile shows is read (and the level with it). */
export const CHECK_MS = 250;
/** The longest the tile goes without a new frame (a receiver that sees no frame for long may show none). */
export const REFRESH_MS = 1000;

export class VideoTile {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {() => { title: string, programId: string | null, state: string, positionSeconds: number, durationSeconds: number | null, level: number }} read
   * @param {() => number} [now] the clock in ms (performance.now)
   */
  constructor(canvas, read, now = () => performance.now()) {
    this.canvas = canvas;
    this.read = read;
    this.now = now;
    this.context2d = canvas.getContext('2d');
    // A frame is captured when the canvas changes, at most this often.
    this.stream = canvas.captureStream(1000 / CHECK_MS);
    /** What the last frame showed (but the position and level), and when it was drawn. */
    this.shown = '';
    this.drawnAt = -Infinity;
    /** The loudest level read since the last frame. */
    this.peak = 0;
    this.check();
    this.timer = setInterval(() => this.check(), CHECK_MS);
  }

  get videoTrack() {
    return this.stream.getVideoTracks()[0];
  }

  /** Reads what the tile shows; draws a frame when it changed, or a second after the last one. */
  check() {
    const info = this.read();
    this.peak = Math.max(this.peak, info.level);
    const shown = JSON.stringify([info.title, info.programId, info.state, info.durationSeconds]);
    const at = this.now();
    if (shown === this.shown && at - this.drawnAt < REFRESH_MS) return;
    this.draw({ ...info, level: this.peak });
    this.shown = shown;
    this.drawnAt = at;
    this.peak = 0;
  }

  /** @param {{ title: string, programId: string | null, state: string, positionSeconds: number, durationSeconds: number | null, level: number }} info */
  draw(info) {
    const g = this.context2d;
    if (!g) return;
    const { width, height } = this.canvas;
    g.fillStyle = '#101820';
    g.fillRect(0, 0, width, height);
    g.fillStyle = '#f2f2f2';
    g.font = 'bold 18px sans-serif';
    g.fillText(info.title.slice(0, 28), 12, 32);
    g.font = '14px sans-serif';
    g.fillText(info.programId ? `${info.state}: ${info.programId.slice(0, 30)}` : 'Nothing playing', 12, 70);
    const total = info.durationSeconds === null ? '' : ` / ${clock(info.durationSeconds)}`;
    g.fillText(`${clock(info.positionSeconds)}${total}`, 12, 95);
    const meter = Math.min(1, info.level * 3);
    g.fillStyle = '#333';
    g.fillRect(12, 140, width - 24, 16);
    g.fillStyle = meter > 0.9 ? '#e33' : '#3c3';
    g.fillRect(12, 140, (width - 24) * meter, 16);
  }

  close() {
    clearInterval(this.timer);
  }
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
