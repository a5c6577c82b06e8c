/** Reads an execution's history, newest event first, one page at a time. */
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { sfnClient } from '#clients/sfn';

/** Calls GetExecutionHistory (reverseOrder) for one page; returns its events and the next page's token. */
export async function readRecentExecutionHistory(
  executionArn: string,
  nextToken?: string,
  maxResults = 100,
): Promise<{ events: HistoryEvent[]; nextToken?: string }> {
  const page = await sfnClient.send(
    new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults, includeExecutionData: true, nextToken }),
  );
  return page.nextToken ? { events: page.events ?? [], nextToken: page.nextToken } : { events: page.events ?? [] };
}
