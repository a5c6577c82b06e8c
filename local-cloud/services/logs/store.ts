/**
 * CloudWatch Logs state: log groups, their streams and events, retention. Journaled to disk when given a
 * data directory, so events survive a restart.
 */
import { join } from 'node:path';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import { systemClock, type Clock } from '#local-cloud/clock';
import { Journal } from '#local-cloud/gateway/journal';

export interface LogGroupMeta {
  name: string;
  createdAt: number;
  retentionInDays?: number;
}

export interface LogStreamMeta {
  name: string;
  createdAt: number;
}

/** A stored event; `eventId` is unique in the store and increases with ingestion. */
export interface StoredLogEvent {
  eventId: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** An event found by a search, with its stream. */
export interface FoundLogEvent extends StoredLogEvent {
  logStreamName: string;
}

interface LogStream {
  meta: LogStreamMeta;
  /** Ordered by timestamp, then eventId. */
  events: StoredLogEvent[];
}

interface LogGroup {
  meta: LogGroupMeta;
  streams: Map<string, LogStream>;
}

type LogsRecord =
  | { t: 'group'; meta: LogGroupMeta }
  | { t: 'deleteGroup'; name: string }
  | { t: 'stream'; group: string; meta: LogStreamMeta }
  | { t: 'deleteStream'; group: string; name: string }
  | { t: 'events'; group: string; stream: string; events: StoredLogEvent[] };

/** Retention values PutRetentionPolicy accepts (days). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Compact at run time only when the journal has grown well past the state it describes. */
const COMPACT_AFTER_APPENDS = 20_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The ARN of a log group (without the `:*` suffix DescribeLogGroups adds to `arn`). */
export function logGroupArn(name: string): string {
  return `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:log-group:${name}`;
}

function groupNotFound(): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
}

/** Inserts events into a stream keeping timestamp order (appends in the common in-order case). */
function insertOrdered(events: StoredLogEvent[], added: readonly StoredLogEvent[]): void {
  for (const event of added) {
    let i = events.length;
    while (i > 0 && (events[i - 1] as StoredLogEvent).timestamp > event.timestamp) i -= 1;
    events.splice(i, 0, event);
  }
}

/** Every log group, stream and event. */
export class LogsStore {
  private readonly groups = new Map<string, LogGroup>();
  private readonly journal: Journal<LogsRecord> | undefined;
  private nextEventNumber = 1n;

  constructor(
    private readonly clock: Clock = systemClock,
    dataDir?: string,
  ) {
    if (dataDir) {
      this.journal = new Journal<LogsRecord>(join(dataDir, 'logs', 'journal.jsonl'));
      for (const record of this.journal.readAll()) this.replay(record);
      this.journal.rewrite(this.snapshot());
    }
  }

  /** Creates a log group; ResourceAlreadyExistsException when it exists. */
  createGroup(name: string): void {
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) {
      throw new AwsServiceError('InvalidParameterException', `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint.`);
    }
    if (this.groups.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
    const meta: LogGroupMeta = { name, createdAt: this.clock.now() };
    this.groups.set(name, { meta, streams: new Map() });
    this.record({ t: 'group', meta });
  }

  /** Deletes a log group with its streams. */
  deleteGroup(name: string): void {
    this.group(name);
    this.removedSinceCompaction += [...this.group(name).streams.values()].reduce((n, s) => n + s.events.length + 1, 1);
    this.groups.delete(name);
    this.record({ t: 'deleteGroup', name });
  }

