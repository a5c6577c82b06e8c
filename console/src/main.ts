/** The host console: wires the page's sections to the API, the stage and the Program Manager. */
import { ApiClient } from '#contract/api-client';
import type { TrackView } from '#contract/api-responses';
import type { CommandInput } from '#contract/commands';
import { callerLink } from '#contract/console';
import { CHAPTERS_CONTENT_TYPE } from '#contract/chapters';
import { DEFAULT_DUCK_DEPTH_DB, MAX_DUCK_DEPTH_DB, MIN_DUCK_DEPTH_DB } from '#contract/ducking';
import { Auth } from './auth.ts';
import { describeCommand, sendCommand, type CommandProgress } from './commands.ts';
import { describeClips, describeDeck, describeLoudness, fadeSeconds, playCommand, type FadeSettings } from './desk.ts';
import { readConsoleConfig } from './config.ts';
import { button, byId, el, formatBytes } from './dom.ts';
import { recordingUrl } from './recording.ts';
import { clock, currentPosition, endShow, FINAL_STATUSES, ShowWatcher, startShow, type ShownSession } from './show.ts';
import { renderParticipants } from './participants-view.ts';
import { leftReason, OnStage } from './stage.ts';
import { uploadTrack } from './upload.ts';
import { RunningOrder } from './running-order.ts';
import { CuePlayer, cueFromSeconds } from './cue.ts';
import { downloadReport, renderAsRun, renderChapters } from './after-show.ts';

const SESSION_STORAGE_KEY = 'shelcaster.session';
/** How often the participants' meters are redrawn while on the stage. */
const METERS_REFRESH_MS = 100;

const config = readConsoleConfig();
const apiUrl = window.location.origin;
const auth = new Auth();
const api = new ApiClient({ baseUrl: apiUrl, token: () => auth.current });

let view: ShownSession | undefined;
let watcher: ShowWatcher | undefined;
let tracks: TrackView[] = [];
let metersTimer: ReturnType<typeof setInterval> | undefined;
let recordingShownFor: string | undefined;
let reportsShownFor: string | undefined;
let runningOrder: RunningOrder | undefined;
let runningOrderReading = false;
let joining = false;
let measuringTimer: ReturnType<typeof setTimeout> | undefined;
/** How often the track list is read again while a track's loudness is being measured. */
const MEASURING_POLL_MS = 3000;

const cuePlayer = new CuePlayer(api, byId<HTMLAudioElement>('cue-audio'), byId('cue-status'));

const stage = new OnStage({
  tile: {
    canvas: byId<HTMLCanvasElement>('tile'),
    describe: () => ({
      title: view?.title ?? 'Shelcaster',
      programId: view?.nowPlaying?.programId ? titleOf(view.nowPlaying.programId) : null,
      state: view?.nowPlaying?.state ?? 'STOPPED',
      positionSeconds: view?.nowPlaying ? currentPosition(view.nowPlaying) : 0,
      durationSeconds: view?.nowPlaying?.durationSeconds ?? null,
    }),
  },
  onParticipants: () => renderParticipants(byId('participants'), stage.participants()),
  onLeft: (reason) => {
    void leaveStage();
    byId('stage-status').textContent = leftReason(reason);
  },
});

// ---- errors -------------------------------------------------------------------------------------------

function showError(error: unknown): void {
  const box = byId('error');
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

function clearError(): void {
  byId('error').hidden = true;
}

/** Runs a user action: clears the last error, shows this one's. */
function action(run: () => Promise<void>): () => void {
  return () => {
    clearError();
    run().catch(showError);
  };
}

// ---- sign-in ------------------------------------------------------------------------------------------

function renderSignedIn(userId: string | undefined): void {
  byId('who').textContent = userId ? `Signed in as ${userId}` : 'Not signed in';
  byId('sign-out').hidden = !userId;
  byId('sign-in').hidden = Boolean(userId);
  byId('show').hidden = !userId;
  byId('program').hidden = !userId;
}

async function afterSignIn(userId: string): Promise<void> {
  renderSignedIn(userId);
  await loadTracks();
  const kept = sessionStorage.getItem(SESSION_STORAGE_KEY);
  if (kept) watchShow(kept);
}

if (config.localSignInUrl) {
  const form = byId<HTMLFormElement>('local-sign-in');
  const signInUrl = config.localSignInUrl;
  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    action(async () => afterSignIn(await auth.signInLocally(signInUrl, byId<HTMLInputElement>('local-user').value.trim())))();
  });
}

