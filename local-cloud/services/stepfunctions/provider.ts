/**
 * The local Step Functions service: AWS's JSON 1.0 API (`AWSStepFunctions.<Operation>`, signing name
 * `states`) over this package's interpreter, with durable executions.
 *
 * Operations: CreateStateMachine, UpdateStateMachine, DescribeStateMachine, ListStateMachines,
 * DeleteStateMachine, StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory,
 * StopExecution, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.
 *
 * LIMITATIONS (what this service does not emulate):
 * - States: Task, Choice, Pass, Wait, Succeed and Fail only; no Parallel, no Map, no JSONata, no
 *   variables (Assign). CreateStateMachine refuses a definition that uses them (InvalidDefinition).
 * - Task resources: `lambda:invoke`, `sqs:sendMessage` (each also `.waitForTaskToken`) and bare Lambda
 *   function ARNs. No `.sync`, no activities, no AWS SDK integrations (`arn:aws:states:::aws-sdk:*`).
 * - Standard workflows only (an EXPRESS type is accepted and run as Standard); no versions, aliases,
 *   redrive, map runs, tags, logging or X-Ray. Task integrations call as the execution's roleArn when the
 *   task resources are given `clientsFor` (the local cloud does: the state machine's role's credentials).
 * - Durability: a Lambda or SQS call in flight when the service stopped is made again after `resume()`
 *   (at-least-once; SQS FIFO deduplicates a repeated send because its parameters, including a
 *   States.UUID() deduplication id, are stored with the attempt). Callback tasks keep their token and the
 *   time left of their timeout and heartbeat, counted on the wall clock across the stop.
 * - Retries record TaskFailed then a new TaskScheduled within the same state, as Step Functions does; the
 *   retry count is in `$$.State.RetryCount`. JitterStrategy FULL is honoured, MaxDelaySeconds caps.
 * - Data is never truncated (no 256 KiB payload limit); history is capped at 25,000 events.
 * - previousEventId is the preceding event's id (Step Functions sometimes points further back).
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, jsonError, jsonOk } from '#local-cloud/gateway/json-protocol';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import type { Clock } from '#local-cloud/clock';
import { DEFAULT_PAGE_SIZE, MAX_CAUSE_LENGTH, MAX_ERROR_LENGTH, MAX_PAGE_SIZE, MAX_TASK_TOKEN_LENGTH, NAME_PATTERN } from './constants.ts';
import { StepFunctionsEngine } from './engine.ts';
import { withoutExecutionData, type HistoryEvent } from './history.ts';
import { isJsonObject, type JsonObject } from './json.ts';
import { createSdkTaskResources } from './sdk-task-resources.ts';
import type { ExecutionRecord, ExecutionStatus, StateMachineRecord } from './store.ts';
import type { TaskResources } from './task-resources.ts';

export const STEP_FUNCTIONS_SIGNING_NAME = 'states';
export const STEP_FUNCTIONS_TARGET_PREFIX = 'AWSStepFunctions';

export interface StepFunctionsProviderOptions {
  /** Directory for the service's files (state machines, executions with their histories). */
  dataDir: string;
  clock?: Clock;
  /** How tasks reach Lambda and SQS; by default the AWS SDK with its standard endpoint configuration. */
  resources?: TaskResources;
  region?: string;
  accountId?: string;
  /** Continue RUNNING executions found in dataDir (default true). */
  resume?: boolean;
}

export interface StepFunctionsProvider extends ServiceProvider {
  readonly engine: StepFunctionsEngine;
}

type Operation = (input: JsonObject) => unknown;

const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:[^:]+:[^:]+$/;

