/**
 * How long Fargate takes from RunTask to RUNNING, as the local ECS models it.
 *
 * On AWS a Fargate task is PROVISIONING while Fargate finds capacity and attaches the task's network
 * interface, then PENDING while it pulls the task's images (Fargate never caches an image: every task pulls
 * all of it), then RUNNING once its containers started. The local ECS starts a process at once, so without a
 * model a local show goes live a minute sooner than it would on AWS. With the model on, a Fargate task waits
 * out each phase on the local cloud's Clock, and DescribeTasks records the times AWS would: `createdAt` at
 * RunTask, `pullStartedAt` when PENDING begins, `pullStoppedAt` when the pull ends (the containers then
 * start), `startedAt` when RUNNING.
 *
 * The default, 30 s from RunTask to RUNNING, is at the quick end of what is publicly reported for images of
 * our size, so local figures are not worse than AWS's:
 * - aws/containers-roadmap#696 (Fargate image caching): ~60 s per task for a 250 MB image; the network
 *   interface takes ~10 s of a start.
 * - aws/containers-roadmap#358 (pre-caching images): "1 min to provision a 250 MB image", 20–40 s when the
 *   image is pulled from inside the VPC (ECR through VPC endpoints, as our stack does).
 * Our image (Debian + Chromium + Node) is near 1 GB. A third of the time is spent PROVISIONING (the network
 * interface, ~10 s of 30 s), the rest PENDING (the pull).
 *
 * `SHELCASTER_FARGATE_STARTUP_MS` sets the total (0 turns the model off: tasks start at once, as the tests
 * that are not about start-up want).
 */
import type { Clock } from '#local-cloud/clock';

/** RunTask → RUNNING on Fargate, by default (see the sources above). */
export const DEFAULT_FARGATE_STARTUP_MS = 30_000;
/** The share of the start-up spent PROVISIONING (the network interface); the rest is the image pull. */
const PROVISIONING_SHARE = 1 / 3;
/** The variable that sets the total start-up time for `npm start`. */
export const FARGATE_STARTUP_ENV = 'SHELCASTER_FARGATE_STARTUP_MS';

export interface FargateStartup {
  /** RunTask → PENDING (capacity and the network interface). */
  provisioningMs: number;
  /** PENDING → containers start (the image pull). */
  pullMs: number;
}

/** The model for a total start-up time (RunTask → RUNNING) in milliseconds. */
export function fargateStartup(totalMs: number): FargateStartup {
  if (!Number.isFinite(totalMs) || totalMs < 0) throw new RangeError(`Fargate start-up time must be a number of milliseconds ≥ 0 (got ${totalMs})`);
  const provisioningMs = Math.round(totalMs * PROVISIONING_SHARE);
  return { provisioningMs, pullMs: Math.round(totalMs) - provisioningMs };
}

/**
 * The model `SHELCASTER_FARGATE_STARTUP_MS` asks for: the default when unset, none for 0. Throws a RangeError
 * naming the variable on anything but a whole number ≥ 0.
 */
export function fargateStartupFromEnvironment(value: string | undefined): FargateStartup | undefined {
  if (value === undefined || value.trim() === '') return fargateStartup(DEFAULT_FARGATE_STARTUP_MS);
  const totalMs = Number(value);
  if (!Number.isInteger(totalMs) || totalMs < 0) throw new RangeError(`${FARGATE_STARTUP_ENV} must be a whole number of milliseconds ≥ 0 (got "${value}")`);
  return totalMs === 0 ? undefined : fargateStartup(totalMs);
}

/**
 * The phases tasks are waiting out, by task ARN: each wait runs on the Clock and ends early (false) when the
 * task is stopped before it started, as StopTask on a PROVISIONING or PENDING task does on AWS.
 */
export class StartupWaits {
  private readonly waiting = new Map<string, { cancel(): void }>();

  constructor(private readonly clock: Clock) {}

  /** Resolves true after `ms` of the clock's time, false if cancelled first. */
  wait(taskArn: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(taskArn);
        resolve(true);
      }, ms);
      this.waiting.set(taskArn, {
        cancel: () => {
          timer.cancel();
          this.waiting.delete(taskArn);
          resolve(false);
        },
      });
    });
  }

  /** Ends the task's wait, if it has one. */
  cancel(taskArn: string): void {
    this.waiting.get(taskArn)?.cancel();
  }

  /** The tasks still waiting out a phase. */
  taskArns(): string[] {
    return [...this.waiting.keys()];
  }
}