  /** Sets (or with undefined, removes) the retention of a group. */
  setRetention(name: string, days: number | undefined): void {
    const group = this.group(name);
    if (days !== undefined && !RETENTION_DAYS.includes(days)) {
      throw new AwsServiceError('InvalidParameterException', `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
    }
    if (days === undefined) delete group.meta.retentionInDays;
    else group.meta.retentionInDays = days;
    this.record({ t: 'group', meta: group.meta });
  }

  /** Log groups by name order. */
  listGroups(): LogGroupMeta[] {
    return [...this.groups.values()].map((g) => g.meta).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates a stream; ResourceAlreadyExistsException when it exists. */
  createStream(groupName: string, name: string): void {
    const group = this.group(groupName);
    if (!/^[^:*]{1,512}$/.test(name)) throw new AwsServiceError('InvalidParameterException', `Invalid log stream name '${name}'.`);
    if (group.streams.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    const meta: LogStreamMeta = { name, createdAt: this.clock.now() };
    group.streams.set(name, { meta, events: [] });
    this.record({ t: 'stream', group: groupName, meta });
  }

  /** Deletes a stream. */
  deleteStream(groupName: string, name: string): void {
    this.removedSinceCompaction += this.stream(groupName, name).events.length + 1;
    this.group(groupName).streams.delete(name);
    this.record({ t: 'deleteStream', group: groupName, name });
  }

  /** Streams of a group with their event bounds. */
  listStreams(groupName: string): { meta: LogStreamMeta; first?: number; last?: number; lastIngestion?: number; storedBytes: number }[] {
    const group = this.group(groupName);
    return [...group.streams.values()].map((s) => {
      const events = this.retained(group, s);
      const info: { meta: LogStreamMeta; first?: number; last?: number; lastIngestion?: number; storedBytes: number } = {
        meta: s.meta,
        storedBytes: events.reduce((n, e) => n + Buffer.byteLength(e.message), 0),
      };
      if (events.length > 0) {
        info.first = (events[0] as StoredLogEvent).timestamp;
        info.last = (events[events.length - 1] as StoredLogEvent).timestamp;
        info.lastIngestion = Math.max(...events.map((e) => e.ingestionTime));
      }
      return info;
    });
  }

  /** Appends events to an existing stream. */
  putEvents(groupName: string, streamName: string, events: readonly { timestamp: number; message: string }[]): void {
    const stream = this.stream(groupName, streamName);
    const now = this.clock.now();
    const stored = events.map((e) => ({ eventId: this.newEventId(), timestamp: e.timestamp, ingestionTime: now, message: e.message }));
    insertOrdered(stream.events, stored);
    this.record({ t: 'events', group: groupName, stream: streamName, events: stored });
  }

  /** Appends events, creating the group and stream when missing (the LogSink's way in). */
  append(groupName: string, streamName: string, events: readonly { timestamp: number; message: string }[]): void {
    if (!this.groups.has(groupName)) this.createGroup(groupName);
    if (!this.group(groupName).streams.has(streamName)) this.createStream(groupName, streamName);
    if (events.length > 0) this.putEvents(groupName, streamName, events);
  }

  /** The retained events of one stream, in timestamp order. */
  streamEvents(groupName: string, streamName: string): StoredLogEvent[] {
    const group = this.group(groupName);
    return this.retained(group, this.stream(groupName, streamName));
  }

  /** The retained events of the chosen streams of a group, interleaved by timestamp then eventId. */
  groupEvents(groupName: string, chooseStream: (name: string) => boolean): { events: FoundLogEvent[]; streams: string[] } {
    const group = this.group(groupName);
    const streams = [...group.streams.values()].filter((s) => chooseStream(s.meta.name));
    const events: FoundLogEvent[] = [];
    for (const stream of streams) for (const e of this.retained(group, stream)) events.push({ ...e, logStreamName: stream.meta.name });
    events.sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    return { events, streams: streams.map((s) => s.meta.name) };
  }

  /** The group, or ResourceNotFoundException. */
  getGroup(name: string): LogGroupMeta {
    return this.group(name).meta;
  }

  private group(name: string): LogGroup {
    const group = this.groups.get(name);
    if (!group) throw groupNotFound();
    return group;
  }

  private stream(groupName: string, name: string): LogStream {
    const stream = this.group(groupName).streams.get(name);
    if (!stream) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return stream;
  }

  /** Events still inside the group's retention period. */
  private retained(group: LogGroup, stream: LogStream): StoredLogEvent[] {
    const days = group.meta.retentionInDays;
    if (days === undefined) return stream.events;
    const cutoff = this.clock.now() - days * DAY_MS;
    return stream.events.filter((e) => e.timestamp >= cutoff);
  }

  private newEventId(): string {
    const id = this.nextEventNumber;
    this.nextEventNumber += 1n;
    return id.toString().padStart(56, '0');
  }

  private record(record: LogsRecord): void {
    if (!this.journal) return;
    this.journal.append(record);
    // Appends of events are the state itself; rewriting pays only after deletes, so compact rarely.
    if (this.removedSinceCompaction > COMPACT_AFTER_APPENDS) {
      this.journal.rewrite(this.snapshot());
      this.removedSinceCompaction = 0;
    }
  }

  /** Events and groups dropped since the last rewrite, a measure of the journal's dead weight. */
  private removedSinceCompaction = 0;

  private *snapshot(): Generator<LogsRecord> {
    for (const group of this.groups.values()) {
      yield { t: 'group', meta: group.meta };
      for (const stream of group.streams.values()) {
        yield { t: 'stream', group: group.meta.name, meta: stream.meta };
        const events = this.retained(group, stream);
        for (let i = 0; i < events.length; i += 1000) yield { t: 'events', group: group.meta.name, stream: stream.meta.name, events: events.slice(i, i + 1000) };
      }
    }
  }

  private replay(record: LogsRecord): void {
    switch (record.t) {
      case 'group': {
        const existing = this.groups.get(record.meta.name);
        if (existing) existing.meta = record.meta;
        else this.groups.set(record.meta.name, { meta: record.meta, streams: new Map() });
        break;
      }
      case 'deleteGroup':
        this.groups.delete(record.name);
        break;
      case 'stream':
        this.groups.get(record.group)?.streams.set(record.meta.name, { meta: record.meta, events: [] });
        break;
      case 'deleteStream':
        this.groups.get(record.group)?.streams.delete(record.name);
        break;
      case 'events': {
        const stream = this.groups.get(record.group)?.streams.get(record.stream);
        if (stream) insertOrdered(stream.events, record.events);
        for (const e of record.events) {
          const n = BigInt(e.eventId) + 1n;
          if (n > this.nextEventNumber) this.nextEventNumber = n;
        }
        break;
      }
    }
  }
}
