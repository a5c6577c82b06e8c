/**
 * The published video tile: a small canvas with the show title, what plays, its position and a level
 * meter, captured as a 15 fps video track.
 */

const FPS = 15;

export class VideoTile {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {() => { title: string, programId: string | null, state: string, positionSeconds: number, durationSeconds: number | null, level: number }} read
   */
  constructor(canvas, read) {
    this.canvas = canvas;
    this.read = read;
    this.context2d = canvas.getContext('2d');
    this.stream = canvas.captureStream(FPS);
    this.draw();
    this.timer = setInterval(() => this.draw(), 1000 / FPS);
  }

  get videoTrack() {
    return this.stream.getVideoTracks()[0];
  }

  draw() {
    const g = this.context2d;
    if (!g) return;
    const { width, height } = this.canvas;
    const info = this.read();
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
