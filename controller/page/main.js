/**
 * The controller's page: builds the audio graph and the video tile, and exposes `window.shelcaster`,
 * the API the controller drives through puppeteer. It joins the stage with the IVS web SDK (the UMD
 * bundle the page loads, async) through the StageSession shared with the host console, on AWS and locally.
 */
import { AudioProgram } from './audio-program.js';
import { StageSession } from '#stage-client/stage-session';
import { VideoTile } from '#stage-client/video-tile';

let title = '';
// The limiter's ceiling comes from the controller (the contract's TRUE_PEAK_CEILING_DBTP) in the page's URL.
// Each duck and its end goes to the controller through the function it exposes (page.exposeFunction).
const program = new AudioProgram({
  ceilingDbtp: Number(new URLSearchParams(location.search).get('ceilingDbtp') ?? '-1'),
  onDuck: (change) => void (/** @type {any} */ (window).shelcasterDuckChanged?.(change)),
});
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
/** @type {StageSession | null} */
let session = null;

/** The IVS web SDK, once its script (loaded async by index.html) has run. */
function ivsSdk() {
  const loaded = /** @type {any} */ (window).IVSBroadcastClient;
  if (loaded) return Promise.resolve(loaded);
  const script = document.getElementById('ivs-sdk');
  return new Promise((resolve, reject) => {
    script?.addEventListener('load', () => resolve(/** @type {any} */ (window).IVSBroadcastClient));
    script?.addEventListener('error', () => reject(new Error('The IVS web broadcast SDK did not load')));
  });
}

/** @type {any} */ (window).shelcaster = {
  setTitle(value) {
    title = String(value);
  },
  /**
   * Joins and publishes the program's audio and the tile; subscribes to the others' audio only, for ducking
   * under their voices (another program controller, during a hand-over, is not a voice).
   */
  async join(token) {
    const started = performance.now();
    await program.start();
    session = new StageSession(await ivsSdk(), { publish: [program.audioTrack, tile.videoTrack], subscribe: 'audio' });
    session.on('streams-added', (participant, tracks) => {
      if (participant.attributes?.role === 'CONTROLLER') return;
      const audio = tracks.find((track) => track.kind === 'audio');
      if (audio) void program.ducker.addVoice(participant.id, audio);
    });
    session.on('streams-removed', (participant) => program.ducker.removeVoice(participant.id));
    session.on('participants', (list) => {
      const present = new Set(list.map((p) => p.id));
      for (const id of program.ducker.voices.keys()) if (!present.has(id)) program.ducker.removeVoice(id);
    });
    // The session's timings count from its own start: what came before it here (the audio context, the SDK's
    // script) belongs to joining, not to publishing.
    const before = performance.now() - started;
    await session.join(token);
    const { joinedMs, publishedMs } = session.timings;
    return { state: session.state, timings: { joinedMs: before + joinedMs, publishedMs: before + publishedMs } };
  },
  stageState() {
    return session ? session.state : 'disconnected';
  },
  async leave() {
    if (session) await session.leave();
    session = null;
  },
  audio: program.api(),
};
/** @type {any} */ (window).shelcasterReady = true;
addEventListener('unload', () => tile.close());
