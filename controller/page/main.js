/**
 * The controller's page: builds the audio graph and the video tile, and exposes `window.shelcaster`,
 * the API the controller drives through puppeteer.
 */
import { AudioProgram } from './audio-program.js';
import { VideoTile } from './video-tile.js';
import { createStageConnection } from './stage-connection.js';

let title = '';
// The limiter's ceiling comes from the controller (the contract's TRUE_PEAK_CEILING_DBTP) in the page's URL.
const program = new AudioProgram({ ceilingDbtp: Number(new URLSearchParams(location.search).get('ceilingDbtp') ?? '-1') });
const tile = new VideoTile(/** @type {HTMLCanvasElement} */ (document.getElementById('tile')), () => {
  const s = program.tileStatus();
  return {
    title,
    programId: s.programId,
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
  audio: program.api(),
};
/** @type {any} */ (window).shelcasterReady = true;
addEventListener('unload', () => tile.close());