byId<HTMLFormElement>('token-sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  action(async () => afterSignIn(auth.use(byId<HTMLTextAreaElement>('token-input').value)))();
});

byId('sign-out').addEventListener(
  'click',
  action(async () => {
    watcher?.stop();
    cuePlayer.stop();
    runningOrder = undefined;
    await leaveStage();
    auth.signOut();
    sessionStorage.removeItem(SESSION_STORAGE_KEY);
    view = undefined;
    renderSignedIn(undefined);
  }),
);

// ---- the show -----------------------------------------------------------------------------------------

const isActive = () => view !== undefined && (view.status === 'STARTING' || view.status === 'LIVE');

function watchShow(sessionId: string): void {
  watcher?.stop();
  sessionStorage.setItem(SESSION_STORAGE_KEY, sessionId);
  runningOrder = new RunningOrder(api, sessionId, byId<HTMLOListElement>('running-order'), { cue: (trackId) => void cue(trackId), onError: showError });
  watcher = new ShowWatcher(api, sessionId, renderShow, (error) => {
    showError(error);
    if ((error as { status?: number }).status === 404) {
      watcher?.stop();
      sessionStorage.removeItem(SESSION_STORAGE_KEY);
    }
  });
  watcher.start();
}

function renderShow(next: ShownSession | undefined): void {
  view = next;
  const status = byId('show-status');
  status.textContent = next ? `${next.status}${next.title ? ` — ${next.title}` : ''}` : 'no show';
  status.dataset.status = next?.status ?? '';
  byId('show-reason').textContent = next?.reasonMessage ? `(${next.reason}: ${next.reasonMessage})` : '';
  byId<HTMLButtonElement>('start-button').disabled = isActive() || next?.status === 'ENDING';
  byId<HTMLButtonElement>('end-button').disabled = !isActive();
  byId<HTMLButtonElement>('join-button').disabled = next?.status !== 'LIVE' || stage.joined || joining;
  byId<HTMLButtonElement>('leave-button').disabled = !stage.joined;
  byId<HTMLButtonElement>('invite-button').disabled = next?.status !== 'LIVE';
  // Only the Play buttons' state changes here: the table is not rebuilt, so keyboard focus stays put.
  for (const play of document.querySelectorAll<HTMLButtonElement>('#tracks button[data-action="play"]')) play.disabled = !isActive();
  byId<HTMLButtonElement>('next-button').disabled = !isActive();
  refreshRunningOrder();
  if (next && FINAL_STATUSES.includes(next.status)) {
    void leaveStage();
    showRecording(next);
    showReports(next);
  } else {
    byId('recording-panel').hidden = true;
    byId('after-show-panel').hidden = true;
  }
}

byId<HTMLFormElement>('start-show').addEventListener('submit', (event) => {
  event.preventDefault();
  action(async () => {
    const sessionId = await startShow(api, byId<HTMLInputElement>('show-name').value.trim());
    recordingShownFor = undefined;
    reportsShownFor = undefined;
    renderShow({ sessionId, title: byId<HTMLInputElement>('show-name').value.trim(), status: 'STARTING' });
    watchShow(sessionId);
  })();
});

byId('end-button').addEventListener(
  'click',
  action(async () => {
    if (!view) return;
    await leaveStage();
    await endShow(api, view.sessionId);
    byId('show-status').textContent = 'ENDING';
  }),
);

