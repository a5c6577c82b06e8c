/**
 * The caller's page (`/call`): a host shares its link, which carries a caller's participant token in the
 * fragment. The caller joins with their microphone, speaks, and hears the show (the program and everyone
 * on the stage), with a level meter per participant. `window.shelcasterCall` lets tests measure what the
 * page hears.
 */
import { callerTokenOf } from '#contract/console';
import { byId } from './dom.ts';
import { renderParticipants } from './participants-view.ts';
import { leftReason, OnStage } from './stage.ts';

const METERS_REFRESH_MS = 100;

let metersTimer: ReturnType<typeof setInterval> | undefined;
const token = callerTokenOf(window.location.hash);

function showError(error: unknown): void {
  const box = byId('error');
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

function render(): void {
  renderParticipants(byId('participants'), stage.participants());
}

async function leave(status: string): Promise<void> {
  clearInterval(metersTimer);
  metersTimer = undefined;
  await stage.leave();
  byId('participants').replaceChildren();
  byId('call-status').textContent = status;
  byId<HTMLButtonElement>('leave-button').disabled = true;
  byId<HTMLButtonElement>('join-button').disabled = !token;
}

const stage = new OnStage({
  onParticipants: render,
  onLeft: (reason) => void leave(leftReason(reason)),
});

if (!token) {
  byId<HTMLButtonElement>('join-button').disabled = true;
  showError('This link has no invitation in it: ask the host for a new one.');
}

byId('join-button').addEventListener('click', () => {
  if (!token) return;
  byId('error').hidden = true;
  byId<HTMLButtonElement>('join-button').disabled = true;
  byId('call-status').textContent = 'Joining…';
  stage
    .join(token, { headphones: byId<HTMLInputElement>('headphones').checked })
    .then(() => {
      byId('call-status').textContent = 'You are on the show: your microphone is live';
      byId('call-status').dataset.joined = 'true';
      byId<HTMLButtonElement>('leave-button').disabled = false;
      render();
      metersTimer = setInterval(render, METERS_REFRESH_MS);
    })
    .catch((error: unknown) => {
      byId<HTMLButtonElement>('join-button').disabled = false;
      byId('call-status').textContent = 'Not on the stage';
      showError(error);
    });
});

byId('leave-button').addEventListener('click', () => void leave('You left the show.'));

/** For tests: what the page hears of a participant (WebAudio). */
(window as unknown as { shelcasterCall: { stage: OnStage } }).shelcasterCall = { stage };
