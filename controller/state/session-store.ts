/**
 * The controller's reads and writes of the sessions table: the session record (endRequested, nowPlaying)
 * and its command records (the exactly-once guard: QUEUED → APPLIED/FAILED, conditionally). The records'
 * fields, the controller's bookkeeping among them, are the contract's (contract/records.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  commandKey,
  hostPartitionKey,
  sessionKey,
  TRACK_SORT_KEY_PREFIX,
  type CommandMessage,
  type CommandRecord,
  type CommandStatus,
  type SessionRecord,
  type RunOfShowItem,
  type RunOfShowPosition,
  type TrackLoudness,
  type TrackRecord,
} from '#contract/index';
import type { PlayerSnapshot } from '../player/media-player.ts';

/** Attribute of the session record holding the URL of the program in `nowPlaying` (for a replacement controller). */
export const NOW_PLAYING_URL_ATTRIBUTE = 'nowPlayingUrl' satisfies keyof SessionRecord;
/** Attribute holding the URLs of the bed's track and of the clips in `nowPlaying.decks` (for a replacement controller). */
export const NOW_PLAYING_DECK_URLS_ATTRIBUTE = 'nowPlayingDeckUrls' satisfies keyof SessionRecord;

/** Attributes of the session record holding the run-of-show and the position in it. */
export const RUN_OF_SHOW_ATTRIBUTE = 'runOfShow' satisfies keyof SessionRecord;
export const RUN_OF_SHOW_POSITION_ATTRIBUTE = 'runOfShowPosition' satisfies keyof SessionRecord;

/** What the controller reads of its session. */
export type ControllerSessionView = Pick<
  SessionRecord,
  | 'sessionId'
  | 'hostId'
  | 'status'
  | 'endRequested'
  | 'nowPlaying'
  | 'nowPlayingUrl'
  | 'nowPlayingDeckUrls'
  | 'taskArn'
  | 'controllerGeneration'
  | 'runOfShow'
  | 'runOfShowPosition'
  | 'ducking'
>;

/** The run-of-show as the controller reads it: the list and where the show is in it. */
export interface RunOfShowState {
  items: RunOfShowItem[];
  position: RunOfShowPosition | null;
}

export interface CommandResult {
  status: Exclude<CommandStatus, 'QUEUED'>;
  reason?: string;
  /** A FAILED command whose message is to go to the dead-letter queue (it kept failing). */
  deadLetter?: boolean;
}

/** What the record says as a delivery of a command begins. */
export interface CommandAttempt {
  /** undefined when there is no record. */
  status: CommandStatus | undefined;
  /** Earlier deliveries that began applying it and neither finished nor failed: the controller was lost meanwhile. */
  unfinishedAttempts: number;
  /** The record is FAILED and its message belongs in the dead-letter queue. */
  deadLetter: boolean;
}

/** Command record attributes the controller keeps for its own bookkeeping (not part of the API's view). */
export const ATTEMPTS_STARTED_ATTRIBUTE = 'attemptsStarted' satisfies keyof CommandRecord;
export const TRANSIENT_FAILURES_ATTRIBUTE = 'transientFailures' satisfies keyof CommandRecord;
export const ATTEMPTED_BY_ATTRIBUTE = 'attemptedBy' satisfies keyof CommandRecord;
export const DEAD_LETTER_ATTRIBUTE = 'deadLetter' satisfies keyof CommandRecord;
export const LAST_ERROR_ATTRIBUTE = 'lastError' satisfies keyof CommandRecord;
/**
 * Which controller recorded the command's result (its participant id), written by the same conditional update
 * as the result: the one witness of who applied a command that a kill cannot separate from the result (a
 * controller killed just after DynamoDB took its write never logs it).
 */
export const APPLIED_BY_ATTRIBUTE = 'appliedBy' satisfies keyof CommandRecord;

/** How long "this programUrl has no measured track" is believed before the tracks are read again. */
export const UNMEASURED_RECHECK_MS = 30_000;

