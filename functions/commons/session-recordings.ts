/** A session's composite recordings, as its record keeps them. */
import type { SessionRecord, SessionRecording } from '#contract/index';

/**
 * The session's recordings in the order their compositions started: `recordings` (each composition once),
 * or, for a record written before it was kept, the one composition the record names.
 */
export function recordingsOf(session: Pick<SessionRecord, 'recordings' | 'compositionArn' | 'recordingPrefix'>): SessionRecording[] {
  const listed = session.recordings ?? [];
  const all =
    listed.length > 0
      ? listed
      : session.compositionArn
        ? [{ compositionArn: session.compositionArn, ...(session.recordingPrefix ? { recordingPrefix: session.recordingPrefix } : {}), startedAt: '' }]
        : [];
  const seen = new Set<string>();
  const unique: SessionRecording[] = [];
  for (const recording of all) {
    if (seen.has(recording.compositionArn)) continue;
    seen.add(recording.compositionArn);
    unique.push(recording);
  }
  return unique;
}
