/** Whether a process runs, for tests that stop or kill one. */
import { readFileSync } from 'node:fs';

/** True while the process exists and is not a zombie (an exited process its new parent has not reaped yet). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
