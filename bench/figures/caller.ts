/**
 * Figure "caller hears the track" (issue 14: p95 ≤ 250 ms): a caller joins a live show from the host's caller
 * link (the console's caller page in headless Chromium, the IVS web SDK subscribing to the program), then
 * PLAY_MEDIA commands of a beep are POSTed; each sample is the time from the moment POST was sent to the
 * beep's onset in what the caller's page hears, measured in the page with WebAudio (a Goertzel filter over
 * each analyser frame, stamped with the page's wall clock).
 */
import { callerLink } from '#contract/console';
import { buildConsole } from '#harness/console-build';
import { jitterBufferDelayBetween, joinAsCaller, onsetAfter, stretchedMsBetween, type CallerPage, type ReceivedAudioStats } from '#harness/caller-page';
import { endSession, postCommand, sleep, startSession, waitApplied, type BenchContext, type BenchSession, type SentCommand } from '../client.ts';
import { atMost, figure, type Figure } from '../figure.ts';
import { BEEP_HZ } from '../media.ts';
import { summarize } from '../stats.ts';

export const CALLER_TARGET_MS = 250;
/** Seconds between beeps asked for (and the longest a beep may take to be heard). */
/** Beeps measured even past the step's share of the budget (a figure needs some). */
const MIN_BEEPS = 5;
const SPACING_MS = 2000;
/** The beep (1/8 full scale) is heard once the meter reads above this. */
const ONSET_THRESHOLD = 0.03;
/** The analyser frame the meter reads: 512 samples at 48 kHz. */
const FRAME_MS = (512 / 48_000) * 1000;


/** What one run of the caller's beeps measured: the input of `callerFigure`. */
export interface CallerMeasurement {
  /** Beeps asked for and sent. */
  asked: number;
  sent: number;
  /** POST → heard of each heard beep (ms), and its split at the controller's appliedAt. */
  latencies: number[];
  toApplied: number[];
  appliedToHeard: number[];
  unheard: number;
  firstBeep?: { toAcceptedMs: number; toAppliedMs: number };
  /** The caller's received-audio stats at each beep's POST, and once after the last. */
  received: ReceivedAudioStats[];
  /** RTP packets of video the caller received over the run (an audio-only subscriber is sent none). */
  videoPackets?: number;
  notes: string[];
}

export async function callerFigures(ctx: BenchContext, beeps: number, log: (line: string) => void): Promise<Figure[]> {
  return [callerFigure(await measureCallerBeeps(ctx, beeps, log))];
}

/** A caller joins a live show from its link; beeps are played through the API and found in what it hears. */
async function measureCallerBeeps(ctx: BenchContext, beeps: number, log: (line: string) => void): Promise<CallerMeasurement> {
  buildConsole();
  const api = await ctx.newHost();
  const media = await ctx.mediaFor(api);
  let session: BenchSession | undefined;
  let caller: CallerPage | undefined;
  const sent: SentCommand[] = [];
  const measured: CallerMeasurement = { asked: beeps, sent: 0, latencies: [], toApplied: [], appliedToHeard: [], unheard: 0, received: [], notes: [] };
  try {
    session = await startSession(api, 'Bench caller');
    const minted = await api.send('createParticipantToken', { params: { sessionId: session.sessionId }, body: { role: 'CALLER', displayName: 'Bench caller' } });
    if (!minted.ok) throw new Error(`POST tokens answered ${minted.status}: ${JSON.stringify(minted.body)}`);
    caller = await joinAsCaller(callerLink(ctx.cloud.apiUrl, minted.body.token));
    await caller.listen(BEEP_HZ);
    log('  the caller joined from its link and hears the program');
    // One beep first, not counted: the show's first command pays what a warm system does not (a fresh
    // cloud's cold enqueue function; the controller's first fetch of the file), reported on its own.
    const first = await waitApplied(session, await postCommand(session, { type: 'PLAY_MEDIA', programId: 'caller-beep-first', programUrl: media.beepUrl }));
    if (first.acceptedAt !== undefined && first.appliedAt !== undefined) measured.firstBeep = { toAcceptedMs: first.acceptedAt - first.postedAt, toAppliedMs: first.appliedAt - first.postedAt };
    await sleep(SPACING_MS);
    for (let i = 0; i < beeps && (!ctx.outOfTime || i < MIN_BEEPS); i++) {
      const slot = Date.now() + SPACING_MS;
      measured.received.push(await caller.receivedAudio());
      try {
        sent.push(await postCommand(session, { type: 'PLAY_MEDIA', programId: `caller-beep-${i}`, programUrl: media.beepUrl }));
      } catch (error) {
        measured.notes.push(`PLAY_MEDIA ${i + 1}: ${(error as Error).message}`);
      }
      await sleep(Math.max(0, slot - Date.now()));
    }
    measured.received.push(await caller.receivedAudio());
    measured.videoPackets = await caller.receivedVideoPackets();
    const readings = await caller.readings();
    for (const command of sent) {
      const at = command.postedAt;
      const onset = onsetAfter(readings, at, ONSET_THRESHOLD);
      if (!onset || onset.atMs >= at + SPACING_MS) {
        measured.unheard++;
        continue;
      }
      measured.latencies.push(onset.atMs - at);
      const { appliedAt } = await waitApplied(session, command);
      if (appliedAt === undefined) continue;
      measured.toApplied.push(appliedAt - at);
      measured.appliedToHeard.push(onset.atMs - appliedAt);
    }
    log(`  ${measured.latencies.length} of ${sent.length} beeps heard by the caller`);
  } finally {
    measured.sent = sent.length;
    await caller?.close();
    if (session) await endSession(session).catch((error: unknown) => measured.notes.push(`end: ${(error as Error).message}`));
  }
  return measured;
}

