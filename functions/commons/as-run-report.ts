/**
 * The as-run log as the API answers it, from the entries the controller recorded (contract/as-run.ts): each
 * entry with the show clock (seconds from the recording's first sample), and the CSV of the tracks played
 * (title, file, start, duration) a music-licensing report needs. Plain functions, no I/O.
 */
import { AS_RUN_CSV_COLUMNS, CHAPTERS_FORMAT_VERSION, type AsRunEntry, type AsRunRecord, type ChaptersDocument } from '#contract/index';

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Entries in order, each with `showSeconds` from `originMs` (the recording's first sample). */
export function asRunEntries(records: readonly AsRunRecord[], originMs: number): AsRunEntry[] {
  return [...records]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((record) => ({ ...record, showSeconds: round3((Date.parse(record.at) - originMs) / 1000) }));
}

/** One row of the CSV: a track that went out. */
export interface AsRunPlay {
  title: string;
  file: string;
  /** Show clock of its start. */
  start: number;
  /** How long it was heard (to the end of its stop's fade, its replacement on its deck, its end, or the end of the show). */
  duration: number;
  deck: string;
  startedAt: string;
}

/** The tracks that went out, one per start (a resume after a controller replacement continues the start before it). */
export function asRunPlays(entries: readonly AsRunEntry[], titleOf: (entry: AsRunEntry) => string, showEndedAt?: string): AsRunPlay[] {
  const plays: AsRunPlay[] = [];
  entries.forEach((entry, i) => {
    if (entry.event !== 'PLAY' || entry.cause === 'RESUMED') return;
    const startMs = Date.parse(entry.at);
    const ender = entries.slice(i + 1).find((later) => {
      if (later.deck !== entry.deck) return false;
      if (later.event === 'STOP' || later.event === 'SKIP') return later.programId === entry.programId;
      return later.event === 'PLAY' && entry.deck !== 'clip' && !(later.cause === 'RESUMED' && later.programId === entry.programId);
    });
    const ends = [
      entry.durationSeconds !== undefined ? startMs + (entry.durationSeconds - (entry.positionSeconds ?? 0)) * 1000 : Number.POSITIVE_INFINITY,
      // A stop with a fade is heard until the fade ends.
      ender ? Date.parse(ender.at) + (ender.event === 'STOP' ? (ender.fadeSeconds ?? 0) * 1000 : 0) : Number.POSITIVE_INFINITY,
      showEndedAt ? Date.parse(showEndedAt) : Number.POSITIVE_INFINITY,
    ];
    const endMs = Math.min(...ends);
    plays.push({
      title: titleOf(entry),
      file: fileNameOf(entry.programUrl ?? entry.programId ?? ''),
      start: entry.showSeconds,
      duration: Number.isFinite(endMs) ? round3(Math.max(0, endMs - startMs) / 1000) : 0,
      deck: entry.deck,
      startedAt: entry.at,
    });
  });
  return plays;
}

/** The file name of a programUrl (its last path segment, decoded). */
function fileNameOf(url: string): string {
  const last = url.split(/[/?#]/).filter(Boolean).at(-1) ?? url;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** RFC 4180 CSV of the plays: a header row, CRLF line ends, fields quoted when they need it. */
export function asRunCsv(plays: readonly AsRunPlay[]): string {
  const field = (value: string | number) => {
    const text = String(value);
    // A leading = + - @ would be a formula in a spreadsheet: quoted with a leading apostrophe.
    const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
    return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows = plays.map((p) => [p.title, p.file, p.start.toFixed(3), p.duration.toFixed(3), p.deck, p.startedAt].map(field).join(','));
  return [AS_RUN_CSV_COLUMNS.join(','), ...rows].map((row) => `${row}\r\n`).join('');
}

/**
 * The episode's chapters: one at each run-of-show item that started (by NEXT or an auto-advance; a resume after
 * a controller replacement is not a new item), at its show-clock start, titled with the item's title.
 */
export function chaptersOf(entries: readonly AsRunEntry[], title: string): ChaptersDocument {
  const chapters = entries
    .filter((e) => e.event === 'PLAY' && e.itemId !== undefined && e.cause !== 'RESUMED')
    .map((e) => ({ startTime: Math.max(0, e.showSeconds), title: e.title ?? e.programId ?? '' }));
  return { version: CHAPTERS_FORMAT_VERSION, title, chapters: chapters.sort((a, b) => a.startTime - b.startTime) };
}
