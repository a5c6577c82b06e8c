/** The Chromium the tests and the benchmark launch: CHROMIUM_PATH when set (as the controller reads it), else Debian's. */
import { ENV } from '#contract/index';
import { DEFAULT_CHROMIUM_PATH } from '#controller/config';

export function chromiumPath(): string {
  return process.env[ENV.chromiumPath]?.trim() || DEFAULT_CHROMIUM_PATH;
}