/** The figure "caller hears the track" from what a run measured (pure). */
export function callerFigure(measured: CallerMeasurement): Figure {
  const { latencies, received } = measured;
  const summary = summarize(latencies);
  const jitterBuffer = received.slice(1).flatMap((later, i) => jitterBufferDelayBetween(received[i]!, later) ?? []).map(Math.round);
  /** What the caller's buffer stretched in (+) or cut (−) in each beep's 2 s. */
  const stretched = received.slice(1).map((later, i) => Math.round(stretchedMsBetween(received[i]!, later)));
  const concealed = received.length > 1 ? received.at(-1)!.concealedSamples - received[0]!.concealedSamples : 0;
  const { firstBeep } = measured;
  return figure({
    id: 'caller',
    title: 'caller hears the track',
    unit: 'ms',
    target: 'p95 ≤ 250 ms',
    samples: latencies,
    checks: [atMost('p95', summary.p95, CALLER_TARGET_MS), atMost('beeps not heard', measured.unheard, 0)],
    values: {
      asked: measured.asked,
      sent: measured.sent,
      heard: latencies.length,
      notHeard: measured.unheard,
      ...(firstBeep ? { firstBeepToAcceptedMs: firstBeep.toAcceptedMs, firstBeepToAppliedMs: firstBeep.toAppliedMs } : {}),
      ...(measured.videoPackets !== undefined ? { videoPacketsReceived: measured.videoPackets } : {}),
    },
    breakdown: {
      'POST sent → appliedAt (API, queue, controller: the beep fetched, decoded, started)': summarize(measured.toApplied),
      "appliedAt → the caller hears it (WebAudio, Opus, the local stage, the caller's jitter buffer)": summarize(measured.appliedToHeard),
      "the caller's jitter-buffer delay, averaged over each beep's 2 s (WebRTC stats)": summarize(jitterBuffer),
    },
    notes: [
      `${measured.sent} PLAY_MEDIA commands of a 0.5 s ${BEEP_HZ} Hz beep, one every ${SPACING_MS / 1000} s, timed from the moment the POST was sent to the first analyser frame (${FRAME_MS.toFixed(1)} ms, read every 10 ms) in which the caller's page hears it above ${ONSET_THRESHOLD} (the beep is at 0.125).`,
      "What it holds: API → queue → controller (fetch, decode, play) → WebAudio → Opus → the local stage, forwarded to the caller's subscription (no mix) → the caller's jitter buffer and decoder → WebAudio.",
      "A first beep, not counted, is sent before them: the show's first command pays a fresh cloud's cold enqueue function and the controller's first fetch of the file (firstBeepToAcceptedMs, firstBeepToAppliedMs).",
      "The caller subscribes audio only: videoPacketsReceived counts the video it was sent all the same (none: the IVS web SDK pauses it through the stage's playback controls; a caller sent video syncs its audio to it, which held the audio up by as much as 415 ms before the local stage had them).",
      `appliedAt → heard, beep by beep (ms): ${measured.appliedToHeard.join(', ')}; the caller's jitter-buffer delay in each beep's 2 s (ms): ${jitterBuffer.join(', ')}; interarrival jitter at each beep (ms): ${received.slice(1).map((r) => Math.round(r.jitter * 1000)).join(', ')}; ms stretched in (+) or cut out (−) by the buffer in each: ${stretched.join(', ')}; samples concealed meanwhile: ${concealed}.`,
      ...measured.notes,
    ],
  });
}
