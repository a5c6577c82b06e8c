/**
 * Heartbeats the ON_AIR task tokens: SendTaskHeartbeat for each every interval, dropping a token that
 * Step Functions calls stale. Tokens are kept only in memory.
 */
import { SendTaskHeartbeatCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { CONTROLLER_HEARTBEAT_LOG, HEARTBEAT_INTERVAL_SECONDS, isStaleTaskTokenError } from '#contract/index';
import type { Logger } from '../logger.ts';

export interface HeartbeatSchedulerOptions {
  sfn: SFNClient;
  logger: Logger;
  intervalSeconds?: number;
}

export class HeartbeatScheduler {
  private readonly tokens = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;

  constructor(private readonly options: HeartbeatSchedulerOptions) {
    this.intervalMs = (options.intervalSeconds ?? HEARTBEAT_INTERVAL_SECONDS) * 1000;
  }

  /** How many tokens are heartbeated. */
  get size(): number {
    return this.tokens.size;
  }

  /** Starts heartbeating a token (one heartbeat at once, then every interval). */
  async add(token: string): Promise<void> {
    this.tokens.add(token);
    this.timer ??= setInterval(() => void this.beatAll(), this.intervalMs);
    await this.beat(token);
  }

  /** Sends one round of heartbeats. */
  async beatAll(): Promise<void> {
    await Promise.all([...this.tokens].map((token) => this.beat(token)));
  }

  /** Stops every heartbeat and forgets the tokens. */
  stopAll(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.tokens.clear();
  }

  private async beat(token: string): Promise<void> {
    try {
      await this.options.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      this.options.logger.info(CONTROLLER_HEARTBEAT_LOG.sent);
    } catch (error) {
      if (isStaleTaskTokenError(error)) {
        this.drop(token);
        this.options.logger.info('On-air token is stale; heartbeats for it stop', { error: (error as Error).name });
      } else {
        this.options.logger.warn(CONTROLLER_HEARTBEAT_LOG.failed, { error: (error as Error).name });
      }
    }
  }

  private drop(token: string): void {
    this.tokens.delete(token);
    if (this.tokens.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
