/** The host's tracks in the sessions table (pk `HOST#<userId>`, sk `TRACK#<trackId>`). */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENV, hostPartitionKey, MAX_TRACKS_PER_HOST, TRACK_SORT_KEY_PREFIX, trackKey, type TrackLoudness, type TrackRecord } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isConditionFailed } from '#helpers/is-condition-failed';
import { partitionItems } from '#helpers/partition-items';

const tableName = getStringFromEnv(ENV.sessionsTable);

const withoutKeys = (item: Record<string, unknown>): TrackRecord => {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as TrackRecord; // items under TRACK# are only ever written by putNewTrack
};

/** A host's tracks, oldest first (at most MAX_TRACKS_PER_HOST, the most a host may keep). */
export async function listHostTracks(hostId: string): Promise<TrackRecord[]> {
  const items = await partitionItems({ tableName, pk: hostPartitionKey(hostId), sortKeyPrefix: TRACK_SORT_KEY_PREFIX, atLeast: MAX_TRACKS_PER_HOST });
  const tracks = items as unknown as TrackRecord[]; // items under TRACK# are only ever written by putNewTrack
  return tracks.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.trackId.localeCompare(b.trackId));
}

/** Writes a new track; fails if the id is taken. */
export async function putNewTrack(track: TrackRecord): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...trackKey(track.hostId, track.trackId), ...track },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** One of the host's tracks (strongly consistent); undefined when the host has no such track. */
export async function getHostTrack(hostId: string, trackId: string): Promise<TrackRecord | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: trackKey(hostId, trackId), ConsistentRead: true }));
  return Item ? withoutKeys(Item) : undefined;
}

/** Deletes one of the host's tracks; false when the host has no such track. */
export async function deleteHostTrack(hostId: string, trackId: string): Promise<boolean> {
  try {
    await documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: trackKey(hostId, trackId), ConditionExpression: 'attribute_exists(pk)' }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Keeps a track's loudness (or why it could not be measured); false when the track is gone. */
export async function recordTrackLoudness(
  hostId: string,
  trackId: string,
  result: { loudness: TrackLoudness } | { error: string },
): Promise<boolean> {
  const measured = 'loudness' in result;
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: trackKey(hostId, trackId),
        UpdateExpression: measured ? 'SET loudness = :value REMOVE loudnessError' : 'SET loudnessError = :value',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':value': measured ? result.loudness : result.error.slice(0, 500) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