/** Builds the Step Functions provider (and its engine) on a data directory. */
export function createStepFunctionsProvider(options: StepFunctionsProviderOptions): StepFunctionsProvider {
  const engine = new StepFunctionsEngine({
    dataDir: options.dataDir,
    resources: options.resources ?? createSdkTaskResources(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.accountId ? { accountId: options.accountId } : {}),
  });
  if (options.resume !== false) engine.resume();
  const operations = stepFunctionsOperations(engine);
  return {
    engine,
    signingNames: [STEP_FUNCTIONS_SIGNING_NAME],
    targetPrefixes: [STEP_FUNCTIONS_TARGET_PREFIX],
    async handle(request: AwsRequest): Promise<AwsResponse> {
      const target = request.headers['x-amz-target'] ?? '';
      const [prefix, name = ''] = target.split('.');
      const operation = prefix === STEP_FUNCTIONS_TARGET_PREFIX ? operations[name] : undefined;
      if (!operation) return jsonError('UnknownOperationException', `Unknown operation ${target}`);
      let input: unknown;
      try {
        input = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
      } catch {
        return jsonError('SerializationException', 'The request body is not valid JSON');
      }
      if (!isJsonObject(input)) return jsonError('SerializationException', 'The request body must be a JSON object');
      try {
        return jsonOk(operation(input));
      } catch (error) {
        if (error instanceof AwsServiceError) return jsonError(error.code, error.message, error.status);
        return jsonError('InternalFailure', 'The request processing has failed because of an unknown error.', 500);
      }
    },
    async close() {
      engine.close();
    },
  };
}

/** The API operations, by name. */
function stepFunctionsOperations(engine: StepFunctionsEngine): Record<string, Operation> {
  return {
    CreateStateMachine(input) {
      const name = requiredString(input, 'name');
      if (!NAME_PATTERN.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
      const type = optionalString(input, 'type') ?? 'STANDARD';
      if (type !== 'STANDARD' && type !== 'EXPRESS') throw validation(`Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`);
      const record = engine.stateMachines.create({
        name,
        definition: requiredString(input, 'definition'),
        roleArn: requiredString(input, 'roleArn'),
        type,
      });
      return { stateMachineArn: record.stateMachineArn, creationDate: seconds(record.creationDate) };
    },
    UpdateStateMachine(input) {
      const arn = stateMachineArn(input);
      const changes: { definition?: string; roleArn?: string } = {};
      const definition = optionalString(input, 'definition');
      const roleArn = optionalString(input, 'roleArn');
      if (definition !== undefined) changes.definition = definition;
      if (roleArn !== undefined) changes.roleArn = roleArn;
      if (definition === undefined && roleArn === undefined) throw new AwsServiceError('MissingRequiredParameter', 'Either the definition or the roleArn must be specified');
      const record = engine.stateMachines.update(arn, changes);
      return { updateDate: seconds(record.updateDate ?? record.creationDate) };
    },
    DescribeStateMachine(input) {
      return describeStateMachine(engine.stateMachines.describe(stateMachineArn(input)));
    },
    ListStateMachines(input) {
      const page = paginate(engine.stateMachines.list(), input);
      return {
        stateMachines: page.items.map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: m.type, creationDate: seconds(m.creationDate) })),
        ...page.next,
      };
    },
    DeleteStateMachine(input) {
      engine.stateMachines.delete(stateMachineArn(input));
      return {};
    },
    StartExecution(input) {
      const name = optionalString(input, 'name');
      if (name !== undefined && !NAME_PATTERN.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
      const execution = engine.startExecution({
        stateMachineArn: stateMachineArn(input),
        name: name ?? randomUUID(),
        input: optionalString(input, 'input') ?? '{}',
      });
      return { executionArn: execution.executionArn, startDate: seconds(execution.startDate) };
    },
    DescribeExecution(input) {
      return describeExecution(engine.describeExecution(executionArn(input)));
    },
    ListExecutions(input) {
      const statusFilter = optionalString(input, 'statusFilter');
      if (statusFilter !== undefined && !EXECUTION_STATUSES.includes(statusFilter as ExecutionStatus)) {
        throw validation(`Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`);
      }
      const page = paginate(engine.listExecutions(stateMachineArn(input), statusFilter as ExecutionStatus | undefined), input);
      return { executions: page.items.map(executionListItem), ...page.next };
    },
    GetExecutionHistory(input) {
      const arn = executionArn(input);
      const includeData = input.includeExecutionData !== false;
      let events: readonly HistoryEvent[] = engine.getExecutionHistory(arn);
      if (input.reverseOrder === true) events = [...events].reverse();
      const page = paginate(events, input);
      return { events: page.items.map((e) => wireEvent(includeData ? e : withoutExecutionData(e))), ...page.next };
    },
    StopExecution(input) {
      const execution = engine.stopExecution(executionArn(input), optionalString(input, 'error', MAX_ERROR_LENGTH), optionalString(input, 'cause', MAX_CAUSE_LENGTH));
      return { stopDate: seconds(execution.stopDate ?? execution.startDate) };
    },
    SendTaskSuccess(input) {
      engine.sendTaskSuccess(taskToken(input), requiredString(input, 'output'));
      return {};
    },
    SendTaskFailure(input) {
      engine.sendTaskFailure(taskToken(input), optionalString(input, 'error', MAX_ERROR_LENGTH), optionalString(input, 'cause', MAX_CAUSE_LENGTH));
      return {};
    },
    SendTaskHeartbeat(input) {
      engine.sendTaskHeartbeat(taskToken(input));
      return {};
    },
  };
}

