/**
 * The as-run log of the caller's session: the controller's entries with the show clock, whose origin is the
 * recording's first sample (its playlist's first program date-time), so `showSeconds` is a time in the episode.
 * Before the recording has a playlist, the origin is when its composition was started (or the session went live).
 */
import { ENV, type AsRunEntry, type SessionRecord } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { recordingStartMs } from '#helpers/recording-start-time';
import { asRunCsv, asRunEntries, asRunPlays } from '../as-run-report.ts';
import { listAsRunRecords } from '../as-run-repository.ts';
import { getOwnedSession } from '../sessions-repository.ts';
import { listHostTracks } from '../tracks-repository.ts';
import { recordingsOf } from '../session-recordings.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

/** The wall-clock origin of the show clock (ms). */
async function showClockOrigin(session: SessionRecord, firstEntryAt: string | undefined): Promise<number> {
  const first = recordingsOf(session)[0];
  const fromPlaylist = first?.recordingPrefix ? await recordingStartMs(mediaBucket, first.recordingPrefix).catch(() => undefined) : undefined;
  const fallback = [first?.startedAt, session.liveAt, firstEntryAt].find((at) => at && !Number.isNaN(Date.parse(at)));
  return fromPlaylist ?? (fallback ? Date.parse(fallback) : 0);
}

/** The session's as-run entries, in order; 404 when the session is missing or someone else's. */
export async function getAsRun(sessionId: string, hostId: string): Promise<{ session: SessionRecord; entries: AsRunEntry[] }> {
  const session = await getOwnedSession(sessionId, hostId);
  return { session, entries: await asRunEntriesOf(session) };
}

/** A session's as-run entries with the show clock, in order. */
export async function asRunEntriesOf(session: SessionRecord): Promise<AsRunEntry[]> {
  const records = await listAsRunRecords(session.sessionId);
  const origin = await showClockOrigin(session, records[0]?.at);
  return asRunEntries(records, origin);
}

/** The tracks that went out as CSV (title, file, start, duration, deck, startedAt); titles from the host's tracks. */
export async function asRunCsvOf(session: SessionRecord, entries: readonly AsRunEntry[]): Promise<string> {
  const titles = new Map((await listHostTracks(session.hostId)).map((track) => [track.programUrl, track.title]));
  const titleOf = (entry: AsRunEntry) => entry.title ?? (entry.programUrl ? titles.get(entry.programUrl) : undefined) ?? entry.programId ?? '';
  return asRunCsv(asRunPlays(entries, titleOf, session.endedAt));
}
