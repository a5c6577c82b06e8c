/**
 * Applies one command message exactly once: a command whose record already holds a result is not
 * applied again; a result is recorded only over QUEUED. How a failure is classified:
 *
 * - CommandRejectedError (refused or undecodable media, nothing playing, ...): it cannot succeed however
 *   often it is tried. FAILED at once, the message deleted.
 * - Any other error (S3 or DynamoDB throttling, a page call timing out, ...): transient. The delivery is
 *   counted on the record and the message is left for redelivery after a short back-off, holding the
 *   later commands back (order). On the last delivery SQS allows (COMMAND_MAX_RECEIVE_COUNT) it is FAILED
 *   and its message released undeleted, so SQS's redrive moves it to the dead-letter queue.
 * - The controller lost while applying it (killed, crashed): the next controller sees deliveries that began
 *   and never finished. After MAX_UNFINISHED_ATTEMPTS such deliveries the command is taken for the cause:
 *   FAILED without applying it again, and dead-lettered the same way, so it cannot use up the restart
 *   budget of the show.
 *
 * A command's preparation (a PLAY's track sent to the page to load, nothing heard) may run while its record is
 * written: on the first delivery only. A redelivery waits for the record first, so a command that took a
 * controller down while it was applied (a track that crashes the page) is FAILED before it is touched again.
 * A preparation the record says not to apply is discarded.
 *
 * `appliedAt` is when the command took effect: the time `apply` gives (a PLAY's track began to play, by the
 * page's clock), else the time it returned; never before the previous result's.
 *
 * A message whose record is FAILED for the dead-letter queue is released again whenever it is received,
 * until SQS's redrive moves it (its receive count reaches the queue's maxReceiveCount).
 *
 * The record itself unreachable (DynamoDB unavailable or throttling: a transient AWS error from the store) is
 * not a failed try of the command: the store call is tried again in place, with a growing back-off, while the
 * message stays in flight (the queue loop keeps extending its visibility). So an outage of DynamoDB neither
 * counts receives towards the dead-letter queue (a command dead-lettered with its record QUEUED would be lost)
 * nor applies a command again whose result could not be recorded (a redelivery would find it QUEUED and apply
 * it a second time): only the write is repeated. It stops trying when the loop is told to stop.
 */
