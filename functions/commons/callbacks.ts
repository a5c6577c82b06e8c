/**
 * Finding and answering the open callback of a session's execution (end-session and controller-stopped).
 * The task token is read from the execution's history and used at once: never stored, logged or returned.
 */
import { isStaleTaskTokenError } from '#contract/index';
import { readRecentExecutionHistory } from '#helpers/read-recent-execution-history';
import { findOpenCallback, type OpenCallback } from '#helpers/find-open-callback';

/** Pages of history read (newest first) before giving up on a decision. */
const MAX_HISTORY_PAGES = 5;

/** Reads the execution's history until it tells whether a callback is open; returns it, if any. */
export async function findOpenCallbackOf(executionArn: string): Promise<OpenCallback | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const { events, nextToken: next } = await readRecentExecutionHistory(executionArn, nextToken);
    const search = findOpenCallback(events);
    if (search.decided) return search.callback;
    if (!next) return undefined;
    nextToken = next;
  }
  return undefined;
}

export interface AnswerOptions {
  /** How many times to look for an open callback (a Lambda step may be running). */
  attempts?: number;
  /** Pause between looks, in milliseconds. */
  delayMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Read after each look, before what it found is answered: false ends the search with nothing answered (what
   * was found may no longer be the caller's to answer).
   */
  goOn?: () => Promise<boolean>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Looks for the open callback (up to `attempts` times) and answers it with `answer`. Returns the kind of the
 * callback answered, or undefined when none was open.
 */
export async function answerOpenCallback(
  executionArn: string,
  answer: (callback: OpenCallback) => Promise<void>,
  options: AnswerOptions = {},
): Promise<OpenCallback['kind'] | undefined> {
  const { attempts = 1, delayMs = 500, sleep = defaultSleep, goOn } = options;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const callback = await findOpenCallbackOf(executionArn);
    if (goOn && !(await goOn())) return undefined;
    if (callback) {
      try {
        await answer(callback);
        return callback.kind;
      } catch (error) {
        if (!isStaleTaskTokenError(error)) throw error;
      }
    }
    if (attempt < attempts) await sleep(delayMs);
  }
  return undefined;
}
