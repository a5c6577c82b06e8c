/**
 * The assertion the recording tests share: a tone heard as one stretch, from where the system recorded it
 * began to where it recorded it ended, within a tolerance on each end.
 *
 * A dropout of the whole recording inside the stretch (everything silent at once for at most half a second:
 * the stream's packets late on a loaded machine, not the desk) is bridged and noted (`acrossDropouts`); a gap
 * of the tone alone, where the rest of the mix goes on, is not.
 */
import { expect } from 'vitest';
import { acrossDropouts, type Presence } from '#harness/tones';

export interface StretchCheck {
  /** The recording's samples (at the tones' analysis rate), to tell a whole-stream dropout from a tone's gap. */
  samples: Float32Array;
  /** Where the check's report goes (the test prints its notes at the end). */
  notes: string[];
  /** How far each end may be from where it was expected, in seconds. */
  toleranceSeconds: number;
}

/** `found` as one line: "1.20–4.31, 5.00–6.10 s", or "none". */
export function describeStretches(found: readonly Presence[]): string {
  return found.length === 0 ? 'none' : `${found.map((s) => `${s.startSeconds.toFixed(2)}–${s.endSeconds.toFixed(2)}`).join(', ')} s`;
}

/** A stretch heard, and the whole-stream dropouts bridged inside it. */
export interface HeardStretch extends Presence {
  dropouts: Presence[];
}

/**
 * The parts of a heard stretch between its dropouts, each widened by `margin` seconds at its outer ends and
 * narrowed by it at a dropout's edge (a check for clicks leaves out the edges of a dropout: the stream's).
 */
export function partsBetweenDropouts(heard: HeardStretch, margin: number): Presence[] {
  const parts: Presence[] = [];
  let from = heard.startSeconds - margin;
  for (const dropout of heard.dropouts) {
    parts.push({ startSeconds: from, endSeconds: dropout.startSeconds - margin });
    from = dropout.endSeconds + margin;
  }
  parts.push({ startSeconds: from, endSeconds: heard.endSeconds + margin });
  return parts.filter((part) => part.endSeconds > part.startSeconds);
}

/**
 * Asserts `found` (a tone's stretches), bridged across whole-stream dropouts, is one stretch per expected
 * one, each near it (`what` names them in the report); returns them, each with the dropouts it bridged.
 */
export function expectStretches(found: readonly Presence[], expected: readonly Presence[], what: string, check: StretchCheck): HeardStretch[] {
  const { stretches, dropouts } = acrossDropouts(found, check.samples);
  const bridged = dropouts.map((d) => ` (the whole stream silent ${d.startSeconds.toFixed(2)}–${d.endSeconds.toFixed(2)} s, bridged)`).join('');
  const report = `${what}: found ${describeStretches(stretches)}${bridged}, expected ${describeStretches(expected)}`;
  check.notes.push(report);
  expect(stretches, report).toHaveLength(expected.length);
  return stretches.map((stretch, i) => {
    expect(Math.abs(stretch.startSeconds - expected[i]!.startSeconds), report).toBeLessThanOrEqual(check.toleranceSeconds);
    expect(Math.abs(stretch.endSeconds - expected[i]!.endSeconds), report).toBeLessThanOrEqual(check.toleranceSeconds);
    return { ...stretch, dropouts: dropouts.filter((d) => d.startSeconds >= stretch.startSeconds && d.endSeconds <= stretch.endSeconds) };
  });
}

/** `expectStretches` for a tone heard once. */
export function expectOneStretch(found: readonly Presence[], expected: Presence, what: string, check: StretchCheck): HeardStretch {
  return expectStretches(found, [expected], what, check)[0]!;
}