import { COMMAND_MAX_RECEIVE_COUNT, type CommandMessage } from '#contract/index';
import { isTransientAwsError } from '#helpers/is-transient-aws-error';
import { CommandRejectedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { CommandAttempt, CommandResult, SessionStore } from '../state/session-store.ts';

/**
 * `delete`: the message is done with. `retry`: leave it for redelivery after a back-off (later commands
 * wait). `dead-letter`: its record is FAILED; release it at once, undeleted, for SQS to redrive.
 */
export type Disposition = 'delete' | 'retry' | 'dead-letter';

/** Deliveries that may begin applying a command and end with the controller lost before it is given up. */
export const MAX_UNFINISHED_ATTEMPTS = 2;

/** Back-off between tries of a store call that failed transiently: from the first, doubling up to the last. */
export const STORE_RETRY_FIRST_MS = 250;
export const STORE_RETRY_MAX_MS = 4000;

/** Work done for a command ahead of applying it (CommandProcessorOptions.prepare). */
export interface PreparedCommand {
  /** Lets it go, the command not applied. */
  discard(): Promise<void>;
}

export interface CommandProcessorOptions<P extends PreparedCommand = PreparedCommand> {
  store: Pick<SessionStore, 'beginAttempt' | 'recordTransientFailure' | 'finishCommand'>;
  /**
   * Starts what can be done for a command before its record says to apply it, with no effect anyone sees or
   * hears (a PLAY's load); undefined when there is nothing to do. Must not throw.
   */
  prepare?: (message: CommandMessage) => P | undefined;
  /** Applies a command (with its preparation, which it then owns); may resolve to the time it took effect. */
  apply: (message: CommandMessage, prepared?: P) => Promise<Date | void>;
  /** Called after a command's result is recorded (reports now-playing), without holding up the next command. */
  afterCommand?: () => Promise<void>;
  logger: Logger;
  now?: () => Date;
  maxReceiveCount?: number;
  /** Waits between tries of a store call (default: a timer; a test gives its own). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class CommandProcessor<P extends PreparedCommand = PreparedCommand> {
  private readonly now: () => Date;
  private readonly maxReceiveCount: number;
  private lastFinishedAt = 0;
  /** The last afterCommand begun, while it runs. */
  private reporting: Promise<void> | undefined;

  constructor(private readonly options: CommandProcessorOptions<P>) {
    this.now = options.now ?? (() => new Date());
    this.maxReceiveCount = options.maxReceiveCount ?? COMMAND_MAX_RECEIVE_COUNT;
  }

  /**
   * Processes a command received for the `receiveCount`-th time. Throws only when the record cannot be read or
   * written for a reason that is not transient, or while `signal` (the loop's stop) has aborted.
   */
  async process(message: CommandMessage, receiveCount: number, signal?: AbortSignal): Promise<Disposition> {
    const log = { commandId: message.commandId, type: message.command.type, receiveCount };
    const prepared = receiveCount === 1 ? this.options.prepare?.(message) : undefined;
    let attempt: CommandAttempt;
    try {
      attempt = await this.stored('beginAttempt', log, signal, () => this.options.store.beginAttempt(message.commandId));
    } catch (error) {
      await this.discard(prepared);
      throw error;
    }
    const settled = attempt.status === 'APPLIED' || attempt.status === 'FAILED';
    if (settled || attempt.unfinishedAttempts >= MAX_UNFINISHED_ATTEMPTS) await this.discard(prepared);
    if (settled) {
      if (attempt.deadLetter && receiveCount <= this.maxReceiveCount) {
        this.options.logger.info('Command FAILED for the dead-letter queue; released for redrive', { ...log });
        return 'dead-letter';
      }
      this.options.logger.info('Command already has a result; not applied again', { ...log, status: attempt.status });
      return 'delete';
    }
    if (attempt.unfinishedAttempts >= MAX_UNFINISHED_ATTEMPTS) {
      const reason = `the program controller was lost ${attempt.unfinishedAttempts} times while applying it`;
      return this.finish(message, { status: 'FAILED', reason, deadLetter: true }, receiveCount, log, signal);
    }
    let appliedAt: Date | void;
    try {
      appliedAt = await this.options.apply(message, prepared);
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof CommandRejectedError) {
        return this.finish(message, { status: 'FAILED', reason }, receiveCount, error.detail ? { ...log, detail: error.detail } : log, signal);
      }
      if (receiveCount >= this.maxReceiveCount) {
        const gaveUp = `gave up after ${receiveCount} attempts: ${reason}`;
        return this.finish(message, { status: 'FAILED', reason: gaveUp, deadLetter: true }, receiveCount, log, signal);
      }
      await this.stored('recordTransientFailure', log, signal, () => this.options.store.recordTransientFailure(message.commandId, reason));
      this.options.logger.warn('Command failed transiently; left for redelivery', { ...log, reason });
      return 'retry';
    }
    return this.finish(message, { status: 'APPLIED' }, receiveCount, log, signal, appliedAt ?? undefined);
  }

  /** Lets a preparation go (its failure is only logged: the command's outcome does not depend on it). */
  private async discard(prepared: P | undefined): Promise<void> {
    await prepared?.discard().catch((error: unknown) => {
      this.options.logger.warn('A prepared command could not be let go', { reason: (error as Error).message });
    });
  }

  /** Records FAILED for a command message whose body is invalid (when it names a command id). */
  async failInvalid(commandId: string, acceptedAt: string, reason: string, receiveCount: number): Promise<void> {
    await this.options.store.finishCommand({ commandId, acceptedAt }, { status: 'FAILED', reason }, receiveCount, this.finishedAt());
  }

  private async finish(
    message: CommandMessage,
    result: CommandResult,
    receiveCount: number,
    log: Record<string, unknown>,
    signal?: AbortSignal,
    tookEffectAt?: Date,
  ): Promise<Disposition> {
    const at = this.finishedAt(tookEffectAt);
    const recorded = await this.stored('finishCommand', log, signal, () =>
      this.options.store.finishCommand({ commandId: message.commandId, acceptedAt: message.acceptedAt, command: message.command }, result, receiveCount, at),
    );
    this.options.logger.info('Command finished', { ...log, ...result, recorded });
    this.report();
    return result.deadLetter ? 'dead-letter' : 'delete';
  }

  /**
   * Runs afterCommand without holding the message (its result is recorded: the next command need not wait for
   * the now-playing report), one report at a time, in order, so an older one never lands after a newer.
   */
  private report(): void {
    const after = this.options.afterCommand;
    if (!after) return;
    const run = () =>
      after().catch((error: unknown) => {
        this.options.logger.warn('Now-playing report failed', { reason: (error as Error).message });
      });
    const current = this.reporting ? this.reporting.then(run) : run();
    this.reporting = current;
    void current.then(() => {
      if (this.reporting === current) this.reporting = undefined;
    });
  }

  /** Resolves once every afterCommand begun so far has ended. */
  async reported(): Promise<void> {
    while (this.reporting) await this.reporting;
  }

  /** Runs a store call, trying it again in place while it fails transiently (see the header); `what` names it in the log. */
  private async stored<T>(what: string, log: Record<string, unknown>, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    let backoff = STORE_RETRY_FIRST_MS;
    for (let tries = 1; ; tries += 1) {
      try {
        return await call();
      } catch (error) {
        if (!isTransientAwsError(error) || signal?.aborted) throw error;
        this.options.logger.warn('Command record unavailable; trying again with the message held', {
          ...log,
          call: what,
          tries,
          error: (error as Error).name,
        });
        await (this.options.sleep ?? abortableDelay)(backoff, signal);
        backoff = Math.min(backoff * 2, STORE_RETRY_MAX_MS);
      }
    }
  }

  /**
   * The time a result is recorded at: when the command took effect if known (never later than now), else now;
   * never earlier than or equal to the previous one (appliedAt orders results).
   */
  private finishedAt(tookEffectAt?: Date): Date {
    const now = this.now().getTime();
    const at = Math.max(tookEffectAt ? Math.min(tookEffectAt.getTime(), now) : now, this.lastFinishedAt + 1);
    this.lastFinishedAt = at;
    return new Date(at);
  }
}

/** Waits `ms`, or less when `signal` aborts (the caller then sees the abort on its next failure). */
function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
