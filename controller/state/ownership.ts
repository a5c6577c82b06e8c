/**
 * Whether this controller is (still) its session's controller. Each start of a session's controller has a
 * generation (the session's controllerRestarts when its RunTask was made, in CONTROLLER_GENERATION), and
 * start-controller records the task with its generation once RunTask has answered. A controller is not the
 * session's any more when the record names a later generation (it was replaced and its stop failed), or its
 * own generation with another task (its RunTask was made twice: its recording failed and the step was
 * retried), or when the session is over. It decides only on what the record shows: a task not recorded yet
 * (the record still names the previous generation) goes on.
 */
import { CONTROLLER_OWNERSHIP_CHECK_SECONDS } from '#contract/index';
import type { Logger } from '../logger.ts';
import type { ControllerSessionView } from './session-store.ts';

/** Who this controller is. Either may be unknown (no generation given, no task metadata endpoint). */
export interface ControllerIdentity {
  generation?: number;
  taskArn?: string;
}

export type OwnershipVerdict = { current: true } | { current: false; why: string };

/** Decides from the session record (undefined: no record to go by, so it goes on). */
export function ownershipVerdict(session: ControllerSessionView | undefined, me: ControllerIdentity): OwnershipVerdict {
  if (!session) return { current: true };
  if (session.status === 'ENDED' || session.status === 'FAILED') return { current: false, why: `the session is ${session.status}` };
  const recorded = session.controllerGeneration;
  if (me.generation === undefined || recorded === undefined) return { current: true };
  if (recorded > me.generation) return { current: false, why: `a later controller (start ${recorded}) replaced this one (start ${me.generation})` };
  if (recorded === me.generation && session.taskArn && me.taskArn && session.taskArn !== me.taskArn) {
    return { current: false, why: `another task of the same start (${session.taskArn}) is the session's controller` };
  }
  return { current: true };
}

/** The task's own ARN from the ECS task metadata endpoint (v4), or undefined when it cannot be read. */
export async function ownTaskArn(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const base = env.ECS_CONTAINER_METADATA_URI_V4;
  if (!base) return undefined;
  try {
    const response = await fetch(`${base}/task`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return undefined;
    const document = (await response.json()) as { TaskARN?: unknown };
    return typeof document.TaskARN === 'string' ? document.TaskARN : undefined;
  } catch {
    return undefined;
  }
}

export interface OwnershipWatchOptions {
  readSession: () => Promise<ControllerSessionView | undefined>;
  me: ControllerIdentity;
  logger: Logger;
  /** Called once, when the controller finds it is not the session's controller. */
  onLost: (why: string) => void;
  intervalMs?: number;
}

/** Checks the record every CONTROLLER_OWNERSHIP_CHECK_SECONDS; a failed read is logged and tried again next time. */
export class OwnershipWatch {
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly options: OwnershipWatchOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? CONTROLLER_OWNERSHIP_CHECK_SECONDS * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One check; resolves to the verdict (a failed read counts as current). */
  async check(): Promise<OwnershipVerdict> {
    if (this.checking) return { current: true };
    this.checking = true;
    try {
      const verdict = ownershipVerdict(await this.options.readSession(), this.options.me);
      if (!verdict.current && this.timer) {
        this.stop();
        this.options.onLost(verdict.why);
      }
      return verdict;
    } catch (error) {
      this.options.logger.warn('Checking the session record failed; trying again later', { reason: (error as Error).message });
      return { current: true };
    } finally {
      this.checking = false;
    }
  }
}
