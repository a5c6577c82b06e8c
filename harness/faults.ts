/**
 * Faults on purpose, for the system tests and the benchmark's "faults survived": sets and clears the local
 * cloud's injected faults through its local-only endpoint (`/_local/faults`, local-cloud/gateway/faults.ts),
 * keeps commands flowing to a live show while a fault lasts, and counts what became of every command from
 * what the system recorded (the command records of the sessions table), never from how long anything took.
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESSIONS_TABLE_NAME, sessionKey, type CommandInput, type CommandRecord } from '#contract/index';
import type { ActiveFault, FaultSpec } from '#local-cloud/gateway/faults';
import { eventually } from './eventually.ts';

export type { ActiveFault, FaultSpec };

const FAULTS_PATH = '/_local/faults';

async function faultsCall(awsEndpoint: string, method: 'GET' | 'POST' | 'DELETE', faults?: FaultSpec[]): Promise<ActiveFault[]> {
  const response = await fetch(`${awsEndpoint}${FAULTS_PATH}`, {
    method,
    ...(faults ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults }) } : {}),
  });
  const body = (await response.json()) as { faults?: ActiveFault[]; message?: string };
  if (!response.ok) throw new Error(`${method} ${FAULTS_PATH} answered ${response.status}: ${body.message ?? ''}`);
  return body.faults ?? [];
}

/** Adds faults; answers them as the local cloud holds them (an outage with its `from` and `until` on its clock). */
export const injectFaults = (awsEndpoint: string, faults: FaultSpec[]) => faultsCall(awsEndpoint, 'POST', faults);
/** The faults in force. */
export const listFaults = (awsEndpoint: string) => faultsCall(awsEndpoint, 'GET');
/** Clears every fault. */
export const clearFaults = async (awsEndpoint: string) => void (await faultsCall(awsEndpoint, 'DELETE'));

/** One POST of a command as the flow made it. */
export interface PostedCommand {
  /** Set when the API accepted it (202). */
  commandId?: string;
  status: number;
  /** The API's error code when it refused it. */
  code?: string;
  /** When the POST was sent (epoch ms). */
  sentAt: number;
}

/** Sends one command; answers the API's status and body. */
export type PostCommand = (command: CommandInput) => Promise<{ status: number; body: Record<string, unknown> }>;

/**
 * Commands flowing to a show: `burst` SET_VOLUMEs (each a volume of its own) every `intervalMs`, until
 * stopped, every answer kept. A burst puts several commands in the queue at once, so a fault finds commands
 * waiting there, not only on their way in.
 */
export class CommandFlow {
  readonly posted: PostedCommand[] = [];
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly post: PostCommand,
    private readonly options: { intervalMs?: number; burst?: number } = {},
  ) {}

  start(): this {
    this.running = (async () => {
      while (!this.stopped) {
        const burst = Array.from({ length: this.options.burst ?? 3 }, () => this.postOne());
        await Promise.all([...burst, new Promise((resolve) => setTimeout(resolve, this.options.intervalMs ?? 500))]);
      }
    })();
    return this;
  }

  /** Stops sending and waits for the POSTs under way. */
  async stop(): Promise<PostedCommand[]> {
    this.stopped = true;
    await this.running;
    return this.posted;
  }

  /** The ids of the commands the API accepted. */
  get accepted(): string[] {
    return this.posted.flatMap((p) => (p.commandId ? [p.commandId] : []));
  }

  private async postOne(): Promise<void> {
    const n = this.posted.length + 1;
    const entry: PostedCommand = { status: 0, sentAt: Date.now() };
    this.posted.push(entry);
    try {
      // Volumes 0.100 to 0.999, a different one each time (which command was applied last shows in now-playing).
      const answer = await this.post({ type: 'SET_VOLUME', volume: 0.1 + ((n * 7) % 900) / 1000 });
      entry.status = answer.status;
      if (answer.status === 202 && typeof answer.body.commandId === 'string') entry.commandId = answer.body.commandId;
      else if (typeof answer.body.code === 'string') entry.code = answer.body.code;
    } catch (error) {
      // The API did not answer at all (a restart of the local cloud): refused, nothing accepted.
      entry.code = (error as Error).name;
    }
  }
}

/** A command record as the account reads it. */
export type StoredCommand = CommandRecord & { attemptsStarted?: number; transientFailures?: number };