// ---- the stage ----------------------------------------------------------------------------------------

async function leaveStage(): Promise<void> {
  clearInterval(metersTimer);
  metersTimer = undefined;
  if (stage.joined) await stage.leave();
  byId('stage-status').textContent = 'Not on the stage';
  byId('participants').replaceChildren();
  byId<HTMLButtonElement>('leave-button').disabled = true;
  byId<HTMLButtonElement>('join-button').disabled = view?.status !== 'LIVE';
}

byId('join-button').addEventListener(
  'click',
  action(async () => {
    if (!view) return;
    byId<HTMLButtonElement>('join-button').disabled = true;
    byId('stage-status').textContent = 'Joining…';
    joining = true;
    try {
      const { token } = await api.call('createParticipantToken', {
        params: { sessionId: view.sessionId },
        body: { role: 'HOST', displayName: byId('who').textContent?.replace(/^Signed in as /, '').slice(0, 64) || 'Host' },
      });
      await stage.join(token, { headphones: byId<HTMLInputElement>('headphones').checked });
    } catch (error) {
      joining = false;
      await leaveStage();
      throw error;
    }
    joining = false;
    byId('stage-status').textContent = 'You are on the stage: your microphone is live, and you hear the program and the callers';
    byId<HTMLButtonElement>('leave-button').disabled = false;
    renderParticipants(byId('participants'), stage.participants());
    metersTimer = setInterval(() => renderParticipants(byId('participants'), stage.participants()), METERS_REFRESH_MS);
  }),
);

byId('leave-button').addEventListener('click', action(leaveStage));

byId('invite-button').addEventListener(
  'click',
  action(async () => {
    if (!view) return;
    const displayName = byId<HTMLInputElement>('caller-name').value.trim() || 'Caller';
    const { token } = await api.call('createParticipantToken', { params: { sessionId: view.sessionId }, body: { role: 'CALLER', displayName } });
    const link = byId<HTMLInputElement>('caller-link');
    link.value = callerLink(window.location.origin, token);
    byId('caller-invite').hidden = false;
    link.select();
  }),
);

byId('copy-caller-link').addEventListener(
  'click',
  action(async () => {
    await navigator.clipboard.writeText(byId<HTMLInputElement>('caller-link').value);
    byId('copy-caller-link').textContent = 'Copied';
  }),
);

// ---- the recording ------------------------------------------------------------------------------------

function showRecording(ended: ShownSession): void {
  if (recordingShownFor === ended.sessionId) return;
  recordingShownFor = ended.sessionId;
  const panel = byId('recording-panel');
  const status = byId('recording-status');
  const audio = byId<HTMLAudioElement>('recording-audio');
  const download = byId<HTMLAnchorElement>('recording-download');
  panel.hidden = false;
  download.hidden = true;
  status.textContent = 'Preparing the recording…';
  if (!auth.current) return;
  recordingUrl(api, ended.sessionId, (seconds) => {
    status.textContent = `The recording is being prepared; asking again in ${seconds} s…`;
  })
    .then((url) => {
      audio.src = url;
      download.href = url;
      download.hidden = false;
      status.textContent = 'The recording is ready.';
      status.dataset.ready = 'true';
    })
    .catch((error: unknown) => {
      status.textContent = `No recording: ${error instanceof Error ? error.message : String(error)}`;
    });
}

// ---- the running order, the cue, and the reports after the show ---------------------------------------

/** Reads the running order again (with the show's status: the position moves as items play). */
function refreshRunningOrder(): void {
  if (!runningOrder || runningOrderReading) return;
  runningOrderReading = true;
  const status = byId('running-order-status');
  runningOrder
    .refresh()
    .then(() => {
      const current = runningOrder?.current;
      const next = current?.items.find((item) => item.itemId === current.nextItemId);
      status.textContent = current && current.items.length > 0 ? (next ? `NEXT plays “${next.title}”` : 'The end of the running order') : '';
    })
    .catch(showError)
    .finally(() => {
      runningOrderReading = false;
    });
}

