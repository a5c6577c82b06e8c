/**
 * Issue 18's run-of-show, with real processes (the local cloud, the controller with real Chromium publishing
 * into the local stage, the composition recording to the local S3), in one show driven by its run-of-show
 * alone: one NEXT, then three items that follow on by themselves (auto-advance) with their crossfades.
 *
 * - Two edits made at once on the same version: one wins, the other gets 409 CONFLICT and changes nothing.
 * - The three tones are found in the recording in order, each starting where the controller recorded it
 *   started (the run-of-show position's `startedAt`, on the recording's wall-clock timeline) and the one before
 *   fading out over the crossfade; each auto-advance starts its crossfade before the end of the item before.
 *   (A dropout of the whole recording, at most 0.5 s, is bridged: test/support/tone-stretch.ts.)
 * - The as-run log (JSON and CSV): every start, fade and stop in order, each item's PLAY at the time its tone
 *   begins in the recording (within 0.3 s), the CSV one row per track with title, file, start and duration.
 * - The chapters (GET /sessions/{id}/chapters) validate against the Podcasting 2.0 JSON chapters format, one
 *   at each item played, at the as-run log's start times; the episode (m4a) carries the same chapter marks
 *   (ffprobe's -show_chapters).
 * - The controller is killed during the last item: the replacement resumes it, the run-of-show and the
 *   position survive, and the item after it still follows on when it ends (by the show clock).
 * - Fade-outs: the last item's 2 s fade-out, as it plays to its end, is a FADE in the as-run log 2 s before that
 *   end, and in the recording its tone decays over those 2 s (from full, through half, to silence); the first
 *   item's fade-out gives way to the crossfade into the item after it (no FADE of its own).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type AsRunEntry, type RunOfShowItemInput, type RunOfShowPosition, type RunOfShowView } from '#contract/index';
import { eventually } from '#harness/eventually';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { SessionApi } from '#harness/session-api';
import { awsClients, runningController } from '#harness/system-session';
import { shapeAt } from '#controller-page/fade-curves';
import { decodeMono, findPresence, medianAmplitude, toneTrack, writeToneWav, type Presence } from '#harness/tones';
import { chaptersFormatProblems } from '#test/support/podcast-chapters-format';
import { recordingStartMs } from '#test/support/recording';
import { describeStretches, expectOneStretch } from '#test/support/tone-stretch';

const HOST = 'host-run-of-show';
const TOLERANCE_SECONDS = 0.3;
/** A replacement controller resumes by the show clock, to within this (as in controller-loss.test.ts). */
const RESUME_TOLERANCE_SECONDS = 2;
const PRESENT = 0.01;

/** The show's tracks: tone, length, and how each item follows. */
const TRACKS = {
  one: { frequency: 440, seconds: 6 },
  two: { frequency: 660, seconds: 6 },
  three: { frequency: 880, seconds: 40 },
  four: { frequency: 550, seconds: 6 },
} as const;
type Name = keyof typeof TRACKS;
const CROSSFADE: Record<Name, number> = { one: 0, two: 1.5, three: 1.5, four: 1 };
/** One's fade-out gives way to two's crossfade; four's is heard as it plays to its end. */
const FADE_OUT: Partial<Record<Name, number>> = { one: 3, four: 2 };

let cloud: RunningLocalCloud;
let api: SessionApi;
let work: string;
const trackIds = {} as Record<Name, string>;
const notes: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'run-of-show-'));
  const [started] = await Promise.all([
    startLocalCloud(),
    ...Object.entries(TRACKS).map(([name, t]) => writeToneWav(join(work, `${name}.wav`), [{ frequency: t.frequency, seconds: t.seconds }])),
  ]);
  cloud = started;
  api = new SessionApi(cloud, await localToken(cloud.dataDir, HOST));
  for (const name of Object.keys(TRACKS) as Name[]) {
    const programUrl = await api.uploadTrack(join(work, `${name}.wav`), 'audio/wav');
    const created = await api.send('createTrack', { body: { title: `Tone ${name}`, programUrl, contentType: 'audio/wav', sizeBytes: 1 } });
    if (!created.ok) throw new Error(`POST /tracks answered ${created.status}`);
    trackIds[name] = created.body.trackId;
  }
}, 180_000);

