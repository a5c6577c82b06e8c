/**
 * The Debian programs the system runs, each with its package and path: one list (system-programs.json), read
 * by the controller (its browser), the tests and the benchmark (the user's browser, the AWS CLI v2), the
 * Dockerfile's check and scripts/ensure-system-deps.mjs, which installs them. It is JSON so that the set-up
 * script, plain JavaScript that runs before the TypeScript toolchain is installed, reads the same file.
 */
import programs from './system-programs.json' with { type: 'json' };

export interface SystemProgram {
  /** The Debian package that installs it. */
  package: string;
  /** Where the package puts it. */
  path: string;
  /** What needs it (what ensure-system-deps says when it is missing). */
  why: string;
  /** Needed by the tests and the benchmark only (not by `npm start`). */
  testOnly: boolean;
}

export const SYSTEM_PROGRAMS: Readonly<Record<keyof typeof programs, SystemProgram>> = programs;
