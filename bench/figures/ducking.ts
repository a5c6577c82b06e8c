/**
 * Figure "a caller's voice → the bed ducks" (issue 18, reported): a show plays a bed; a caller joins from the
 * host's caller link with a voice-like microphone (a tone that talks and pauses, looped by Chromium's fake
 * microphone). Each sample is the time from the onset of a turn of talk, as the caller's own page measures its
 * microphone (its level meter read every 10 ms, stamped with the page's wall clock), to the controller's DUCK of
 * the bed for it, as the as-run log records it (the moment the page began lowering the bed).
 */
import { callerLink } from '#contract/console';
import { buildConsole } from '#harness/console-build';
import { DUCK_ATTACK_SECONDS, DUCK_VAD_ONSET_SECONDS, DUCK_VAD_THRESHOLD_DBFS } from '#contract/index';
import { joinAsCaller, type CallerPage } from '#harness/caller-page';
import { voiceLikeWav } from '#harness/tone-wav';
import { endSession, postCommand, sleep, startSession, waitApplied, type BenchContext, type BenchSession } from '../client.ts';
import { figure, type Figure } from '../figure.ts';

/** Turns measured even past the step's share of the budget. */
const MIN_TURNS = 3;
const SPEAK_SECONDS = 1.5;
const SILENT_SECONDS = 2.5;
const VOICE_HZ = 700;
/** The caller's meter counts a turn from here (the controller's voice threshold, as RMS). */
const ONSET_LEVEL = 10 ** (DUCK_VAD_THRESHOLD_DBFS / 20);
/** A DUCK more than this after an onset is not that turn's. */
const MATCH_WINDOW_MS = SPEAK_SECONDS * 1000;


type CallWindow = Window & {
  shelcasterCall: { stage: { participants(): { self: boolean; level: number }[] } };
  voiceOnsets?: number[];
};

/** Starts noting, in the caller's page, each onset of its own microphone after a pause (epoch ms). */
async function watchOwnVoice(caller: CallerPage): Promise<void> {
  await caller.page.evaluate(
    (threshold, pauseMs) => {
      const w = window as unknown as CallWindow;
      const onsets: number[] = [];
      w.voiceOnsets = onsets;
      let quietSince = Date.now();
      let talking = false;
      setInterval(() => {
        const self = w.shelcasterCall.stage.participants().find((p) => p.self);
        const level = self?.level ?? 0;
        const now = Date.now();
        if (level > threshold) {
          if (!talking && now - quietSince >= pauseMs) onsets.push(now);
          talking = true;
        } else {
          if (talking) quietSince = now;
          talking = false;
        }
      }, 10);
    },
    ONSET_LEVEL,
    (SILENT_SECONDS * 1000) / 2,
  );
}

export async function duckingFigures(ctx: BenchContext, turns: number, log: (line: string) => void): Promise<Figure[]> {
  buildConsole();
  const api = await ctx.newHost();
  const media = await ctx.mediaFor(api);
  let session: BenchSession | undefined;
  let caller: CallerPage | undefined;
  const notes: string[] = [];
  const latencies: number[] = [];
  let onsets: number[] = [];
  let missed = 0;
  try {
    session = await startSession(api, 'Bench ducking');
    await waitApplied(session, await postCommand(session, { type: 'PLAY_MEDIA', programId: 'bench-bed', programUrl: media.programUrl, deck: 'bed' }));
    const minted = await api.send('createParticipantToken', { params: { sessionId: session.sessionId }, body: { role: 'CALLER', displayName: 'Bench talker' } });
    if (!minted.ok) throw new Error(`POST tokens answered ${minted.status}: ${JSON.stringify(minted.body)}`);
    caller = await joinAsCaller(callerLink(ctx.cloud.apiUrl, minted.body.token), {
      voiceWav: voiceLikeWav({ frequency: VOICE_HZ, speakSeconds: SPEAK_SECONDS, silentSeconds: SILENT_SECONDS, amplitude: 0.15 }),
    });
    await watchOwnVoice(caller);
    log('  the caller joined and talks over the bed');
    const until = Date.now() + turns * (SPEAK_SECONDS + SILENT_SECONDS) * 1000 + 1000;
    // At least MIN_TURNS turns even past the step's share (a figure needs some).
    const atLeast = Date.now() + MIN_TURNS * (SPEAK_SECONDS + SILENT_SECONDS) * 1000 + 1000;
    while (Date.now() < until && (!ctx.outOfTime || Date.now() < atLeast)) await sleep(250);
    onsets = await caller.page.evaluate(() => [...((window as unknown as CallWindow).voiceOnsets ?? [])]);
    await caller.close();
    caller = undefined;
    // The as-run entries are written as the desk does them; a second lets the last ones land.
    await sleep(1000);
    const asRun = await api.send('getAsRun', { params: { sessionId: session.sessionId } });
    if (!asRun.ok) throw new Error(`GET as-run answered ${asRun.status}`);
    const ducks = asRun.body.entries.filter((e) => e.event === 'DUCK' && e.deck === 'bed' && e.cause === 'VOICE').map((e) => Date.parse(e.at));
    for (const onset of onsets) {
      const duck = ducks.find((at) => at >= onset - 100 && at < onset + MATCH_WINDOW_MS);
      if (duck === undefined) missed++;
      else latencies.push(duck - onset);
    }
    log(`  ${latencies.length} of ${onsets.length} turns ducked (${ducks.length} DUCK entries)`);
    if (ducks.length > onsets.length) notes.push(`${ducks.length - onsets.length} DUCK entries more than turns the caller's meter saw`);
  } finally {
    await caller?.close();
    if (session) await endSession(session).catch((error: unknown) => notes.push(`end: ${(error as Error).message}`));
  }
  return [
    figure({
      id: 'duck',
      title: "a caller's voice → the bed ducks",
      unit: 'ms',
      target: 'reported',
      samples: latencies,
      values: { turns: onsets.length, ducked: latencies.length, notDucked: missed },
      notes: [
        `A caller talks ${SPEAK_SECONDS} s and pauses ${SILENT_SECONDS} s (a ${VOICE_HZ} Hz tone moving like syllables) over a bed; each sample is from the onset of a turn, as the caller's own meter reads it (above ${DUCK_VAD_THRESHOLD_DBFS} dBFS, every 10 ms, a 21 ms window), to the controller's DUCK of the bed for it in the as-run log.`,
        `What it holds: the caller's encoder → the local stage, forwarded to the controller's subscription → its jitter buffer and decoder → the voice-activity worklet (${DUCK_VAD_ONSET_SECONDS * 1000} ms above the threshold) → the page lowering the bed (reaching 95 % of the depth ${DUCK_ATTACK_SECONDS * 1000} ms later, not included).`,
        ...notes,
      ],
    }),
  ];
}