/** The running order of the show watched; fails when there is none yet. */
function showRunningOrder(): RunningOrder {
  if (!runningOrder || !view || FINAL_STATUSES.includes(view.status)) throw new Error('Start a show first: the running order belongs to a show.');
  return runningOrder;
}

async function addToRunningOrder(track: TrackView): Promise<void> {
  await showRunningOrder().add(track.trackId, fades());
}

async function cue(trackId: string): Promise<void> {
  clearError();
  await cuePlayer.cue(trackId, cueFromSeconds(byId<HTMLInputElement>('cue-from-input').value)).catch(showError);
}

byId('next-button').addEventListener('click', action(() => command({ type: 'NEXT' })));
byId('cue-stop-button').addEventListener('click', () => cuePlayer.stop());

/** The as-run log and the chapters once the show is over. */
function showReports(ended: ShownSession): void {
  if (reportsShownFor === ended.sessionId) return;
  reportsShownFor = ended.sessionId;
  const params = { sessionId: ended.sessionId };
  Promise.all([api.call('getAsRun', { params }), api.call('getChapters', { params })])
    .then(([asRun, chapters]) => {
      renderAsRun(byId('as-run').querySelector('tbody')!, asRun.entries);
      renderChapters(byId('chapters'), chapters);
      byId('after-show-panel').hidden = false;
      byId('after-show-panel').dataset.ready = 'true';
    })
    .catch(showError);
}

byId('as-run-csv-button').addEventListener(
  'click',
  action(async () => {
    if (view) await downloadReport(api, api.url('getAsRun', { sessionId: view.sessionId }), 'text/csv', 'as-run.csv');
  }),
);
byId('chapters-button').addEventListener(
  'click',
  action(async () => {
    if (view) await downloadReport(api, api.url('getChapters', { sessionId: view.sessionId }), CHAPTERS_CONTENT_TYPE, 'chapters.json');
  }),
);

// ---- the Program Manager ------------------------------------------------------------------------------

function titleOf(programId: string): string {
  return tracks.find((t) => t.trackId === programId)?.title ?? programId;
}

async function loadTracks(): Promise<void> {
  tracks = (await api.call('listTracks', {})).tracks;
  renderTracks();
}

function renderTracks(): void {
  const body = byId('tracks').querySelector('tbody');
  if (!body) return;
  renderDeskTracks();
  if (tracks.length === 0) {
    body.replaceChildren(el('tr', '', {}));
    body.firstElementChild?.append(el('td', 'No tracks yet: upload one above.', { colspan: '4' }));
    return;
  }
  body.replaceChildren(
    ...tracks.map((track) => {
      const row = el('tr', '', { 'data-track-id': track.trackId });
      const playButton = button('Play', action(() => play(track)), `Play ${track.title}`);
      playButton.dataset.action = 'play';
      playButton.disabled = !isActive();
      const deleteButton = button('Delete', action(() => deleteTrack(track)), `Delete ${track.title}`);
      const cueButton = button('Cue', () => void cue(track.trackId), `Cue ${track.title}`);
      const addButton = button('Add to running order', action(() => addToRunningOrder(track)), `Add ${track.title} to the running order`);
      const actions = el('td');
      actions.append(playButton, cueButton, addButton, deleteButton);
      row.append(el('td', track.title), el('td', formatBytes(track.sizeBytes)), el('td', describeLoudness(track)), actions);
      return row;
    }),
  );
  // A track just uploaded is measured in a few seconds: read the list again until none is still measuring.
  clearTimeout(measuringTimer);
  if (tracks.some((t) => !t.loudness && !t.loudnessError)) measuringTimer = setTimeout(() => void loadTracks().catch(showError), MEASURING_POLL_MS);
}

