/**
 * Applies one command message exactly once: a command whose record already holds a result is not
 * applied again; a result is recorded only over QUEUED. A command that cannot succeed is FAILED at once;
 * a transient failure is left for redelivery until the receive before the message would dead-letter.
 */
import { COMMAND_MAX_RECEIVE_COUNT, type CommandMessage } from '#contract/index';
import { CommandRejectedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { CommandResult, SessionStore } from '../state/session-store.ts';

/** `delete`: the message is done with. `keep`: leave it for redelivery. */
export type Disposition = 'delete' | 'keep';

export interface CommandProcessorOptions {
  store: Pick<SessionStore, 'getCommandStatus' | 'finishCommand'>;
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

  constructor(private readonly options: CommandProcessorOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxReceiveCount = options.maxReceiveCount ?? COMMAND_MAX_RECEIVE_COUNT;
  }

  /** Processes a command received for the `receiveCount`-th time. Throws only when its result cannot be recorded. */
  async process(message: CommandMessage, receiveCount: number): Promise<Disposition> {
    const log = { commandId: message.commandId, type: message.command.type, receiveCount };
    const status = await this.options.store.getCommandStatus(message.commandId);
    if (status === 'APPLIED' || status === 'FAILED') {
      this.options.logger.info('Command already has a result; not applied again', { ...log, status });
      return 'delete';
    }
    let result: CommandResult;
    try {
      await this.options.apply(message);
      result = { status: 'APPLIED' };
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof CommandRejectedError) {
        result = { status: 'FAILED', reason };
      } else if (receiveCount >= this.maxReceiveCount - 1) {
        result = { status: 'FAILED', reason: `gave up after ${receiveCount} attempts: ${reason}` };
      } else {
        this.options.logger.warn('Command failed transiently; left for redelivery', { ...log, reason });
        return 'keep';
      }
    }
    const recorded = await this.options.store.finishCommand(
      { commandId: message.commandId, acceptedAt: message.acceptedAt, command: message.command },
      result,
      receiveCount,
      this.now(),
    );
    this.options.logger.info('Command finished', { ...log, ...result, recorded });
    await this.options.afterCommand?.().catch((error: unknown) => {
      this.options.logger.warn('Now-playing report failed', { reason: (error as Error).message });
    });
    return 'delete';
  }

  /** Records FAILED for a command message whose body is invalid (when it names a command id). */
  async failInvalid(commandId: string, acceptedAt: string, reason: string, receiveCount: number): Promise<void> {
    await this.options.store.finishCommand({ commandId, acceptedAt }, { status: 'FAILED', reason }, receiveCount, this.now());
  }
}
