/**
 * The Chromiums the tests and the benchmark launch: the controller's (CHROMIUM_PATH when set, as the
 * controller reads it, else its default, the headless shell), and the full browser that stands in for a host's
 * or a caller's Chrome (the console, a caller's page, a publisher of test tones).
 */
import { ENV } from '#contract/index';
import { SYSTEM_PROGRAMS } from '#contract/system-programs';
import { DEFAULT_CHROMIUM_PATH } from '#controller/config';

/** The controller's Chromium. */
export function chromiumPath(): string {
  return process.env[ENV.chromiumPath]?.trim() || DEFAULT_CHROMIUM_PATH;
}

/** Debian's full Chromium: what a host or a caller runs (the console, the caller's page). */
export const USER_CHROMIUM_PATH = SYSTEM_PROGRAMS.userChromium.path;