/** The bed slot's choice of tracks and one clip pad per track (a pad fires at once). */
function renderDeskTracks(): void {
  const select = byId<HTMLSelectElement>('bed-select');
  const chosen = select.value;
  select.replaceChildren(...tracks.map((t) => el('option', t.title, { value: t.trackId })));
  if (tracks.some((t) => t.trackId === chosen)) select.value = chosen;
  byId('pads').replaceChildren(
    ...tracks.map((track) => {
      const pad = button(track.title, action(() => command(playCommand(track, 'clip', fades()))), `Fire ${track.title} as a clip`);
      pad.classList.add('pad');
      return pad;
    }),
  );
}

async function deleteTrack(track: TrackView): Promise<void> {
  if (!window.confirm(`Delete “${track.title}” from your tracks?`)) return;
  await api.call('deleteTrack', { params: { trackId: track.trackId } });
  await loadTracks();
}

async function uploadFiles(files: readonly File[]): Promise<void> {
  for (const file of files) {
    const item = el('li');
    const label = el('span', `${file.name} `);
    const progress = el('progress', '', { max: '1', value: '0', 'aria-label': `Upload of ${file.name}` });
    item.append(label, progress);
    byId('uploads').append(item);
    try {
      const track = await uploadTrack(api, file, (fraction) => {
        progress.value = fraction;
      });
      await loadTracks();
      item.textContent = `${file.name}: uploaded as “${track.title}”`;
      item.dataset.uploaded = 'true';
    } catch (error) {
      item.textContent = `${file.name}: ${error instanceof Error ? error.message : String(error)}`;
      item.classList.add('error');
    }
  }
}

const dropZone = byId('drop-zone');
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('dragging');
  action(() => uploadFiles([...(event.dataTransfer?.files ?? [])]))();
});
byId<HTMLInputElement>('file-input').addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const files = [...(input.files ?? [])];
  input.value = '';
  action(() => uploadFiles(files))();
});

// ---- the player ---------------------------------------------------------------------------------------

async function command(input: CommandInput): Promise<void> {
  if (!view || !isActive()) throw new Error('Start a show first: commands go to a show that is starting or live.');
  const item = el('li', `${describeCommand(input, titleOf)}: sending…`);
  byId('commands').prepend(item);
  const describe = (status: CommandProgress) => {
    item.textContent = `${describeCommand(input, titleOf)}: ${status.status}${status.reason ? ` — ${status.reason}` : ''}`;
    item.dataset.status = status.status;
    item.classList.toggle('error', status.status === 'FAILED');
  };
  try {
    await sendCommand(api, view.sessionId, input, describe);
  } catch (error) {
    item.textContent = `${describeCommand(input, titleOf)}: not sent — ${error instanceof Error ? error.message : String(error)}`;
    item.dataset.status = 'NOT_SENT';
    item.classList.add('error');
    throw error;
  }
}

/** The desk's fade settings as the host set them. */
function fades(): FadeSettings {
  return {
    fadeInSeconds: fadeSeconds(byId<HTMLInputElement>('fade-in-input').value),
    fadeOutSeconds: fadeSeconds(byId<HTMLInputElement>('fade-out-input').value),
    crossfadeSeconds: fadeSeconds(byId<HTMLInputElement>('crossfade-input').value),
  };
}

/** `{ fadeOutSeconds }` when the desk sets one. */
function fadeOut(): { fadeOutSeconds?: number } {
  const { fadeOutSeconds } = fades();
  return fadeOutSeconds > 0 ? { fadeOutSeconds } : {};
}

function play(track: TrackView): Promise<void> {
  return command(playCommand(track, 'program', fades()));
}

