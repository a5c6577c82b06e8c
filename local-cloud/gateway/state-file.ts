/**
 * A service's whole state as one JSON file: read once at start, replaced atomically (a temporary file
 * renamed over the old one) on every change. For small states (rules, tasks); large or fast-changing
 * state uses the append-only journal (journal.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The parsed state file, or undefined when there is none yet. */
export function readStateFile<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as T;
}

/** Replaces the state file atomically. */
export function writeStateFile(file: string, state: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, file);
}
