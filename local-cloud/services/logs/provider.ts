/**
 * The local CloudWatch Logs (JSON 1.1, `Logs_20140328`): enough for the functions' and the controller's
 * log groups, `aws logs tail` (which only calls FilterLogEvents) and `aws logs filter-log-events`. It is
 * also the LogSink other local services write their processes' output to.
 *
 * LIMITATIONS (what it does not emulate):
 * - Filter patterns: terms, quoted phrases, `?term` and `-term` only; JSON, space-delimited and regex
 *   patterns are refused with InvalidParameterException.
 * - No metric filters, subscription filters, Logs Insights queries, live tail (StartLiveTail), KMS, data
 *   protection, export tasks, log classes or resource policies; tags are not kept.
 * - PutLogEvents does not reject events too old or too far in the future, nor check sequence tokens
 *   (AWS ignores them too now); retention drops events on read, to the day.
 * - logGroupIdentifier is accepted as a name or an ARN; accounts other than 000000000000 do not exist.
 */
import { jsonError, jsonOk, AwsServiceError } from '#local-cloud/gateway/json-protocol';
import type { LogSink } from '#local-cloud/gateway/internal';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import { systemClock, type Clock } from '#local-cloud/clock';
import { compileFilterPattern } from './filter-pattern.ts';
import { logGroupArn, LogsStore, type FoundLogEvent, type StoredLogEvent } from './store.ts';

/** X-Amz-Target prefix of CloudWatch Logs. */
export const LOGS_TARGET_PREFIX = 'Logs_20140328';

/** Most events one GetLogEvents / FilterLogEvents page returns by default. */
const DEFAULT_EVENT_LIMIT = 10_000;

export interface LogsProviderOptions {
  /** The local cloud's data directory (state goes in `<dataDir>/logs/`); in memory when absent. */
  dataDir?: string;
  clock?: Clock;
}

type Input = Record<string, unknown>;

