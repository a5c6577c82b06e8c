/**
 * After the show (or during it): the as-run log and the chapters, as GET /sessions/{id}/as-run and
 * GET /sessions/{id}/chapters answer them, drawn as a table and a list; the CSV and the chapters file are
 * downloaded through the API with the host's token.
 */
import { ApiError, describeApiFailure, type ApiClient } from '#contract/api-client';
import type { AsRunEntry } from '#contract/as-run';
import type { ChaptersDocument } from '#contract/chapters';
import { el } from './dom.ts';
import { clock } from './show.ts';

/** `0:05.2` on the show clock. */
export function showClock(seconds: number): string {
  return `${clock(seconds)}.${Math.floor((Math.max(0, seconds) % 1) * 10)}`;
}

/** One as-run entry as a table row's cells. */
export function asRunCells(entry: AsRunEntry): string[] {
  const what = entry.title ?? entry.programId ?? '';
  const detail = [entry.fadeSeconds ? `fade ${entry.fadeSeconds} s` : '', entry.cause ?? ''].filter(Boolean).join(', ');
  return [showClock(entry.showSeconds), new Date(entry.at).toLocaleTimeString(), entry.event, entry.deck, what, detail];
}

/** Draws the as-run log into a table body. */
export function renderAsRun(body: HTMLElement, entries: readonly AsRunEntry[]): void {
  if (entries.length === 0) {
    const row = el('tr');
    row.append(el('td', 'Nothing went out.', { colspan: '6' }));
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(
    ...entries.map((entry) => {
      const row = el('tr', '', { 'data-event': entry.event });
      row.append(...asRunCells(entry).map((cell) => el('td', cell)));
      return row;
    }),
  );
}

/** Draws the chapters into a list. */
export function renderChapters(list: HTMLElement, document: ChaptersDocument): void {
  if (document.chapters.length === 0) {
    list.replaceChildren(el('li', 'No chapters: no run-of-show item was played.'));
    return;
  }
  list.replaceChildren(
    ...document.chapters.map((chapter) => el('li', `${showClock(chapter.startTime)} ${chapter.title ?? ''}`.trim(), { 'data-start-time': String(chapter.startTime) })),
  );
}

/** Reads one of the show's reports with an Accept header and saves it as a file. */
export async function downloadReport(api: ApiClient, url: string, accept: string, fileName: string): Promise<void> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${api.token ?? ''}`, accept } });
  if (!response.ok) {
    const { code, message } = describeApiFailure(response.status, await response.json().catch(() => undefined));
    throw new ApiError(response.status, code, message);
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
