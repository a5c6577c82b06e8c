/**
 * Answers the state machine's task tokens: READY gets SendTaskSuccess once the controller has joined and
 * publishes (SendTaskFailure Shelcaster.SessionEnded if the host has asked to end); ON_AIR is heartbeated.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { isStaleTaskTokenError, STEP_ERRORS, type CallbackMessage } from '#contract/index';
import type { Logger } from '../logger.ts';
import type { HeartbeatScheduler } from './heartbeat-scheduler.ts';

/** The READY task's output. */
export interface ReadyOutput {
  participantId: string;
  joinedAt: string;
}

export interface CallbackHandlerOptions {
  sfn: SFNClient;
  logger: Logger;
  heartbeats: HeartbeatScheduler;
  ready: ReadyOutput;
  /** Reads the session's endRequested flag. */
  endRequested: () => Promise<boolean>;
}

export class CallbackHandler {
  constructor(private readonly options: CallbackHandlerOptions) {}

  /** Handles one callback message; throws on a transient failure (the message is then left for redelivery). */
  async handle(message: CallbackMessage): Promise<void> {
    const { logger } = this.options;
    try {
      if (message.callback === 'ON_AIR') {
        await this.options.heartbeats.add(message.taskToken);
        logger.info('On air: heartbeating the OnAir token');
        return;
      }
      if (await this.options.endRequested()) {
        await this.options.sfn.send(
          new SendTaskFailureCommand({
            taskToken: message.taskToken,
            error: STEP_ERRORS.SessionEnded,
            cause: 'The host ended the session before it went live.',
          }),
        );
        logger.info('Ready token answered: the session is ending');
        return;
      }
      await this.options.sfn.send(
        new SendTaskSuccessCommand({ taskToken: message.taskToken, output: JSON.stringify(this.options.ready) }),
      );
      logger.info('Ready token answered: joined and publishing', { ...this.options.ready });
    } catch (error) {
      if (isStaleTaskTokenError(error)) {
        logger.info('Callback token is stale; dropped', { callback: message.callback, error: (error as Error).name });
        return;
      }
      throw error;
    }
  }
}

/** Fails a READY token because the controller cannot join (Shelcaster.ControllerFailed with the reason). */
export async function failReadyToken(sfn: SFNClient, taskToken: string, reason: string): Promise<void> {
  try {
    await sfn.send(
      new SendTaskFailureCommand({ taskToken, error: STEP_ERRORS.ControllerFailed, cause: reason.slice(0, 2000) }),
    );
  } catch (error) {
    if (!isStaleTaskTokenError(error)) throw error;
  }
}