afterAll(async () => {
  if (notes.length > 0) console.log(`Observed:\n  ${notes.join('\n  ')}`);
  await cloud?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('A show driven by its run-of-show', () => {
  it('auto-advances through its items with their crossfades, heard in the recording at the times recorded, and carries on after a controller kill', async () => {
    const { sessionId } = await api.createSession('Run of show');
    const runOfShow = async (): Promise<RunOfShowView> => {
      const answer = await api.send('getRunOfShow', { params: { sessionId } });
      if (!answer.ok) throw new Error(`GET run-of-show answered ${answer.status}`);
      return answer.body;
    };
    const add = async (version: number, name: Name, extra: Partial<RunOfShowItemInput> = {}) =>
      await api.send('editRunOfShow', { params: { sessionId }, body: { op: 'ADD', version, item: { trackId: trackIds[name], crossfadeSeconds: CROSSFADE[name], ...(FADE_OUT[name] ? { fadeOutSeconds: FADE_OUT[name] } : {}), ...extra } } });

    // Prepared before the show is on air.
    expect(await runOfShow()).toEqual({ version: 0, items: [], position: null, nextItemId: null });
    const first = await add(0, 'one', { note: 'opening' });
    expect(first.ok && first.body.version).toBe(1);
    // Two tabs add at once on version 1: one wins, the other is refused and changes nothing.
    const [a, b] = await Promise.all([add(1, 'two', { autoAdvance: true }), add(1, 'four', { autoAdvance: true })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.ok ? b : a;
    expect(loser.body).toMatchObject({ code: 'CONFLICT' });
    const afterRace = await runOfShow();
    expect(afterRace.version).toBe(2);
    expect(afterRace.items).toHaveLength(2);
    // Whichever won, the list is made to read one, two, three, four.
    let list = afterRace;
    if (list.items[1]!.trackId === trackIds.four) {
      const removed = await api.send('editRunOfShow', { params: { sessionId }, body: { op: 'REMOVE', version: list.version, itemId: list.items[1]!.itemId } });
      if (!removed.ok) throw new Error('REMOVE failed');
      const added = await add(removed.body.version, 'two', { autoAdvance: true });
      if (!added.ok) throw new Error('ADD failed');
      list = added.body;
    }
    for (const name of ['three', 'four'] as const) {
      const added = await add(list.version, name, { autoAdvance: true });
      if (!added.ok) throw new Error(`ADD ${name} answered ${added.status}`);
      list = added.body;
    }
    expect(list.items.map((i) => i.trackId)).toEqual([trackIds.one, trackIds.two, trackIds.three, trackIds.four]);
    expect(list.items[0]).toMatchObject({ note: 'opening', autoAdvance: false, title: 'Tone one', deck: 'program', fadeOutSeconds: 3 });
    expect(list.items[3]).toMatchObject({ fadeOutSeconds: 2, crossfadeSeconds: 1 });

    await api.waitLive(sessionId);
    // Where each item started, as the controller recorded it (the position's startedAt), watched as it moves.
    const starts = new Map<string, RunOfShowPosition>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const { position } = await runOfShow().catch(() => ({ position: null }));
        if (position && !starts.has(position.itemId)) starts.set(position.itemId, position);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const startOf = (name: Name) => {
      const item = list.items.find((i) => i.trackId === trackIds[name])!;
      const position = starts.get(item.itemId);
      if (!position) throw new Error(`no start recorded for ${name}`);
      return Date.parse(position.startedAt);
    };

    const next = await api.applied(sessionId, { type: 'NEXT' });
    notes.push(`NEXT: POST → APPLIED ${next.appliedAtMs - next.postedAtMs} ms`);
    // two and three follow on by themselves.
    const three = list.items[2]!;
    await eventually(async () => (starts.has(three.itemId) ? true : undefined), 60_000, 'the third item to start');
    try {
      // Five seconds into the third item, its controller is killed.
      const controller = await runningController(awsClients(cloud).ecs, sessionId);
      await new Promise((r) => setTimeout(r, Math.max(0, startOf('three') + 5000 - Date.now())));
      process.kill(controller.pid, 'SIGKILL');
      const killedAt = Date.now();
      // The replacement resumes: the list and the position are as they were, and four follows three's end.
      const four = list.items[3]!;
      await eventually(async () => (starts.has(four.itemId) ? true : undefined), 90_000, 'the fourth item to follow on after the replacement');
      const survived = await runOfShow();
      expect(survived.items).toEqual(list.items);
      expect(survived.version).toBe(list.version);
      expect(survived.position?.itemId).toBe(four.itemId);
      expect((await api.session(sessionId)).controllerRestarts).toBe(1);
      const fourStartedAt = startOf('four');
      expect(fourStartedAt).toBeGreaterThan(killedAt);
      const expectedFour = startOf('three') + (TRACKS.three.seconds - CROSSFADE.four) * 1000;
      notes.push(`four started ${((fourStartedAt - expectedFour) / 1000).toFixed(2)} s from where three's show clock ends (less its crossfade)`);
      expect(Math.abs(fourStartedAt - expectedFour) / 1000).toBeLessThanOrEqual(RESUME_TOLERANCE_SECONDS);
      // NEXT past the end of the list is FAILED with the reason, and changes nothing.
      const past = await api.command(sessionId, { type: 'NEXT' });
      expect(past).toMatchObject({ status: 'FAILED', reason: 'the run-of-show has no next item' });
      expect((await runOfShow()).position).toEqual(survived.position);
      // Four plays to its end (fading out over its last 2 s) before the show ends; judged below by the times recorded.
      await new Promise((r) => setTimeout(r, Math.max(0, fourStartedAt + (TRACKS.four.seconds + 2) * 1000 - Date.now())));
    } finally {
      watching = false;
      await watcher;
    }

    expect((await api.request('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
    await api.waitOver(sessionId);
    const path = join(work, 'episode.m4a');
    await api.downloadRecording(sessionId, path);
    const samples = await decodeMono(path);
    const startMs = await recordingStartMs(cloud.awsEndpoint, sessionId);
    const t = (name: Name) => (startOf(name) - startMs) / 1000;

    // Auto-advance: each started its crossfade before the end of the item before, by the recorded times.
    for (const [before, after] of [['one', 'two'], ['two', 'three']] as const) {
      const expected = t(before) + TRACKS[before].seconds - CROSSFADE[after];
      notes.push(`${after} started at ${t(after).toFixed(2)} s; ${before}'s end less the crossfade is ${expected.toFixed(2)} s`);
      expect(Math.abs(t(after) - expected)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    }
    // The tones in the recording, in order, each from its recorded start, the one before it fading out over
    // the crossfade (so both sound during it, and it is gone after).
    const stretch = (name: Name): Presence[] => findPresence(toneTrack(samples, TRACKS[name].frequency), PRESENT);
    const stretchCheck = { samples, notes, toleranceSeconds: TOLERANCE_SECONDS };
    const expectStretch = (name: Name, startSeconds: number, endSeconds: number) =>
      expectOneStretch(stretch(name), { startSeconds, endSeconds }, `${name} (${TRACKS[name].frequency} Hz)`, stretchCheck);
    expectStretch('one', t('one'), t('two') + CROSSFADE.two);
    expectStretch('two', t('two'), t('three') + CROSSFADE.three);
    // Three: from its start; it was resumed after the kill, so only its start is compared here.
    const threeHeard = stretch('three');
    notes.push(`three heard: ${describeStretches(threeHeard)}, started at ${t('three').toFixed(2)} s`);
    expect(Math.abs(threeHeard[0]!.startSeconds - t('three'))).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    const order = (['one', 'two', 'three'] as const).map((name) => stretch(name)[0]!.startSeconds);
    expect([...order].sort((x, y) => x - y)).toEqual(order);

    // The as-run log: every start, fade, stop and skip in order, on the recording's timeline; each item's PLAY
    // where its tone begins in the recording.
    const asRun = await api.send('getAsRun', { params: { sessionId } });
    if (!asRun.ok) throw new Error(`GET as-run answered ${asRun.status}`);
    const { entries } = asRun.body;
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());
    const plays = entries.filter((e) => e.event === 'PLAY');
    expect(plays.map((e) => `${e.programId} ${e.cause}`)).toEqual([
      `${trackIds.one} NEXT`,
      `${trackIds.two} AUTO`,
      `${trackIds.three} AUTO`,
      `${trackIds.three} RESUMED`,
      `${trackIds.four} AUTO`,
    ]);
    for (const [i, name] of (['one', 'two', 'three'] as const).entries()) {
      const entry = plays[i]!;
      const heard = stretch(name)[0]!.startSeconds;
      notes.push(`as-run PLAY ${name} at ${entry.showSeconds.toFixed(2)} s (${entry.at}); heard from ${heard.toFixed(2)} s`);
      expect(entry).toMatchObject({ deck: 'program', itemId: list.items[i]!.itemId, title: `Tone ${name}` });
      expect(Math.abs(entry.showSeconds - heard)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    }
    // Each crossfade: the item before fades out (FADE, then STOP) as the next one starts.
    for (const name of ['one', 'two'] as const) {
      const events = entries.filter((e) => e.programId === trackIds[name]).map((e) => `${e.event}${e.fadeSeconds ? ` ${e.fadeSeconds}` : ''}`);
      const out = CROSSFADE[name === 'one' ? 'two' : 'three'];
      expect(events).toEqual([CROSSFADE[name] ? `PLAY ${CROSSFADE[name]}` : 'PLAY', `FADE ${out}`, `STOP ${out}`]);
    }
    // Four's fade-out: a FADE over 2 s, its fade-out before its own end (its PLAY plus its length), made by the
    // run-of-show (AUTO); in the recording its tone is full before the FADE, decays along the fade's curve and is
    // silent once it is over.
    const fourEntries = entries.filter((e) => e.programId === trackIds.four);
    expect(fourEntries.map((e) => `${e.event}${e.fadeSeconds ? ` ${e.fadeSeconds}` : ''} ${e.cause}`)).toEqual([`PLAY ${CROSSFADE.four} AUTO`, `FADE ${FADE_OUT.four} AUTO`]);
    const [fourPlay, fourFade] = fourEntries as [AsRunEntry, AsRunEntry];
    expect(fourFade).toMatchObject({ itemId: list.items[3]!.itemId, title: 'Tone four', deck: 'program' });
    const fadeFrom = fourFade.showSeconds;
    notes.push(`four: PLAY at ${fourPlay.showSeconds.toFixed(2)} s, FADE at ${fadeFrom.toFixed(2)} s (its end less the fade-out: ${(fourPlay.showSeconds + TRACKS.four.seconds - FADE_OUT.four!).toFixed(2)} s)`);
    expect(Math.abs(fadeFrom - (fourPlay.showSeconds + TRACKS.four.seconds - FADE_OUT.four!))).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    const fourTone = toneTrack(samples, TRACKS.four.frequency);
    const full = medianAmplitude(fourTone, fourPlay.showSeconds + CROSSFADE.four + 0.3, fadeFrom - 0.1);
    expect(full).toBeGreaterThan(PRESENT * 5);
    // Against the page's own curve (a raised cosine from full to silence) a quarter, half and three quarters of
    // the way, within 0.2 of full (the path from the page to the recording shifts it a little); still heard
    // three quarters of the way (a cut would read about 0 all along, no fade about 1).
    const heard = [0.25, 0.5, 0.75].map((x) => {
      const at = fadeFrom + x * FADE_OUT.four!;
      return { x, level: medianAmplitude(fourTone, at - 0.1, at + 0.15) / full, curve: 1 - shapeAt('s', x) };
    });
    notes.push(`four's fade-out: ${heard.map((h) => `${h.level.toFixed(2)} (curve ${h.curve.toFixed(2)})`).join(' / ')} of full (${full.toFixed(4)})`);
    for (const { x, level, curve } of heard) expect(Math.abs(level - curve), `${x} of the way`).toBeLessThanOrEqual(0.2);
    expect(heard[0]!.level).toBeGreaterThan(heard[1]!.level);
    expect(heard[1]!.level).toBeGreaterThan(heard[2]!.level);
    expect(heard[2]!.level).toBeGreaterThan(0.02);
    expect(medianAmplitude(fourTone, fadeFrom + FADE_OUT.four! + TOLERANCE_SECONDS, fadeFrom + FADE_OUT.four! + 1.5)).toBeLessThan(PRESENT);
    // One's fade-out gave way to the crossfade into two (above: its only FADE is the crossfade's).

    // As CSV: one row per track that went out (title, file, start, duration).
    const csv = await fetch(new ApiClient({ baseUrl: cloud.apiUrl }).url('getAsRun', { sessionId }), { headers: { authorization: `Bearer ${await localToken(cloud.dataDir, HOST)}`, accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = (await csv.text()).trim().split('\r\n').map((row) => row.split(','));
    notes.push(`as-run CSV: ${rows.map((r) => r.slice(0, 4).join(' | ')).join(' / ')}`);
    expect(rows[0]).toEqual(['title', 'file', 'start', 'duration', 'deck', 'startedAt']);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual(
      (['one', 'two', 'three', 'four'] as const).map((name) => [`Tone ${name}`, `${name}.wav`]),
    );
    // One's duration: from its start to the end of its crossfade into two, or its own end if that came first.
    expect(Math.abs(Number(rows[1]![3]) - Math.min(TRACKS.one.seconds, t('two') + CROSSFADE.two - t('one')))).toBeLessThanOrEqual(0.05);
    expect(Math.abs(Number(rows[1]![2]) - plays[0]!.showSeconds)).toBeLessThanOrEqual(0.001);

    // Chapters: Podcasting 2.0 JSON chapters, one at each item played, at its as-run start.
    const chaptersAnswer = await fetch(new ApiClient({ baseUrl: cloud.apiUrl }).url('getChapters', { sessionId }), {
      headers: { authorization: `Bearer ${await localToken(cloud.dataDir, HOST)}` },
    });
    expect(chaptersAnswer.status).toBe(200);
    expect(chaptersAnswer.headers.get('content-type')).toContain('application/json+chapters');
    const chapters = (await chaptersAnswer.json()) as { version: string; chapters: { startTime: number; title?: string }[] };
    notes.push(`chapters: ${JSON.stringify(chapters)}`);
    expect(chaptersFormatProblems(chapters)).toEqual([]);
    expect(chapters.version).toBe('1.2.0');
    const itemPlays = plays.filter((e) => e.cause !== 'RESUMED');
    expect(chapters.chapters).toEqual(itemPlays.map((e) => ({ startTime: e.showSeconds, title: e.title })));
    expect(chapters.chapters.map((c) => c.title)).toEqual(['Tone one', 'Tone two', 'Tone three', 'Tone four']);
    // The same chapters are marks inside the episode (its m4a), as ffprobe reads them.
    const marks = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', path], { encoding: 'utf8' }),
    ) as { chapters: { start_time: string; tags?: { title?: string } }[] };
    notes.push(`chapter marks in the m4a: ${marks.chapters.map((c) => `${c.start_time} ${c.tags?.title}`).join(', ')}`);
    expect(marks.chapters.map((c) => c.tags?.title)).toEqual(chapters.chapters.map((c) => c.title));
    for (const [i, mark] of marks.chapters.entries()) expect(Math.abs(Number(mark.start_time) - chapters.chapters[i]!.startTime)).toBeLessThanOrEqual(1e-5);
  }, 420_000);
});