function describeStateMachine(record: StateMachineRecord) {
  return {
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: 'ACTIVE',
    definition: record.definition,
    roleArn: record.roleArn,
    type: record.type,
    creationDate: seconds(record.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

function describeExecution(execution: ExecutionRecord) {
  return {
    ...executionListItem(execution),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

function executionListItem(execution: ExecutionRecord) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: seconds(execution.startDate),
    ...(execution.stopDate !== undefined ? { stopDate: seconds(execution.stopDate) } : {}),
  };
}

/** A history event on the wire: timestamps in epoch seconds. */
function wireEvent(event: HistoryEvent) {
  return { ...event, timestamp: seconds(event.timestamp) };
}

/** Slices a list by maxResults and an opaque nextToken. */
function paginate<T>(items: readonly T[], input: JsonObject): { items: T[]; next: { nextToken?: string } } {
  const maxResults = input.maxResults ?? 0;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_PAGE_SIZE) {
    throw validation(`Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and ${MAX_PAGE_SIZE}`);
  }
  const size = maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
  const start = input.nextToken === undefined || input.nextToken === null ? 0 : decodePageToken(input.nextToken);
  const page = items.slice(start, start + size);
  const end = start + page.length;
  return { items: page, next: end < items.length ? { nextToken: encodePageToken(end) } : {} };
}

function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodePageToken(token: unknown): number {
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // falls through to the error below
  }
  throw new AwsServiceError('InvalidToken', 'Invalid Token: the nextToken is not one this service issued');
}

function seconds(ms: number): number {
  return ms / 1000;
}

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', `1 validation error detected: ${message}`);
}

function requiredString(input: JsonObject, field: string): string {
  const value = input[field];
  if (value === undefined || value === null) throw validation(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  if (typeof value !== 'string') throw new AwsServiceError('SerializationException', `${field} must be a string`);
  return value;
}

function optionalString(input: JsonObject, field: string, maxLength?: number): string | undefined {
  if (input[field] === undefined || input[field] === null) return undefined;
  const value = requiredString(input, field);
  if (maxLength !== undefined && value.length > maxLength) {
    throw validation(`Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`);
  }
  return value;
}

function stateMachineArn(input: JsonObject): string {
  const arn = requiredString(input, 'stateMachineArn');
  if (!STATE_MACHINE_ARN.test(arn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  return arn;
}

function executionArn(input: JsonObject): string {
  const arn = requiredString(input, 'executionArn');
  if (!EXECUTION_ARN.test(arn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  return arn;
}

function taskToken(input: JsonObject): string {
  const token = requiredString(input, 'taskToken');
  if (token.length === 0 || token.length > MAX_TASK_TOKEN_LENGTH) {
    throw validation(`Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and ${MAX_TASK_TOKEN_LENGTH}`);
  }
  return token;
}
