/**
 * Figures "command → audible in the composition" and "the floor under it", on one session: first a second
 * participant (the controller's page in its own Chromium, joined with the IVS web SDK) publishes a beep
 * straight to the stage (no command path) at known moments; then PLAY_MEDIA commands of a beep are POSTed. After the session ends, the recording is read
 * back from S3 and each tone's onset is found on the wall clock (the part's program date-time + position).
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { eventually } from '#harness/eventually';
import { LOCAL_MEDIA_BUCKET, sessionRecord } from '#harness/system-session';
import { endSession, sleep, startSession, type BenchContext, type BenchSession } from '../client.ts';
import { atMost, figure, type Figure } from '../figure.ts';
import { BEEP_HZ, FLOOR_HZ } from '../media.ts';
import { matchOnsets, toneOnsets } from '../audio/onsets.ts';
import { readRecording, type DecodedPart } from '../audio/recording.ts';
import { startFloorPublisher } from '../audio/floor-publisher.ts';
import { ANALYSIS_RATE } from '#harness/tones';
import { summarize } from '../stats.ts';

/** The command path may add this to the floor's p95 (issue 16: command → audible p95 ≤ floor p95 + 50 ms). */
export const AUDIBLE_OVER_FLOOR_MS = 50;
export const COMMAND_PATH_TARGET_MS = 100;
/** Seconds between beeps asked for (and the longest a beep may take to be heard). */
const COMMAND_SPACING_MS = 2000;
const FLOOR_SPACING_MS = 1200;
const FLOOR_BEEP_SECONDS = 0.4;

/** Onsets of a frequency across the recording's parts, on the wall clock (epoch ms). */
function wallClockOnsets(parts: readonly DecodedPart[], frequency: number): number[] {
  return parts.flatMap((part) => toneOnsets(part.samples, frequency).map((s) => part.startMs + s * 1000));
}

export async function audibleFigures(ctx: BenchContext, options: { commands: number; floorTones: number }, log: (line: string) => void): Promise<Figure[]> {
  const api = await ctx.newHost();
  const media = await ctx.mediaFor(api);
  let session: BenchSession | undefined;
  const floorTimes: number[] = [];
  const commandTimes: number[] = [];
  const notes: string[] = [];
  try {
    session = await startSession(api, 'Bench audible');
    const live = session;
    // The floor: a second participant publishing a beep with the IVS web SDK.
    const minted = await api.send('createParticipantToken', { params: { sessionId: live.sessionId }, body: { role: 'HOST', displayName: 'Bench floor' } });
    if (!minted.ok) throw new Error(`POST tokens answered ${minted.status}: ${JSON.stringify(minted.body)}`);
    const token = minted.body.token;
    const publisher = await startFloorPublisher(token, FLOOR_HZ, FLOOR_BEEP_SECONDS);
    try {
      await sleep(1000);
      for (let i = 0; i < options.floorTones; i++) {
        const slot = Date.now() + FLOOR_SPACING_MS;
        floorTimes.push(await publisher.beep());
        await sleep(Math.max(0, slot - Date.now()));
      }
    } finally {
      await publisher.close();
    }
    log(`  floor: ${floorTimes.length} beeps published with the IVS web SDK`);
    for (let i = 0; i < options.commands; i++) {
      const slot = Date.now() + COMMAND_SPACING_MS;
      const response = await api.send('enqueueCommand', { params: { sessionId: live.sessionId }, body: { type: 'PLAY_MEDIA', programId: `beep-${i}`, programUrl: media.beepUrl } });
      if (response.status === 202) commandTimes.push(response.sentAt);
      else notes.push(`PLAY_MEDIA ${i + 1} answered ${response.status}`);
      await sleep(Math.max(0, slot - Date.now()));
    }
    log(`  ${commandTimes.length} PLAY_MEDIA beeps POSTed; ending the session to close the recording`);
    await sleep(1000);
  } finally {
    if (session) await endSession(session).catch((error: unknown) => notes.push(`end: ${(error as Error).message}`));
  }
  const prefix = (await sessionRecord(ctx.aws.dynamodb, session.sessionId))?.recordingPrefix;
  if (!prefix) throw new Error('The session record has no recording prefix');
  await eventually(
    async () => (await ctx.aws.s3.send(new HeadObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: `${prefix.replace(/\/+$/, '')}/events/recording-ended.json` })), true),
    30_000,
    'the recording to end',
    250,
  );
  const parts = await readRecording(ctx.aws.s3, prefix);
  const seconds = parts.reduce((s, p) => s + p.samples.length / ANALYSIS_RATE, 0);
  const floor = matchOnsets(floorTimes, wallClockOnsets(parts, FLOOR_HZ), { maxLatencyMs: FLOOR_SPACING_MS, earlyMs: 20 });
  const audible = matchOnsets(commandTimes, wallClockOnsets(parts, BEEP_HZ), { maxLatencyMs: COMMAND_SPACING_MS, earlyMs: 20 });
  const recordingNote = `Recording: ${parts.length} part(s), ${Math.round(seconds)} s, read back from S3 (${prefix}) and decoded with ffmpeg; onsets by the system tests' Goertzel detector (50 ms Hann windows, 10 ms hop), placed on the wall clock by #EXT-X-PROGRAM-DATE-TIME; the mixer puts audio at its arrival time plus nothing (its playout delay is not in the timeline).`;
  const floorSummary = summarize(floor.latencies);
  const audibleSummary = summarize(audible.latencies);
  const added = audibleSummary.p50 - floorSummary.p50;
  return [
    figure({
      id: 'audible',
      title: 'command → audible in the composition',
      unit: 'ms',
      target: `p95 ≤ the floor's p95 + ${AUDIBLE_OVER_FLOOR_MS} ms`,
      samples: audible.latencies,
      checks: [atMost(`p95 (floor p95 ${floorSummary.p95} + ${AUDIBLE_OVER_FLOOR_MS})`, audibleSummary.p95, floorSummary.p95 + AUDIBLE_OVER_FLOOR_MS), atMost('beeps not heard', audible.unmatched, 0)],
      values: { asked: options.commands, heard: audible.latencies.length, notHeard: audible.unmatched },
      notes: [`${commandTimes.length} PLAY_MEDIA commands of a 0.5 s ${BEEP_HZ} Hz beep (its own upload), one every ${COMMAND_SPACING_MS / 1000} s, timed from the moment the POST was sent to the beep's onset in the recording.`, recordingNote, ...notes],
    }),
    figure({
      id: 'floor',
      title: 'the floor: tone published straight to the stage',
      unit: 'ms',
      target: 'reported; the command path adds ≤ 100 ms to it',
      samples: floor.latencies,
      checks: [atMost('command path adds (audible p50 − floor p50, ms)', added, COMMAND_PATH_TARGET_MS)],
      values: { asked: options.floorTones, heard: floor.latencies.length, notHeard: floor.unmatched, commandPathAddsP50: added, commandPathAddsP95: audibleSummary.p95 - floorSummary.p95 },
      notes: [
        `${floorTimes.length} ${FLOOR_BEEP_SECONDS} s ${FLOOR_HZ} Hz beeps published as a second participant by the controller's own page (IVS web SDK, the same WebAudio graph) driven from the benchmark (no API, queue, controller process or media fetch), one every ${FLOOR_SPACING_MS / 1000} s, timed from the moment the benchmark asked the page to start the beep.`,
        'What the floor holds: WebAudio → Opus encoder → RTP over loopback → the local stage (werift) → Opus decode → the wall-clock mix. The controller\'s beep goes the same way, so audible − floor is the command path.',
      ],
    }),
  ];
}
