/**
 * The words of the controller's WARN lines when a first attempt failed and it tries again: logged by the
 * controller, and picked out of its logs by the test harness (harness/controller-errors.ts) with its errors.
 */

/** The first join of the stage failed (join-stage.ts). */
export const JOIN_RETRY_WARNING = 'Joining the stage failed; joining again';

/** The first Chromium failed to start (browser/program-browser.ts). */
export const RELAUNCH_WARNING = 'Chromium did not start; starting it again';

/** Every such warning. */
export const RETRY_WARNINGS = [JOIN_RETRY_WARNING, RELAUNCH_WARNING] as const;
