/**
 * An append-only JSON-lines journal: how local services keep their state on disk. Each change is one
 * line written synchronously to the file, kept open for appending (so a killed process loses nothing it
 * acknowledged, without an open and a close per change); on open the journal is replayed and rewritten
 * compactly (write to a temporary file, then rename, so a crash mid-rewrite keeps the old file).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Reads, appends to and compacts one journal file. */
export class Journal<R> {
  private appendedSinceCompaction = 0;
  /** The file open for appending; reopened after a rewrite replaced the file. */
  private fd: number | undefined;

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Every record in the file, in order. A torn last line (a crash mid-append) is skipped. */
  readAll(): R[] {
    if (!existsSync(this.file)) return [];
    const records: R[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as R);
      } catch {
        // A partial line from an interrupted write: nothing after it was acknowledged.
      }
    }
    return records;
  }

  /** Appends one record. */
  append(record: R): void {
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.appendedSinceCompaction += 1;
  }

  /** Records appended since the last rewrite (callers compact when this grows large). */
  get appendedCount(): number {
    return this.appendedSinceCompaction;
  }

  /** Replaces the file with `records` atomically. */
  rewrite(records: Iterable<R>): void {
    const lines: string[] = [];
    for (const record of records) lines.push(JSON.stringify(record));
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    renameSync(tmp, this.file);
    this.closeFile();
    this.appendedSinceCompaction = 0;
  }

  /** Closes the file (the next append opens it again). */
  close(): void {
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