export class SessionStore {
  /** Loudness measurements read so far, by programUrl. */
  private readonly loudness = new Map<string, TrackLoudness>();
  /** When a programUrl was last found without a measurement. */
  private readonly unmeasured = new Map<string, number>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sessionId: string,
    /** This controller's participant id, recorded as `appliedBy` with each result it records. */
    private readonly controllerId?: string,
  ) {}

  /** Reads the session record (strongly consistent). */
  async getSession(): Promise<ControllerSessionView | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: sessionKey(this.sessionId), ConsistentRead: true }),
    );
    return Item as ControllerSessionView | undefined;
  }

  /** The status of a command record, or undefined when there is none. */
  async getCommandStatus(commandId: string): Promise<CommandStatus | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: commandKey(this.sessionId, commandId),
        ConsistentRead: true,
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item?.status as CommandStatus | undefined;
  }

  /**
   * Counts a delivery that begins applying a command (when its record is still QUEUED) and returns what the
   * record said before: its status, how many earlier deliveries began without finishing or failing, and
   * whether a FAILED command is to be dead-lettered.
   */
  async beginAttempt(commandId: string): Promise<CommandAttempt> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commandKey(this.sessionId, commandId),
          // Which controller began it goes in the same write: a command begun by a controller that was lost
          // and again by its replacement is told apart from one a controller began twice.
          UpdateExpression: `SET #started = if_not_exists(#started, :zero) + :one${this.controllerId ? ' ADD #by :me' : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
          ExpressionAttributeNames: { '#started': ATTEMPTS_STARTED_ATTRIBUTE, '#status': 'status', ...(this.controllerId ? { '#by': ATTEMPTED_BY_ATTRIBUTE } : {}) },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':queued': 'QUEUED', ...(this.controllerId ? { ':me': new Set([this.controllerId]) } : {}) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const started = Number(Attributes?.[ATTEMPTS_STARTED_ATTRIBUTE] ?? 0);
      const failed = Number(Attributes?.[TRANSIENT_FAILURES_ATTRIBUTE] ?? 0);
      return { status: 'QUEUED', unfinishedAttempts: Math.max(0, started - failed), deadLetter: false };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item: item } = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: commandKey(this.sessionId, commandId), ConsistentRead: true }),
      );
      return {
        status: item?.status as CommandStatus | undefined,
        unfinishedAttempts: 0,
        deadLetter: item?.[DEAD_LETTER_ATTRIBUTE] === true,
      };
    }
  }

  /** Counts a delivery that failed transiently (the command stays QUEUED for redelivery). */
  async recordTransientFailure(commandId: string, reason: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commandKey(this.sessionId, commandId),
          UpdateExpression: 'SET #failures = if_not_exists(#failures, :zero) + :one, #lastError = :reason',
          ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
          ExpressionAttributeNames: { '#failures': TRANSIENT_FAILURES_ATTRIBUTE, '#status': 'status', '#lastError': LAST_ERROR_ATTRIBUTE },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':queued': 'QUEUED', ':reason': reason.slice(0, 1000) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Records a command's result, only if it is still QUEUED (or has no record yet). Returns false when
   * another attempt already recorded a result.
   */
  async finishCommand(
    message: Pick<CommandMessage, 'commandId' | 'acceptedAt'> & { command?: unknown },
    result: CommandResult,
    attempts: number,
    at: Date,
  ): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':status': result.status,
      ':queued': 'QUEUED',
      ':at': at.toISOString(),
      ':attempts': attempts,
      ':sid': this.sessionId,
      ':cid': message.commandId,
      ':acc': message.acceptedAt,
    };
    let update =
      'SET #status = :status, appliedAt = :at, attempts = :attempts, sessionId = if_not_exists(sessionId, :sid), ' +
      'commandId = if_not_exists(commandId, :cid), acceptedAt = if_not_exists(acceptedAt, :acc)';
    if (message.command !== undefined) {
      update += ', #command = if_not_exists(#command, :cmd)';
      values[':cmd'] = message.command;
    }
    if (result.deadLetter) {
      update += ', #deadLetter = :deadLetter';
      values[':deadLetter'] = true;
    }
    if (this.controllerId) {
      update += ', #appliedBy = :by';
      values[':by'] = this.controllerId;
    }
    if (result.reason) {
      update += ', reason = :reason';
      values[':reason'] = result.reason.slice(0, 1000);
    } else {
      update += ' REMOVE reason';
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commandKey(this.sessionId, message.commandId),
          UpdateExpression: update,
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :queued',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...(message.command !== undefined ? { '#command': 'command' } : {}),
            ...(result.deadLetter ? { '#deadLetter': DEAD_LETTER_ATTRIBUTE } : {}),
            ...(this.controllerId ? { '#appliedBy': APPLIED_BY_ATTRIBUTE } : {}),
          },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The run-of-show and the position in it (strongly consistent). */
  async getRunOfShow(): Promise<RunOfShowState> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: sessionKey(this.sessionId),
        ConsistentRead: true,
        ProjectionExpression: '#items, #position',
        ExpressionAttributeNames: { '#items': RUN_OF_SHOW_ATTRIBUTE, '#position': RUN_OF_SHOW_POSITION_ATTRIBUTE },
      }),
    );
    return { items: (Item?.[RUN_OF_SHOW_ATTRIBUTE] as RunOfShowItem[] | undefined) ?? [], position: (Item?.[RUN_OF_SHOW_POSITION_ATTRIBUTE] as RunOfShowPosition | undefined) ?? null };
  }

  /** Records where the show is in its run-of-show (never creates a record). */
  async putRunOfShowPosition(position: RunOfShowPosition): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(this.sessionId),
        UpdateExpression: 'SET #position = :position',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#position': RUN_OF_SHOW_POSITION_ATTRIBUTE },
        ExpressionAttributeValues: { ':position': position },
      }),
    );
  }

  /** Writes what plays now on the session record (never creates a record). */
  async putNowPlaying(snapshot: PlayerSnapshot): Promise<void> {
    const hasUrl = snapshot.programUrl !== null;
    const deckUrls = snapshot.deckUrls ?? { bed: null, clips: [] };
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(this.sessionId),
        UpdateExpression: hasUrl ? 'SET nowPlaying = :np, #decks = :decks, #url = :url' : 'SET nowPlaying = :np, #decks = :decks REMOVE #url',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#url': NOW_PLAYING_URL_ATTRIBUTE, '#decks': NOW_PLAYING_DECK_URLS_ATTRIBUTE },
        ExpressionAttributeValues: { ':np': snapshot.nowPlaying, ':decks': deckUrls, ...(hasUrl ? { ':url': snapshot.programUrl } : {}) },
      }),
    );
  }

  /**
   * The loudness measured for the host's track whose file is `programUrl` (a track named by its upload),
   * or undefined when there is none or it is not measured yet. Measurements, once there, do not change, so
   * they are kept; "none" is kept for UNMEASURED_RECHECK_MS (a track may be created or measured meanwhile),
   * so replaying a clip does not query again each time.
   */
  async trackLoudness(hostId: string, programUrl: string, nowMs = Date.now()): Promise<TrackLoudness | undefined> {
    const known = this.loudness.get(programUrl);
    if (known) return known;
    const checkedAt = this.unmeasured.get(programUrl);
    if (checkedAt !== undefined && nowMs - checkedAt < UNMEASURED_RECHECK_MS) return undefined;
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'programUrl = :url AND attribute_exists(loudness)',
        ExpressionAttributeValues: { ':pk': hostPartitionKey(hostId), ':prefix': TRACK_SORT_KEY_PREFIX, ':url': programUrl },
        ProjectionExpression: 'loudness',
      },
    );
    for await (const page of pages) {
      const found = (page.Items?.[0] as Pick<TrackRecord, 'loudness'> | undefined)?.loudness;
      if (found) {
        this.loudness.set(programUrl, found);
        return found;
      }
    }
    this.unmeasured.set(programUrl, nowMs);
    return undefined;
  }
}
