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
 * A message whose record is FAILED for the dead-letter queue is released again whenever it is received,
 * until SQS's redrive moves it (its receive count reaches the queue's maxReceiveCount).
 */
import { COMMAND_MAX_RECEIVE_COUNT, type CommandMessage } from '#contract/index';
import { CommandRejectedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { CommandResult, SessionStore } from '../state/session-store.ts';

/**
 * `delete`: the message is done with. `retry`: leave it for redelivery after a back-off (later commands
 * wait). `dead-letter`: its record is FAILED; release it at once, undeleted, for SQS to redrive.
 */
export type Disposition = 'delete' | 'retry' | 'dead-letter';

/** Deliveries that may begin applying a command and end with the controller lost before it is given up. */
export const MAX_UNFINISHED_ATTEMPTS = 2;

export interface CommandProcessorOptions {
  store: Pick<SessionStore, 'beginAttempt' | 'recordTransientFailure' | 'finishCommand'>;
  apply: (message: CommandMessage) => Promise<void>;
  /** Called after a command has been applied or failed (reports now-playing). */
  afterCommand?: () => Promise<void>;
  logger: Logger;
  now?: () => Date;
  maxReceiveCount?: number;
}

export class CommandProcessor {
  private readonly now: () => Date;
  private readonly maxReceiveCount: number;
  private lastFinishedAt = 0;

  constructor(private readonly options: CommandProcessorOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxReceiveCount = options.maxReceiveCount ?? COMMAND_MAX_RECEIVE_COUNT;
  }

  /** Processes a command received for the `receiveCount`-th time. Throws only when the record cannot be read or written. */
  async process(message: CommandMessage, receiveCount: number): Promise<Disposition> {
    const log = { commandId: message.commandId, type: message.command.type, receiveCount };
    const attempt = await this.options.store.beginAttempt(message.commandId);
    if (attempt.status === 'APPLIED' || attempt.status === 'FAILED') {
      if (attempt.deadLetter && receiveCount <= this.maxReceiveCount) {
        this.options.logger.info('Command FAILED for the dead-letter queue; released for redrive', { ...log });
        return 'dead-letter';
      }
      this.options.logger.info('Command already has a result; not applied again', { ...log, status: attempt.status });
      return 'delete';
    }
    if (attempt.unfinishedAttempts >= MAX_UNFINISHED_ATTEMPTS) {
      const reason = `the program controller was lost ${attempt.unfinishedAttempts} times while applying it`;
      return this.finish(message, { status: 'FAILED', reason, deadLetter: true }, receiveCount, log);
    }
    try {
      await this.options.apply(message);
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof CommandRejectedError) {
        return this.finish(message, { status: 'FAILED', reason }, receiveCount, error.detail ? { ...log, detail: error.detail } : log);
      }
      if (receiveCount >= this.maxReceiveCount) {
        const gaveUp = `gave up after ${receiveCount} attempts: ${reason}`;
        return this.finish(message, { status: 'FAILED', reason: gaveUp, deadLetter: true }, receiveCount, log);
      }
      await this.options.store.recordTransientFailure(message.commandId, reason);
      this.options.logger.warn('Command failed transiently; left for redelivery', { ...log, reason });
      return 'retry';
    }
    return this.finish(message, { status: 'APPLIED' }, receiveCount, log);
  }

  /** Records FAILED for a command message whose body is invalid (when it names a command id). */
  async failInvalid(commandId: string, acceptedAt: string, reason: string, receiveCount: number): Promise<void> {
    await this.options.store.finishCommand({ commandId, acceptedAt }, { status: 'FAILED', reason }, receiveCount, this.finishedAt());
  }

  private async finish(message: CommandMessage, result: CommandResult, receiveCount: number, log: Record<string, unknown>): Promise<Disposition> {
    const recorded = await this.options.store.finishCommand(
      { commandId: message.commandId, acceptedAt: message.acceptedAt, command: message.command },
      result,
      receiveCount,
      this.finishedAt(),
    );
    this.options.logger.info('Command finished', { ...log, ...result, recorded });
    await this.options.afterCommand?.().catch((error: unknown) => {
      this.options.logger.warn('Now-playing report failed', { reason: (error as Error).message });
    });
    return result.deadLetter ? 'dead-letter' : 'delete';
  }

  /** The time a result is recorded at: never earlier than or equal to the previous one (appliedAt orders results). */
  private finishedAt(): Date {
    const at = Math.max(this.now().getTime(), this.lastFinishedAt + 1);
    this.lastFinishedAt = at;
    return new Date(at);
  }
}
