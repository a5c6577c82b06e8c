/**
 * Figure "caller hears the track" (issue 14: p95 ≤ 250 ms): a caller joins a live show from the host's caller
 * link (the console's caller page in headless Chromium, the IVS web SDK subscribing to the program), then
 * PLAY_MEDIA commands of a beep are POSTed; each sample is the time from the moment POST was sent to the
 * beep's onset in what the caller's page hears, measured in the page with WebAudio (a Goertzel filter over
 * each analyser frame, stamped with the page's wall clock).
 */
import { callerLink } from '#contract/console';
import { buildConsole } from '#harness/console-build';
import { joinAsCaller, onsetAfter, type CallerPage } from '#harness/caller-page';
import { endSession, sleep, startSession, type BenchContext, type BenchSession } from '../client.ts';
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


export async function callerFigures(ctx: BenchContext, beeps: number, log: (line: string) => void): Promise<Figure[]> {
  buildConsole();
  const api = await ctx.newHost();
  const media = await ctx.mediaFor(api);
  let session: BenchSession | undefined;
  let caller: CallerPage | undefined;
  const sent: number[] = [];
  const notes: string[] = [];
  const latencies: number[] = [];
  let unheard = 0;
  try {
    session = await startSession(api, 'Bench caller');
    const minted = await api.send('createParticipantToken', { params: { sessionId: session.sessionId }, body: { role: 'CALLER', displayName: 'Bench caller' } });
    if (!minted.ok) throw new Error(`POST tokens answered ${minted.status}: ${JSON.stringify(minted.body)}`);
    caller = await joinAsCaller(callerLink(ctx.cloud.apiUrl, minted.body.token));
    await caller.listen(BEEP_HZ);
    log('  the caller joined from its link and hears the program');
    await sleep(1000);
    for (let i = 0; i < beeps && (!ctx.outOfTime || i < MIN_BEEPS); i++) {
      const slot = Date.now() + SPACING_MS;
      const response = await api.send('enqueueCommand', { params: { sessionId: session.sessionId }, body: { type: 'PLAY_MEDIA', programId: `caller-beep-${i}`, programUrl: media.beepUrl } });
      if (response.status === 202) sent.push(response.sentAt);
      else notes.push(`PLAY_MEDIA ${i + 1} answered ${response.status}`);
      await sleep(Math.max(0, slot - Date.now()));
    }
    const readings = await caller.readings();
    for (const at of sent) {
      const onset = onsetAfter(readings, at, ONSET_THRESHOLD);
      if (onset && onset.atMs < at + SPACING_MS) latencies.push(onset.atMs - at);
      else unheard++;
    }
    log(`  ${latencies.length} of ${sent.length} beeps heard by the caller`);
  } finally {
    await caller?.close();
    if (session) await endSession(session).catch((error: unknown) => notes.push(`end: ${(error as Error).message}`));
  }
  const summary = summarize(latencies);
  return [
    figure({
      id: 'caller',
      title: 'caller hears the track',
      unit: 'ms',
      target: 'p95 ≤ 250 ms',
      samples: latencies,
      checks: [atMost('p95', summary.p95, CALLER_TARGET_MS), atMost('beeps not heard', unheard, 0)],
      values: { asked: beeps, sent: sent.length, heard: latencies.length, notHeard: unheard },
      notes: [
        `${sent.length} PLAY_MEDIA commands of a 0.5 s ${BEEP_HZ} Hz beep, one every ${SPACING_MS / 1000} s, timed from the moment the POST was sent to the first analyser frame (${FRAME_MS.toFixed(1)} ms, read every 10 ms) in which the caller's page hears it above ${ONSET_THRESHOLD} (the beep is at 0.125).`,
        "What it holds: API → queue → controller (fetch, decode, play) → WebAudio → Opus → the local stage, forwarded to the caller's subscription (no mix) → the caller's jitter buffer and decoder → WebAudio.",
        ...notes,
      ],
    }),
  ];
}
