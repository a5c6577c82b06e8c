/**
 * Keeps the as-run log (contract/as-run.ts): each entry the desk reports is written to the sessions table
 * beside the session, in the order reported (one write at a time, off the desk's path: a slow write never holds
 * up a start). A write that fails is logged and the log goes on.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { asRunSortKey, sessionKey, type AsRunRecord } from '#contract/index';
import type { Logger } from '../logger.ts';

export class AsRunRecorder {
  private seq = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sessionId: string,
    private readonly logger: Logger,
  ) {}

  /** Queues one entry for writing. */
  record(entry: AsRunRecord): void {
    const sk = asRunSortKey(entry.at, ++this.seq);
    this.tail = this.tail.then(async () => {
      try {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: sessionKey(this.sessionId).pk, sk, ...entry } }));
      } catch (error) {
        this.logger.warn('An as-run entry was not written', { event: entry.event, at: entry.at, reason: (error as Error).message });
      }
    });
  }

  /** Resolves once every entry queued so far is written (or failed). */
  flushed(): Promise<void> {
    return this.tail;
  }
}
