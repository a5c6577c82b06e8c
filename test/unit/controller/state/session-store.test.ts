import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SessionStore, UNMEASURED_RECHECK_MS } from '#controller/state/session-store';

const documents = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const URL = 's3://bucket/media/host-1/abc/intro.mp3';
const LOUDNESS = { integratedLufs: -20.5, truePeakDbtp: -3.1, measuredAt: '2026-11-24T10:00:00.000Z' };

beforeEach(() => documents.reset());

describe('SessionStore: a track’s loudness', () => {
  it('finds the measurement of the host’s track with that programUrl, and keeps it', async () => {
    documents.on(QueryCommand).resolves({ Items: [{ loudness: LOUDNESS }] });
    const store = new SessionStore(doc, 'shelcaster-sessions', 'session-1');
    expect(await store.trackLoudness('host-1', URL)).toEqual(LOUDNESS);
    expect(await store.trackLoudness('host-1', URL)).toEqual(LOUDNESS);
    expect(documents).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(documents).toReceiveCommandWith(QueryCommand, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'programUrl = :url AND attribute_exists(loudness)',
      ExpressionAttributeValues: { ':pk': 'HOST#host-1', ':prefix': 'TRACK#', ':url': URL },
    });
  });

  it('reads every page of the host’s tracks', async () => {
    documents.on(QueryCommand).resolvesOnce({ Items: [], LastEvaluatedKey: { pk: 'x', sk: 'y' } }).resolvesOnce({ Items: [{ loudness: LOUDNESS }] });
    const store = new SessionStore(doc, 'shelcaster-sessions', 'session-1');
    expect(await store.trackLoudness('host-1', URL)).toEqual(LOUDNESS);
    expect(documents).toHaveReceivedCommandTimes(QueryCommand, 2);
  });

  it('believes "not measured" for a while, then asks again (the track may have been measured since)', async () => {
    documents.on(QueryCommand).resolvesOnce({ Items: [] }).resolvesOnce({ Items: [{ loudness: LOUDNESS }] });
    const store = new SessionStore(doc, 'shelcaster-sessions', 'session-1');
    expect(await store.trackLoudness('host-1', URL, 1_000)).toBeUndefined();
    expect(await store.trackLoudness('host-1', URL, 1_000 + UNMEASURED_RECHECK_MS - 1)).toBeUndefined();
    expect(documents).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(await store.trackLoudness('host-1', URL, 1_000 + UNMEASURED_RECHECK_MS)).toEqual(LOUDNESS);
  });
});

describe('SessionStore: now playing', () => {
  it('keeps the program’s URL and the bed’s and clips’ URLs for a replacement controller', async () => {
    documents.on(UpdateCommand).resolves({});
    const store = new SessionStore(doc, 'shelcaster-sessions', 'session-1');
    const nowPlaying = { programId: null, state: 'STOPPED' as const, positionSeconds: 0, durationSeconds: null, volume: 1, updatedAt: '2026-11-24T10:00:00.000Z' };
    await store.putNowPlaying({ nowPlaying, programUrl: null, deckUrls: { bed: URL, clips: [URL] } });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      UpdateExpression: 'SET nowPlaying = :np, #decks = :decks REMOVE #url',
      ExpressionAttributeNames: { '#url': 'nowPlayingUrl', '#decks': 'nowPlayingDeckUrls' },
      ExpressionAttributeValues: { ':np': nowPlaying, ':decks': { bed: URL, clips: [URL] } },
    });
  });
});
