/**
 * The controller's page: builds the audio graph and the video tile, and exposes `window.shelcaster`,
 * the API the controller drives through puppeteer.
 */
import { AudioProgram } from './audio-program.js';
import { VideoTile } from './video-tile.js';
import { createStageConnection } from './stage-connection.js';

let title = '';
let tileProgramId = null;
const program = new AudioProgram();
const tile = new VideoTile(/** @type {HTMLCanvasElement} */ (document.getElementById('tile')), () => {
  const s = program.status();
  return {
    title,
    programId: tileProgramId,
    state: s.playing ? 'Playing' : 'Paused',
    positionSeconds: s.positionSeconds,
    durationSeconds: s.durationSeconds,
    level: s.level,
  };
});
/** @type {import('./stage-connection.js').StageConnection | null} */
let connection = null;

/** @type {any} */ (window).shelcaster = {
  setTitle(value) {
    title = String(value);
  },
  async join(transport, token) {
    await program.resume();
    connection = createStageConnection(transport, { audioTrack: program.audioTrack, videoTrack: tile.videoTrack });
    await connection.join(token);
    return connection.state;
  },
  stageState() {
    return connection ? connection.state : 'disconnected';
  },
  async leave() {
    if (connection) await connection.leave();
    connection = null;
  },
  async load(path) {
    await program.resume();
    return program.load(path);
  },
  discardPending: () => program.discardPending(),
  startPending(offsetSeconds, programId) {
    program.startPending(offsetSeconds);
    tileProgramId = programId;
  },
  play: (offsetSeconds) => program.startAt(offsetSeconds),
  pause: () => program.pause(),
  stop() {
    program.stop();
    tileProgramId = null;
  },
  seek: (seconds) => program.seek(seconds),
  setVolume: (volume) => program.setVolume(volume),
  status: () => program.status(),
};
/** @type {any} */ (window).shelcasterReady = true;
addEventListener('unload', () => tile.close());