function requireString(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') {
    throw new AwsServiceError('InvalidParameterException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function optionalNumber(input: Input, key: string): number | undefined {
  const value = input[key];
  return typeof value === 'number' ? value : undefined;
}

function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

/** The group name from `logGroupName`, or `logGroupIdentifier` (a name or an ARN). */
function groupNameOf(input: Input): string {
  const identifier = optionalString(input, 'logGroupIdentifier');
  if (identifier) {
    const match = /^arn:aws:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(identifier);
    return match?.[1] ?? identifier;
  }
  return requireString(input, 'logGroupName');
}

/** Pages a sorted list by an opaque token holding the next index. */
function page<T>(items: T[], token: string | undefined, limit: number): { items: T[]; nextToken?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
  const slice = items.slice(start, start + limit);
  const result: { items: T[]; nextToken?: string } = { items: slice };
  if (start + limit < items.length) result.nextToken = Buffer.from(String(start + limit)).toString('base64url');
  return result;
}

/** The CloudWatch Logs provider and LogSink. */
export class LogsProvider implements ServiceProvider, LogSink {
  readonly signingNames = ['logs'] as const;
  readonly targetPrefixes = [LOGS_TARGET_PREFIX] as const;
  readonly store: LogsStore;

  constructor(options: LogsProviderOptions = {}) {
    this.store = new LogsStore(options.clock ?? systemClock, options.dataDir);
  }

  /** LogSink: appends lines, creating the group and stream when missing. */
  append(logGroupName: string, logStreamName: string, events: readonly { timestamp: number; message: string }[]): void {
    this.store.append(logGroupName, logStreamName, events);
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const target = request.headers['x-amz-target'] ?? '';
    const operation = target.slice(target.indexOf('.') + 1);
    try {
      const input = request.body.length > 0 ? (JSON.parse(request.body.toString('utf8')) as Input) : {};
      return jsonOk(this.dispatch(operation, input), '1.1');
    } catch (error) {
      if (error instanceof SyntaxError) return jsonError('SerializationException', 'The request body is not valid JSON.', 400, '1.1');
      if (error instanceof AwsServiceError) return jsonError(error.code, error.message, error.status, '1.1');
      throw error;
    }
  }

  private dispatch(operation: string, input: Input): unknown {
    const store = this.store;
    switch (operation) {
      case 'CreateLogGroup':
        store.createGroup(requireString(input, 'logGroupName'));
        return {};
      case 'DeleteLogGroup':
        store.deleteGroup(requireString(input, 'logGroupName'));
        return {};
      case 'PutRetentionPolicy': {
        const days = optionalNumber(input, 'retentionInDays');
        if (days === undefined) throw new AwsServiceError('InvalidParameterException', "1 validation error detected: Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null");
        store.setRetention(requireString(input, 'logGroupName'), days);
        return {};
      }
      case 'DeleteRetentionPolicy':
        store.setRetention(requireString(input, 'logGroupName'), undefined);
        return {};
      case 'DescribeLogGroups':
        return this.describeLogGroups(input);
      case 'CreateLogStream':
        store.createStream(requireString(input, 'logGroupName'), requireString(input, 'logStreamName'));
        return {};
      case 'DeleteLogStream':
        store.deleteStream(requireString(input, 'logGroupName'), requireString(input, 'logStreamName'));
        return {};
      case 'DescribeLogStreams':
        return this.describeLogStreams(input);
      case 'PutLogEvents':
        return this.putLogEvents(input);
      case 'GetLogEvents':
        return this.getLogEvents(input);
      case 'FilterLogEvents':
        return this.filterLogEvents(input);
      default:
        throw new AwsServiceError('UnknownOperationException', `The local CloudWatch Logs does not provide ${operation || 'this operation'}.`);
    }
  }

  private describeLogGroups(input: Input): unknown {
    const prefix = optionalString(input, 'logGroupNamePrefix') ?? '';
    const pattern = optionalString(input, 'logGroupNamePattern');
    const groups = this.store
      .listGroups()
      .filter((g) => g.name.startsWith(prefix) && (!pattern || g.name.toLowerCase().includes(pattern.toLowerCase())));
    const { items, nextToken } = page(groups, optionalString(input, 'nextToken'), optionalNumber(input, 'limit') ?? 50);
    return {
      logGroups: items.map((g) => ({
        logGroupName: g.name,
        creationTime: g.createdAt,
        ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
        metricFilterCount: 0,
        arn: `${logGroupArn(g.name)}:*`,
        logGroupArn: logGroupArn(g.name),
        storedBytes: 0,
        logGroupClass: 'STANDARD',
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private describeLogStreams(input: Input): unknown {
    const groupName = groupNameOf(input);
    const prefix = optionalString(input, 'logStreamNamePrefix') ?? '';
    const orderBy = optionalString(input, 'orderBy') ?? 'LogStreamName';
    if (orderBy === 'LastEventTime' && prefix) {
      throw new AwsServiceError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const streams = this.store.listStreams(groupName).filter((s) => s.meta.name.startsWith(prefix));
    streams.sort((a, b) =>
      orderBy === 'LastEventTime' ? (a.last ?? 0) - (b.last ?? 0) : a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0,
    );
    if (input['descending'] === true) streams.reverse();
    const { items, nextToken } = page(streams, optionalString(input, 'nextToken'), optionalNumber(input, 'limit') ?? 50);
    return {
      logStreams: items.map((s) => ({
        logStreamName: s.meta.name,
        creationTime: s.meta.createdAt,
        ...(s.first === undefined ? {} : { firstEventTimestamp: s.first, lastEventTimestamp: s.last, lastIngestionTime: s.lastIngestion }),
        arn: `${logGroupArn(groupName)}:log-stream:${s.meta.name}`,
        storedBytes: s.storedBytes,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private putLogEvents(input: Input): unknown {
    const raw = Array.isArray(input['logEvents']) ? (input['logEvents'] as Input[]) : [];
    if (raw.length === 0) throw new AwsServiceError('InvalidParameterException', "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const events = raw.map((e) => ({ timestamp: Number(e['timestamp']), message: String(e['message'] ?? '') }));
    for (let i = 1; i < events.length; i++) {
      if ((events[i] as { timestamp: number }).timestamp < (events[i - 1] as { timestamp: number }).timestamp) {
        throw new AwsServiceError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
      }
    }
    this.store.putEvents(requireString(input, 'logGroupName'), requireString(input, 'logStreamName'), events);
    return { nextSequenceToken: Date.now().toString().padStart(56, '0') };
  }

  /** GetLogEvents with forward (`f/<index>`) and backward (`b/<index>`) tokens over the stream's events. */
  private getLogEvents(input: Input): unknown {
    const all = this.store.streamEvents(groupNameOf(input), requireString(input, 'logStreamName'));
    const startTime = optionalNumber(input, 'startTime');
    const endTime = optionalNumber(input, 'endTime');
    const events = all.filter((e) => (startTime === undefined || e.timestamp >= startTime) && (endTime === undefined || e.timestamp < endTime));
    const limit = optionalNumber(input, 'limit') ?? DEFAULT_EVENT_LIMIT;
    const token = optionalString(input, 'nextToken');
    let start: number;
    let end: number;
    if (token?.startsWith('f/')) {
      start = Number(token.slice(2)) || 0;
      end = Math.min(events.length, start + limit);
    } else if (token?.startsWith('b/')) {
      end = Number(token.slice(2)) || 0;
      start = Math.max(0, end - limit);
    } else if (input['startFromHead'] === true) {
      start = 0;
      end = Math.min(events.length, limit);
    } else {
      end = events.length;
      start = Math.max(0, end - limit);
    }
    const shape = (e: StoredLogEvent): unknown => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime });
    return { events: events.slice(start, end).map(shape), nextForwardToken: `f/${end}`, nextBackwardToken: `b/${start}` };
  }

  /** FilterLogEvents: interleaved across the chosen streams, paged after the last returned event. */
  private filterLogEvents(input: Input): unknown {
    const groupName = groupNameOf(input);
    const names = Array.isArray(input['logStreamNames']) ? (input['logStreamNames'] as unknown[]).map(String) : undefined;
    const prefix = optionalString(input, 'logStreamNamePrefix');
    if (names && prefix) throw new AwsServiceError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive.');
    const matches = compileFilterPattern(optionalString(input, 'filterPattern'));
    const startTime = optionalNumber(input, 'startTime');
    const endTime = optionalNumber(input, 'endTime');
    const { events, streams } = this.store.groupEvents(groupName, (name) => (names ? names.includes(name) : prefix ? name.startsWith(prefix) : true));
    const after = optionalString(input, 'nextToken');
    const [afterTime, afterId] = after ? Buffer.from(after, 'base64url').toString('utf8').split('/') : [];
    const limit = optionalNumber(input, 'limit') ?? DEFAULT_EVENT_LIMIT;
    const isAfter = (e: FoundLogEvent): boolean =>
      afterTime === undefined || e.timestamp > Number(afterTime) || (e.timestamp === Number(afterTime) && e.eventId > (afterId ?? ''));
    const selected = events.filter(
      (e) =>
        (startTime === undefined || e.timestamp >= startTime) &&
        (endTime === undefined || e.timestamp <= endTime) &&
        isAfter(e) &&
        matches(e.message),
    );
    const pageEvents = selected.slice(0, limit);
    const result: Record<string, unknown> = {
      events: pageEvents.map((e) => ({
        logStreamName: e.logStreamName,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: e.eventId,
      })),
      searchedLogStreams: streams.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
    };
    const last = pageEvents[pageEvents.length - 1];
    if (selected.length > limit && last) result['nextToken'] = Buffer.from(`${last.timestamp}/${last.eventId}`).toString('base64url');
    return result;
  }
}

/** Builds the local CloudWatch Logs provider (also the LogSink of the local cloud). */
export function createLogsProvider(options: LogsProviderOptions = {}): LogsProvider {
  return new LogsProvider(options);
}