/** What became of a show's commands, from its command records. */
export interface CommandAccount {
  /** Commands the API accepted (202). */
  accepted: number;
  applied: number;
  /** FAILED with a reason (the host is told why). */
  failed: number;
  /** FAILED without a reason. */
  failedWithoutReason: number;
  /** Records still QUEUED: accepted commands and also those of refused requests (the API recorded them first). */
  leftQueued: number;
  /** Accepted commands without any record. */
  lost: number;
  /**
   * APPLIED commands that one controller began applying more than once without a failure of the command between
   * them: each of those deliveries may have applied it (the records' attemptsStarted less transientFailures,
   * above the number of controllers that began it).
   */
  appliedTwice: number;
  /**
   * APPLIED commands begun by a controller that was lost before it recorded the result, then applied by its
   * replacement (attemptedBy names more than one controller). What the first may have put on air went with its
   * process; the show as it goes on has the command once. Reported, not a loss.
   */
  reappliedAfterLoss: number;
  /** Records of requests the API refused (recorded, then refused): each must be FAILED, never APPLIED. */
  refusedButApplied: number;
  /** The records of the accepted commands, by id. */
  records: Map<string, StoredCommand>;
}

/** The counts that must all be 0 after a fault survived. */
export type Losses = Pick<CommandAccount, 'lost' | 'leftQueued' | 'failedWithoutReason' | 'appliedTwice' | 'refusedButApplied'>;
export const NO_LOSSES: Losses = { lost: 0, leftQueued: 0, failedWithoutReason: 0, appliedTwice: 0, refusedButApplied: 0 };

/** An account's losses (compare with NO_LOSSES). */
export function losses(account: CommandAccount): Losses {
  const { lost, leftQueued, failedWithoutReason, appliedTwice, refusedButApplied } = account;
  return { lost, leftQueued, failedWithoutReason, appliedTwice, refusedButApplied };
}

/** Every command record of a session (strongly consistent). */
export async function commandRecords(dynamodb: DynamoDBClient, sessionId: string): Promise<StoredCommand[]> {
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const items: StoredCommand[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: SESSIONS_TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :command)',
        ExpressionAttributeValues: { ':pk': sessionKey(sessionId).pk, ':command': 'COMMAND#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((page.Items ?? []) as StoredCommand[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** How many controllers began applying a command (1 for a record from before attemptedBy was kept). */
export function controllersThatBegan(record: StoredCommand): number {
  return Math.max(1, record.attemptedBy?.size ?? 0);
}

/** Counts what became of the `accepted` commands (and of every other command record of the session). */
export async function accountCommands(dynamodb: DynamoDBClient, sessionId: string, accepted: readonly string[], others: readonly string[] = []): Promise<CommandAccount> {
  const all = await commandRecords(dynamodb, sessionId);
  const byId = new Map(all.map((r) => [r.commandId, r]));
  const acceptedSet = new Set(accepted);
  const known = new Set([...accepted, ...others]);
  const records = new Map(accepted.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : [])));
  const mine = [...records.values()];
  return {
    accepted: acceptedSet.size,
    applied: mine.filter((r) => r.status === 'APPLIED').length,
    failed: mine.filter((r) => r.status === 'FAILED' && r.reason).length,
    failedWithoutReason: mine.filter((r) => r.status === 'FAILED' && !r.reason).length,
    leftQueued: all.filter((r) => r.status === 'QUEUED').length,
    lost: accepted.filter((id) => !byId.has(id)).length,
    appliedTwice: mine.filter((r) => r.status === 'APPLIED' && (r.attemptsStarted ?? 1) - (r.transientFailures ?? 0) > controllersThatBegan(r)).length,
    reappliedAfterLoss: mine.filter((r) => r.status === 'APPLIED' && controllersThatBegan(r) > 1).length,
    refusedButApplied: all.filter((r) => !known.has(r.commandId) && r.status === 'APPLIED').length,
    records,
  };
}

/**
 * Waits until no command record of the session is QUEUED any more (the commands held by a fault are applied
 * or failed once it is over), then counts; after `timeoutMs` counts what there is (QUEUED ones included).
 */
export async function settledAccount(
  dynamodb: DynamoDBClient,
  sessionId: string,
  accepted: readonly string[],
  timeoutMs: number,
  others: readonly string[] = [],
): Promise<CommandAccount> {
  const count = () => accountCommands(dynamodb, sessionId, accepted, others);
  return await eventually(
    async () => {
      const account = await count();
      return account.leftQueued === 0 && account.lost === 0 ? account : undefined;
    },
    timeoutMs,
    'every command of the show to be APPLIED or FAILED',
    250,
  ).catch(count);
}
