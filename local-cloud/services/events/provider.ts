/**
 * Local EventBridge: the JSON 1.1 `AWSEvents` API (signing name `events`) for the default bus, and the
 * in-process EventPublisher other services emit their events through (ECS task state changes).
 * Rules and targets are persisted. Matching events are delivered to Lambda targets through the
 * FunctionInvoker as asynchronous invocations.
 *
 * LIMITATIONS
 * - Only the default bus; no custom buses, archives, replays, pipes or API destinations.
 * - Scheduled rules: `rate()` expressions fire on the local clock every period from when the rule was put
 *   (or the local cloud started), with EventBridge's `Scheduled Event`; `cron()` expressions are stored but
 *   never fire.
 * - Only Lambda function targets are delivered; other target types are accepted and stored, and each
 *   delivery to them is a failure that is not retried. No RoleArn checks.
 * - A delivery that fails is retried as EventBridge retries it (target-delivery.ts): a retriable error
 *   (throttling, a 5xx: the Lambda service, not the function, failed) is tried again with exponential
 *   back-off and jitter on the service's clock, within the target's RetryPolicy (default 185 retries and
 *   24 h); then, or at once for an error that is not retriable (no such function, access denied), the event
 *   goes to the target's dead-letter queue (an SQS queue, through `deadLetters`) or is dropped, and is
 *   reported through `onDeliveryFailure`, never to the PutEvents caller. A function that fails is not
 *   EventBridge's failure: Lambda retries it (its asynchronous invocation). Retries not yet due are dropped
 *   when the provider closes (not kept across a restart).
 * - Delivery is exactly once and in order unless `delivery` asks for AWS's at-least-once, any-order
 *   semantics (random delays and duplicates; see DeliverySemantics).
 * - Event patterns: IPv4 `cidr` only; no pattern size limit. PutEvents checks sources (`aws.` is refused),
 *   required fields and JSON details, not the 256 KB entry size.
 * - No tags, no IAM, no TestEventPattern.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import type { BusEvent, EventPublisher, FunctionInvoker } from '#local-cloud/gateway/internal';
import { answerJsonOperation, AwsServiceError, jsonError } from '#local-cloud/gateway/json-protocol';
import { InvalidEventPatternError, matchesEventPattern, parseEventPattern } from './event-pattern.ts';
import { EventsStore, type Rule, type RuleTarget } from './store.ts';
import { targetInput } from './target-input.ts';
import { InvalidScheduleExpressionError, schedulePeriodMs } from './schedule-expression.ts';
import { systemClock, type Clock, type TimerHandle } from '#local-cloud/clock';
import { deliveryOutcome, nextAttemptDelayMs, retryLimits, type DeadLetterSender } from './target-delivery.ts';

export type { DeadLetterSender } from './target-delivery.ts';

export interface EventsProviderOptions {
  invoker: FunctionInvoker;
  /** Directory of the local cloud's data; rules are kept in `events.json` there. In memory without it. */
  dataDir?: string;
  region?: string;
  /** Called when an event could not be delivered to a target (default: a line on stderr). */
  onDeliveryFailure?: (failure: DeliveryFailure) => void;
  /** At-least-once, any-order delivery as on AWS (default: each event once, at once). */
  delivery?: DeliverySemantics;
  /** The clock scheduled rules fire on and retries wait on (default: the wall clock). */
  clock?: Clock;
  /** Sends an undeliverable event to a target's dead-letter queue (without it, such events are dropped). */
  deadLetters?: DeadLetterSender;
  /** A number in [0, 1) for the retries' jitter (Math.random by default). */
  random?: () => number;
}

/**
 * How loosely events are delivered. AWS promises at least once and no order: a target may get an event twice,
 * and a later event before an earlier one. Locally, each delivery waits a random 0..`maxDelayMs` (so events
 * overtake each other) and a `duplicateRate` share of them is delivered a second time (after its own delay).
 */
