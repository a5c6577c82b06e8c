/**
 * The program controllers' ERROR lines, and their failed first attempts (the WARNs of retry-warnings.ts: a
 * join, a Chromium start), from a local cloud's CloudWatch Logs journal (`logs/journal.jsonl` in its data directory), for a test to
 * print when it stops: a controller that could not join, or that Chromium left, says why there, and that data
 * directory is gone once the test has cleaned up.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTROLLER_LOG_GROUP } from '#contract/index';
import { RETRY_WARNINGS } from '#controller/retry-warnings';

const isRetry = (text: string) => RETRY_WARNINGS.some((words) => text.includes(words));

interface JournalEntry {
  t?: string;
  group?: string;
  stream?: string;
  events?: { timestamp?: number; message?: string }[];
}

/** Each ERROR line (and failed first join) the controllers logged, as `<time> <stream> <message>`; none when the journal is missing. */
export async function controllerErrors(dataDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'logs', 'journal.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(CONTROLLER_LOG_GROUP) || !(line.includes('ERROR') || isRetry(line))) continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      continue;
    }
    if (entry.t !== 'events' || entry.group !== CONTROLLER_LOG_GROUP) continue;
    for (const event of entry.events ?? []) {
      if (!event.message?.includes('"ERROR"') && !isRetry(event.message ?? '')) continue;
      lines.push(`${new Date(event.timestamp ?? 0).toISOString()} ${entry.stream ?? ''} ${event.message}`);
    }
  }
  return lines;
}