byId('pause-button').addEventListener('click', action(() => command({ type: 'PAUSE_MEDIA', ...fadeOut() })));
byId('resume-button').addEventListener(
  'click',
  action(() => command({ type: 'RESUME_MEDIA', ...(fades().fadeInSeconds > 0 ? { fadeInSeconds: fades().fadeInSeconds } : {}) })),
);
byId('stop-button').addEventListener('click', action(() => command({ type: 'STOP_MEDIA', ...fadeOut() })));
byId('bed-play-button').addEventListener(
  'click',
  action(async () => {
    const track = tracks.find((t) => t.trackId === byId<HTMLSelectElement>('bed-select').value);
    if (!track) throw new Error('Choose a track for the bed first.');
    await command(playCommand(track, 'bed', fades()));
  }),
);
byId('bed-stop-button').addEventListener('click', action(() => command({ type: 'STOP_MEDIA', deck: 'bed', ...fadeOut() })));
byId('clips-stop-button').addEventListener('click', action(() => command({ type: 'STOP_MEDIA', deck: 'clip' })));
byId('bed-volume-input').addEventListener(
  'change',
  action(() => command({ type: 'SET_VOLUME', deck: 'bed', volume: Math.min(1, Math.max(0, Number(byId<HTMLInputElement>('bed-volume-input').value))) })),
);
byId('normalize-input').addEventListener(
  'change',
  action(() => command({ type: 'SET_LOUDNESS_NORMALIZATION', enabled: byId<HTMLInputElement>('normalize-input').checked })),
);
/** Ducking under voices, switched live (SET_DUCKING): on or off, and its depth. */
const duckInput = byId<HTMLInputElement>('duck-input');
const duckDepthInput = byId<HTMLInputElement>('duck-depth-input');
duckInput.addEventListener('change', action(() => command({ type: 'SET_DUCKING', enabled: duckInput.checked })));
duckDepthInput.addEventListener(
  'change',
  action(() => command({ type: 'SET_DUCKING', depthDb: Math.min(MAX_DUCK_DEPTH_DB, Math.max(MIN_DUCK_DEPTH_DB, Number(duckDepthInput.value) || DEFAULT_DUCK_DEPTH_DB)) })),
);
byId('seek-button').addEventListener(
  'click',
  action(() => command({ type: 'SEEK_MEDIA', seconds: Math.max(0, Number(byId<HTMLInputElement>('seek-input').value) || 0) })),
);
byId('volume-input').addEventListener(
  'change',
  action(() => command({ type: 'SET_VOLUME', volume: Math.min(1, Math.max(0, Number(byId<HTMLInputElement>('volume-input').value))) })),
);

function renderNowPlaying(): void {
  const target = byId('now-playing');
  const now = view?.nowPlaying;
  if (!now || !now.programId || now.state === 'STOPPED') {
    target.textContent = 'Nothing playing';
    target.dataset.state = 'STOPPED';
    return;
  }
  const total = now.durationSeconds === null ? '' : ` / ${clock(now.durationSeconds)}`;
  target.textContent = `${now.state === 'PLAYING' ? 'Playing' : 'Paused'}: ${titleOf(now.programId)} — ${clock(currentPosition(now))}${total} — volume ${Math.round(now.volume * 100)} %`;
  target.dataset.state = now.state;
  target.dataset.programId = now.programId;
}

function renderDecks(): void {
  const decks = view?.nowPlaying?.decks;
  const bed = decks?.bed;
  const bedPosition = bed && view?.nowPlaying ? currentPosition({ ...bed, programId: bed.programId, updatedAt: view.nowPlaying.updatedAt }) : 0;
  byId('bed-now').textContent = describeDeck('Bed', bed, titleOf, bedPosition);
  byId('clips-now').textContent = describeClips(decks, titleOf);
  // The ducking in force, unless the host is changing it now.
  if (view?.ducking && document.activeElement !== duckInput && document.activeElement !== duckDepthInput) {
    duckInput.checked = view.ducking.enabled;
    duckDepthInput.value = String(view.ducking.depthDb);
  }
}
setInterval(() => {
  renderNowPlaying();
  renderDecks();
}, 250);

// ---- start --------------------------------------------------------------------------------------------

renderSignedIn(undefined);
if (auth.current) {
  try {
    void afterSignIn(auth.use(auth.current)).catch(showError);
  } catch (error) {
    showError(error);
  }
}