export interface DeliverySemantics {
  /** Share of deliveries made twice, 0 to 1. */
  duplicateRate: number;
  /** Longest random delay before a delivery, in milliseconds. */
  maxDelayMs: number;
  /** A number in [0, 1) (Math.random by default). */
  random?: () => number;
}

export interface DeliveryFailure {
  ruleName: string;
  targetId: string;
  targetArn: string;
  eventId: string;
  reason: string;
  /** Deliveries tried (1 + retries). */
  attempts: number;
  /** Where the event went: the dead-letter queue's ARN, or nowhere (dropped). */
  deadLetterArn?: string;
}

const TARGET_PREFIX = 'AWSEvents';
const DEFAULT_BUS = 'default';
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TARGETS_PER_RULE = 5;
const MAX_PUT_EVENTS_ENTRIES = 10;
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;

type Input = Record<string, unknown>;

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number | string;
  EventBusName?: string;
}

function requireString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value null at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/** EventBridge's `time`: ISO 8601 without milliseconds. */
function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventsProvider implements ServiceProvider, EventPublisher {
  readonly signingNames = ['events'] as const;
  readonly targetPrefixes = [TARGET_PREFIX] as const;
  private readonly store: EventsStore;
  private readonly region: string;
  private readonly deliveries = new Set<Promise<void>>();
  private readonly operations: Record<string, (input: Input) => unknown>;
  private readonly schedules = new Map<string, TimerHandle>();
  /** Deliveries waiting for their retry. */
  private readonly retries = new Set<TimerHandle>();
  private readonly clock: Clock;
  private schedulesStopped = false;

  constructor(private readonly options: EventsProviderOptions) {
    this.region = options.region ?? LOCAL_REGION;
    this.clock = options.clock ?? systemClock;
    this.store = new EventsStore(options.dataDir ? join(options.dataDir, 'events.json') : undefined);
    for (const rule of this.store.list()) this.armSchedule(rule.Name);
    this.operations = {
      PutRule: (input) => this.putRule(input),
      DescribeRule: (input) => this.describeRule(input),
      ListRules: (input) => this.listRules(input),
      DeleteRule: (input) => this.deleteRule(input),
      EnableRule: (input) => this.setState(input, 'ENABLED'),
      DisableRule: (input) => this.setState(input, 'DISABLED'),
      PutTargets: (input) => this.putTargets(input),
      ListTargetsByRule: (input) => this.listTargets(input),
      RemoveTargets: (input) => this.removeTargets(input),
      PutEvents: (input) => this.putEvents(input),
    };
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const target = request.headers['x-amz-target'] ?? '';
    const operation = target.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : '';
    const run = this.operations[operation];
    if (!run) return jsonError('UnknownOperationException', `Unknown operation ${target}`, 400, '1.1');
    return answerJsonOperation(request.body, run, '1.1', { code: 'InternalException', message: 'The local EventBridge failed to handle the request.' });
  }

  /** EventPublisher: puts an event from an AWS service (`aws.*` sources allowed) on the default bus. */
  async publish(event: BusEvent): Promise<void> {
    this.route({
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: event.source,
      account: LOCAL_ACCOUNT_ID,
      time: eventTime(event.time ?? new Date()),
      region: this.region,
      resources: event.resources ?? [],
      detail: event.detail,
    });
  }

  /** Resolves when every delivery started so far has been handed to its target. */
  async drain(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  async close(): Promise<void> {
    this.stopSchedules();
    for (const retry of this.retries) retry.cancel();
    this.retries.clear();
    await this.drain();
  }

  /** Scheduled rules fire no more (the local cloud is shutting down: nothing may start work behind it). */
  stopSchedules(): void {
    this.schedulesStopped = true;
    for (const timer of this.schedules.values()) timer.cancel();
    this.schedules.clear();
  }

  /** (Re)arms a rule's schedule from now: a `rate()` rule that exists and is enabled fires every period. */
  private armSchedule(name: string): void {
    this.schedules.get(name)?.cancel();
    this.schedules.delete(name);
    const rule = this.store.get(name);
    if (this.schedulesStopped || !rule || rule.State !== 'ENABLED' || rule.ScheduleExpression === undefined) return;
    const period = schedulePeriodMs(rule.ScheduleExpression);
    if (period === undefined) return;
    this.schedules.set(
      name,
      this.clock.setTimeout(() => {
        const current = this.store.get(name);
        if (current && current.State === 'ENABLED') {
          this.deliverToTargets(current, {
            version: '0',
            id: randomUUID(),
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: LOCAL_ACCOUNT_ID,
            time: eventTime(new Date(this.clock.now())),
            region: this.region,
            resources: [current.Arn],
            detail: {},
          });
        }
        this.armSchedule(name);
      }, period),
    );
  }

  private ruleArn(name: string): string {
    return `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:rule/${name}`;
  }

  private checkBus(input: Input): void {
    const bus = input.EventBusName;
    if (bus === undefined || bus === DEFAULT_BUS || bus === `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:event-bus/${DEFAULT_BUS}`) return;
    throw new AwsServiceError('ResourceNotFoundException', `Event bus ${String(bus)} does not exist.`);
  }

  private rule(name: string): Rule {
    const rule = this.store.get(name);
    if (!rule) throw new AwsServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${DEFAULT_BUS}.`);
    return rule;
  }

  private putRule(input: Input): unknown {
    this.checkBus(input);
    const name = requireString(input, 'Name');
    if (!RULE_NAME.test(name)) throw new AwsServiceError('ValidationException', `Rule name ${name} is not valid.`);
    const pattern = input.EventPattern as string | undefined;
    const schedule = input.ScheduleExpression as string | undefined;
    if (pattern === undefined && schedule === undefined) {
      throw new AwsServiceError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    if (pattern !== undefined) {
      try {
        parseEventPattern(pattern);
      } catch (error) {
        if (error instanceof InvalidEventPatternError) throw new AwsServiceError('InvalidEventPatternException', error.message);
        throw error;
      }
    }
    if (schedule !== undefined) {
      try {
        schedulePeriodMs(schedule);
      } catch (error) {
        if (error instanceof InvalidScheduleExpressionError) throw new AwsServiceError('ValidationException', error.message);
        throw error;
      }
    }
    const state = (input.State as string | undefined) ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw new AwsServiceError('ValidationException', `State ${state} is not valid.`);
    const existing = this.store.get(name);
    const rule: Rule = {
      Name: name,
      Arn: this.ruleArn(name),
      EventBusName: DEFAULT_BUS,
      State: state,
      Targets: existing?.Targets ?? [],
      ...(pattern !== undefined ? { EventPattern: pattern } : {}),
      ...(schedule !== undefined ? { ScheduleExpression: schedule } : {}),
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      ...(typeof input.RoleArn === 'string' ? { RoleArn: input.RoleArn } : {}),
    };
    this.store.put(rule);
    this.armSchedule(name);
    return { RuleArn: rule.Arn };
  }

  private describeRule(input: Input): unknown {
    this.checkBus(input);
    const { Targets: _targets, ...rule } = this.rule(requireString(input, 'Name'));
    return { ...rule, CreatedBy: LOCAL_ACCOUNT_ID };
  }

  private listRules(input: Input): unknown {
    this.checkBus(input);
    const prefix = (input.NamePrefix as string | undefined) ?? '';
    const limit = Math.min(Number(input.Limit ?? 100) || 100, 100);
    const start = Number(input.NextToken ?? 0) || 0;
    const matching = this.store.list().filter((rule) => rule.Name.startsWith(prefix));
    const page = matching.slice(start, start + limit).map(({ Targets: _targets, ...rule }) => rule);
    return { Rules: page, ...(start + limit < matching.length ? { NextToken: String(start + limit) } : {}) };
  }

  private deleteRule(input: Input): unknown {
    this.checkBus(input);
    const name = requireString(input, 'Name');
    const rule = this.store.get(name);
    if (!rule) return {};
    if (rule.Targets.length > 0 && input.Force !== true) {
      throw new AwsServiceError('ValidationException', "Rule can't be deleted since it has targets.");
    }
    this.store.delete(name);
    this.armSchedule(name);
    return {};
  }

  private setState(input: Input, state: Rule['State']): unknown {
    this.checkBus(input);
    const rule = this.rule(requireString(input, 'Name'));
    this.store.put({ ...rule, State: state });
    this.armSchedule(rule.Name);
    return {};
  }

  private putTargets(input: Input): unknown {
    this.checkBus(input);
    const rule = this.rule(requireString(input, 'Rule'));
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length === 0) {
      throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    const merged = new Map(rule.Targets.map((target) => [target.Id, target]));
    for (const target of targets as RuleTarget[]) {
      if (typeof target.Id !== 'string' || typeof target.Arn !== 'string') {
        throw new AwsServiceError('ValidationException', 'Each target needs an Id and an Arn.');
      }
      if (target.Input !== undefined) {
        try {
          JSON.parse(target.Input);
        } catch {
          throw new AwsServiceError('ValidationException', `Input for target ${target.Id} is not valid JSON.`);
        }
      }
      checkRetryPolicy(target);
      merged.set(target.Id, target);
    }
    if (merged.size > MAX_TARGETS_PER_RULE) {
      throw new AwsServiceError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
    }
    this.store.put({ ...rule, Targets: [...merged.values()] });
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listTargets(input: Input): unknown {
    this.checkBus(input);
    return { Targets: this.rule(requireString(input, 'Rule')).Targets };
  }

  private removeTargets(input: Input): unknown {
    this.checkBus(input);
    const rule = this.rule(requireString(input, 'Rule'));
    const ids = new Set((input.Ids as string[] | undefined) ?? []);
    this.store.put({ ...rule, Targets: rule.Targets.filter((target) => !ids.has(target.Id)) });
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private putEvents(input: Input): unknown {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_PUT_EVENTS_ENTRIES) {
      throw new AwsServiceError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PUT_EVENTS_ENTRIES}`);
    }
    const results = (entries as PutEventsEntry[]).map((entry) => this.putEntry(entry));
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  }

  private putEntry(entry: PutEventsEntry): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter(s) Source, DetailType, Detail must be specified.' };
    }
    if (entry.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: `Not authorized for the source ${entry.Source}.` };
    }
    if (entry.EventBusName !== undefined && entry.EventBusName !== DEFAULT_BUS && !entry.EventBusName.endsWith(`:event-bus/${DEFAULT_BUS}`)) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const time = entry.Time === undefined ? new Date() : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
    const id = randomUUID();
    this.route({
      version: '0',
      id,
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT_ID,
      time: eventTime(Number.isNaN(time.getTime()) ? new Date() : time),
      region: this.region,
      resources: entry.Resources ?? [],
      detail,
    });
    return { EventId: id };
  }

  /** Delivers an event to the targets of every enabled rule whose pattern it matches. */
  private route(event: Record<string, unknown>): void {
    for (const rule of this.store.list()) {
      if (rule.State !== 'ENABLED' || rule.EventPattern === undefined) continue;
      if (!matchesEventPattern(parseEventPattern(rule.EventPattern), event)) continue;
      this.deliverToTargets(rule, event);
    }
  }

  /** Hands an event to each target of a rule (with the configured delivery semantics). */
  private deliverToTargets(rule: Rule, event: Record<string, unknown>): void {
    for (const target of rule.Targets) {
      const semantics = this.options.delivery;
      const random = semantics?.random ?? Math.random;
      const copies = semantics && random() < semantics.duplicateRate ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const delayMs = semantics ? Math.floor(random() * semantics.maxDelayMs) : 0;
        this.track((delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve()).then(() => this.deliver(rule, target, event)));
      }
    }
  }

  /**
   * One delivery attempt of an event to a target; a retriable failure is tried again after a back-off
   * while the target's retry policy allows, then the event goes to its dead-letter queue or is dropped.
   */
  private async deliver(rule: Rule, target: RuleTarget, event: Record<string, unknown>, attempt = 1, firstAttemptAt = this.clock.now()): Promise<void> {
    const eventId = String(event.id);
    let outcome: ReturnType<typeof deliveryOutcome>;
    if (!LAMBDA_ARN.test(target.Arn)) {
      outcome = { delivered: false, retriable: false, code: 'UnsupportedTarget', reason: 'The local EventBridge delivers only to Lambda function targets.' };
    } else {
      try {
        await this.options.invoker.invoke(target.Arn, targetInput(target, event, rule.Name), 'Event');
        outcome = { delivered: true };
      } catch (error) {
        outcome = deliveryOutcome(error);
      }
    }
    if (outcome.delivered) return;
    const limits = retryLimits(target.RetryPolicy);
    const delay = nextAttemptDelayMs(attempt, this.options.random ?? Math.random);
    const retriesLeft = attempt - 1 < limits.maximumRetryAttempts;
    const youngEnough = this.clock.now() + delay - firstAttemptAt <= limits.maximumEventAgeSeconds * 1000;
    if (outcome.retriable && retriesLeft && youngEnough && !this.schedulesStopped) {
      const timer = this.clock.setTimeout(() => {
        this.retries.delete(timer);
        this.track(this.deliver(rule, target, event, attempt + 1, firstAttemptAt));
      }, delay);
      this.retries.add(timer);
      return;
    }
    // Which limit ended the retries (none: the error is not retriable, or the local cloud is stopping).
    const exhausted = !outcome.retriable ? undefined : !retriesLeft ? 'MaximumRetryAttempts' : !youngEnough ? 'MaximumEventAgeInSeconds' : undefined;
    const deadLetterArn = target.DeadLetterConfig?.Arn;
    let reason = outcome.reason;
    if (deadLetterArn && this.options.deadLetters) {
      try {
        await this.options.deadLetters.send(deadLetterArn, event, {
          ERROR_CODE: outcome.code,
          ERROR_MESSAGE: outcome.reason,
          ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
          RETRY_ATTEMPTS: String(attempt - 1),
          RULE_ARN: rule.Arn,
          TARGET_ARN: target.Arn,
        });
      } catch (error) {
        reason += `; the dead-letter queue refused it too (${error instanceof Error ? error.message : String(error)})`;
        this.reportFailure({ ruleName: rule.Name, targetId: target.Id, targetArn: target.Arn, eventId, reason, attempts: attempt });
        return;
      }
      this.reportFailure({ ruleName: rule.Name, targetId: target.Id, targetArn: target.Arn, eventId, reason, attempts: attempt, deadLetterArn });
      return;
    }
    this.reportFailure({ ruleName: rule.Name, targetId: target.Id, targetArn: target.Arn, eventId, reason, attempts: attempt });
  }

  private reportFailure(failure: DeliveryFailure): void {
    (this.options.onDeliveryFailure ?? defaultDeliveryFailure)(failure);
  }

  /** Keeps a delivery in flight until it settles (drain waits for it). */
  private track(delivery: Promise<void>): void {
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }
}

function defaultDeliveryFailure(failure: DeliveryFailure): void {
  process.stderr.write(
    `events: rule ${failure.ruleName} could not deliver event ${failure.eventId} to target ${failure.targetId} (${failure.targetArn}) in ${failure.attempts} attempt(s): ${failure.reason}${failure.deadLetterArn ? ` (sent to ${failure.deadLetterArn})` : ' (dropped)'}\n`,
  );
}

/** PutTargets' checks of a RetryPolicy (EventBridge's ranges: 0-185 retries, 60-86400 seconds). */
function checkRetryPolicy(target: RuleTarget): void {
  const policy = target.RetryPolicy;
  if (policy === undefined) return;
  const { MaximumRetryAttempts: attempts, MaximumEventAgeInSeconds: age } = policy;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 0 || attempts > 185)) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${String(attempts)}' at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value between 0 and 185`);
  }
  if (age !== undefined && (!Number.isInteger(age) || age < 60 || age > 86_400)) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${String(age)}' at 'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400`);
  }
}
