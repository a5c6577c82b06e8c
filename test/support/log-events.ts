/** Every log event of every log group of a local cloud, read with the SDK (DescribeLogGroups, FilterLogEvents). */
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';

export interface GroupedLogEvent extends FilteredLogEvent {
  logGroupName: string;
}

/** The names of every log group. */
export async function logGroupNames(logs: CloudWatchLogsClient): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ nextToken }));
    names.push(...(page.logGroups ?? []).map((g) => g.logGroupName ?? '').filter(Boolean));
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

/** Every event of every log group (optionally only those matching a filter pattern), oldest first per group. */
export async function allLogEvents(logs: CloudWatchLogsClient, filterPattern?: string): Promise<GroupedLogEvent[]> {
  const events: GroupedLogEvent[] = [];
  for (const logGroupName of await logGroupNames(logs)) {
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName, startTime: 0, filterPattern, nextToken }));
      events.push(...(page.events ?? []).map((e) => ({ ...e, logGroupName })));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return events;
}
